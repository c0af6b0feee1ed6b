"""The demo dataset for ``serve --demo`` and ``seed --demo``, loaded into an empty database.

Everything goes through the services, so the demo data obeys the same rules (and writes
the same events and ledger rows) as data created through the API: 5 channels, 12
locations, 1,000 customers, the stocked catalog of ``demo_inventory`` (200+ SKUs at two
to five locations each, with low, zero, damaged, quality-control and incoming stock, two
transfers in transit and a few live reservations) and the orders of ``demo_orders``
(2,100 over the last 90 days by default, ``OMS_DEMO_ORDERS``), a few of them edited, and
the draft orders of ``demo_drafts`` (open, invoiced, completed) and the returns of
``demo_returns`` (every status, dispositions, refunds, an exchange). Everything is generated
from fixed seeds: every load is identical. All of it is one transaction.
"""

from __future__ import annotations

import random
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from oms_graphql import demo_drafts, demo_returns
from oms_graphql.addresses import AddressInput
from oms_graphql.channels import repository as channels
from oms_graphql.channels.service import NewChannel, create_channel
from oms_graphql.customers import repository as customers
from oms_graphql.customers.service import CustomerFields, create_customer
from oms_graphql.db import Database
from oms_graphql.demo_inventory import demo_items, load_demo_inventory
from oms_graphql.demo_orders import ORDER_COUNT, load_demo_orders, steps
from oms_graphql.locations import repository as locations
from oms_graphql.locations.service import LocationFields, add_location
from oms_graphql.models import ChannelKind, LocationKind

CUSTOMER_COUNT = 1_000

CHANNELS = (
    NewChannel("web", "Web store", ChannelKind.WEB),
    NewChannel("pos", "Stores (point of sale)", ChannelKind.POS),
    NewChannel("amazon-it", "Amazon Italy", ChannelKind.MARKETPLACE, allow_split_shipments=False),
    NewChannel("zalando-de", "Zalando Germany", ChannelKind.MARKETPLACE),
    NewChannel("draft", "Draft orders", ChannelKind.DRAFT),
)
STORE_CHANNELS = ["web", "pos", "draft"]


@dataclass(frozen=True, slots=True)
class DemoLocation:
    name: str
    kind: LocationKind
    address1: str
    zip: str
    city: str
    country_code: str
    latitude: float
    longitude: float
    priority: int = 0
    daily_order_capacity: int | None = None

    @property
    def is_store(self) -> bool:
        return self.kind is LocationKind.STORE


W, S, F = LocationKind.WAREHOUSE, LocationKind.STORE, LocationKind.FULFILLMENT_SERVICE
LOCATIONS = (
    DemoLocation("Milano Warehouse", W, "Via Mecenate 76", "20138", "Milano", "IT", 45.4642, 9.1900, 10, 500),
    DemoLocation("Roma Via del Corso Store", S, "Via del Corso 120", "00186", "Roma", "IT", 41.9028, 12.4964, 5),
    DemoLocation("Hamburg Warehouse", W, "Am Sandtorkai 50", "20457", "Hamburg", "DE", 53.5511, 9.9937, 9, 400),
    DemoLocation("Berlin Mitte Store", S, "Rosenthaler Str. 40", "10178", "Berlin", "DE", 52.5200, 13.4050, 5),
    DemoLocation("Lyon Warehouse", W, "Rue de Gerland 210", "69007", "Lyon", "FR", 45.7640, 4.8357, 8, 300),
    DemoLocation("Paris Marais Store", S, "Rue des Francs-Bourgeois 12", "75004", "Paris", "FR", 48.8590, 2.3620, 5),
    DemoLocation("Madrid Warehouse", W, "Calle de Alcalá 250", "28027", "Madrid", "ES", 40.4168, -3.7038, 8, 300),
    DemoLocation("Barcelona Eixample Store", S, "Passeig de Gràcia 55", "08007", "Barcelona", "ES", 41.3874, 2.1686, 4),
    DemoLocation("Rotterdam 3PL", F, "Waalhaven Z.z. 19", "3089 JH", "Rotterdam", "NL", 51.9244, 4.4777, 3),
    DemoLocation("Amsterdam Jordaan Store", S, "Westerstraat 80", "1015 MN", "Amsterdam", "NL", 52.3676, 4.9041, 4),
    DemoLocation("Wien Neubau Store", S, "Neubaugasse 25", "1070", "Wien", "AT", 48.2082, 16.3738, 4),
    DemoLocation("Warszawa Warehouse", W, "ulica Żwirki i Wigury 16", "02-092", "Warszawa", "PL", 52.2297, 21.0122, 6, 250),
)  # fmt: skip

_PEOPLE = {
    "IT": (
        ("Giulia", "Marco", "Francesca", "Luca", "Chiara", "Matteo", "Sara", "Davide", "Elena", "Paolo"),
        ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco"),
        (("Milano", 45.4642, 9.19), ("Roma", 41.9028, 12.4964), ("Torino", 45.0703, 7.6869), ("Napoli", 40.8518, 14.2681)),
    ),
    "DE": (
        ("Anna", "Lukas", "Lena", "Jonas", "Marie", "Felix", "Laura", "Paul", "Julia", "Max"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Koch"),
        (("Berlin", 52.52, 13.405), ("Hamburg", 53.5511, 9.9937), ("München", 48.1351, 11.582), ("Köln", 50.9375, 6.9603)),
    ),
    "FR": (
        ("Camille", "Louis", "Léa", "Hugo", "Chloé", "Jules", "Manon", "Arthur", "Inès", "Lucas"),
        ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau"),
        (("Paris", 48.8566, 2.3522), ("Lyon", 45.764, 4.8357), ("Marseille", 43.2965, 5.3698), ("Lille", 50.6292, 3.0573)),
    ),
    "ES": (
        ("Lucía", "Hugo", "Martina", "Mateo", "Sofía", "Daniel", "Paula", "Pablo", "Carmen", "Álvaro"),
        ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Ruiz"),
        (("Madrid", 40.4168, -3.7038), ("Barcelona", 41.3874, 2.1686), ("Valencia", 39.4699, -0.3763), ("Sevilla", 37.3891, -5.9845)),
    ),
    "NL": (
        ("Emma", "Daan", "Julia", "Sem", "Sophie", "Lucas", "Tess", "Levi", "Anna", "Finn"),
        ("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer"),
        (("Amsterdam", 52.3676, 4.9041), ("Rotterdam", 51.9244, 4.4777), ("Utrecht", 52.0907, 5.1214)),
    ),
    "AT": (
        ("Anna", "Lukas", "Hannah", "David", "Sophie", "Tobias", "Lena", "Elias", "Emilia", "Jakob"),
        ("Gruber", "Huber", "Bauer", "Wagner", "Müller", "Pichler", "Steiner", "Moser", "Mayer", "Hofer"),
        (("Wien", 48.2082, 16.3738), ("Graz", 47.0707, 15.4395), ("Linz", 48.3069, 14.2858)),
    ),
    "PL": (
        ("Zuzanna", "Jakub", "Julia", "Antoni", "Maja", "Jan", "Hanna", "Szymon", "Lena", "Filip"),
        ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński", "Szymański", "Woźniak"),
        (("Warszawa", 52.2297, 21.0122), ("Kraków", 50.0647, 19.945), ("Gdańsk", 54.352, 18.6466)),
    ),
}  # fmt: skip
_COUNTRY_WEIGHTS = {"IT": 30, "DE": 22, "FR": 18, "ES": 14, "NL": 8, "AT": 4, "PL": 4}
_TAGS = (("vip", 0.08), ("newsletter", 0.45), ("wholesale", 0.05), ("returning", 0.3))


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in ".-")).lower()


def demo_customers(count: int = CUSTOMER_COUNT) -> list[CustomerFields]:
    """The same ``count`` customers every time; one in 40 has no name (email only)."""
    rng = random.Random(20261122)
    countries = list(_COUNTRY_WEIGHTS)
    weights = list(_COUNTRY_WEIGHTS.values())
    result = []
    for number in range(1, count + 1):
        country = rng.choices(countries, weights)[0]
        first_names, last_names, cities = _PEOPLE[country]
        first, last = rng.choice(first_names), rng.choice(last_names)
        city, latitude, longitude = rng.choice(cities)
        nameless = number % 40 == 0
        email = f"{_ascii(first)}.{_ascii(last).replace(' ', '')}.{number}@example.com"
        result.append(
            CustomerFields(
                email=email,
                first_name=None if nameless else first,
                last_name=None if nameless else last,
                default_address=AddressInput(
                    first_name=first,
                    last_name=last,
                    address1=f"{rng.randint(1, 199)} Demo Street",
                    zip=f"{rng.randint(10000, 99999)}",
                    city=city,
                    country_code=country,
                    latitude=round(latitude + rng.uniform(-0.05, 0.05), 4),
                    longitude=round(longitude + rng.uniform(-0.05, 0.05), 4),
                ),
                tags=[tag for tag, share in _TAGS if rng.random() < share],
            )
        )
    return result


async def load_demo(
    database: Database,
    *,
    progress: Callable[[int, int], None] | None = None,
    order_count: int = ORDER_COUNT,
) -> bool:
    """Load the demo data unless the database already holds any; True when loaded."""
    people = demo_customers()
    total = (
        len(CHANNELS)
        + len(LOCATIONS)
        + len(people)
        + len(demo_items())
        + steps(order_count)
        + demo_drafts.steps()
        + demo_returns.steps()
    )
    done = 0

    def advance() -> None:
        nonlocal done
        done += 1
        if progress and (done % 50 == 0 or done == total):
            progress(done, total)

    async with database.transaction() as session:
        if (
            await channels.count(session)
            or await locations.LISTING.count(session)
            or await customers.LISTING.count(session)
        ):
            return False
        for channel in CHANNELS:
            await create_channel(session, given=channel)
            advance()
        location_ids = []
        for demo in LOCATIONS:
            location = await add_location(
                session,
                given=LocationFields(
                    name=demo.name,
                    kind=demo.kind,
                    address=AddressInput(
                        address1=demo.address1,
                        zip=demo.zip,
                        city=demo.city,
                        country_code=demo.country_code,
                        latitude=demo.latitude,
                        longitude=demo.longitude,
                    ),
                    priority=demo.priority,
                    pickup_enabled=demo.is_store,
                    daily_order_capacity=demo.daily_order_capacity,
                    channels=STORE_CHANNELS if demo.is_store else None,
                ),
            )
            location_ids.append(location.id)
            advance()
        for person in people:
            await create_customer(session, given=person)
            advance()
        await load_demo_inventory(session, location_ids, advance=advance)
        await load_demo_orders(session, people, advance=advance, order_count=order_count)
        await demo_drafts.load_demo_edits(session, advance=advance)
        await demo_drafts.load_demo_drafts(session, people, advance=advance)
        await demo_returns.load_demo_returns(session, advance=advance)
    return True


def print_progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // total
    sys.stderr.write(f"\rdemo data [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()
