"""The demo dataset for ``serve --demo`` and ``seed --demo``: loaded into an empty database."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from oms_graphql.db import Database
from oms_graphql.locations import repository as locations
from oms_graphql.locations.service import LocationAddress, LocationFields, add_location
from oms_graphql.models import LocationKind


@dataclass(frozen=True, slots=True)
class DemoLocation:
    name: str
    kind: LocationKind
    city: str
    country_code: str
    latitude: float
    longitude: float
    address1: str
    zip: str
    priority: int = 0
    pickup_enabled: bool = False
    daily_order_capacity: int | None = None


DEMO_LOCATIONS = (
    DemoLocation(
        "Milano Warehouse",
        LocationKind.WAREHOUSE,
        "Milano",
        "IT",
        45.4642,
        9.1900,
        "Via Mecenate 76",
        "20138",
        priority=10,
        daily_order_capacity=500,
    ),
    DemoLocation(
        "Berlin Mitte Store",
        LocationKind.STORE,
        "Berlin",
        "DE",
        52.5200,
        13.4050,
        "Rosenthaler Str. 40",
        "10178",
        priority=5,
        pickup_enabled=True,
    ),
    DemoLocation(
        "Paris Marais Store",
        LocationKind.STORE,
        "Paris",
        "FR",
        48.8590,
        2.3620,
        "Rue des Francs-Bourgeois 12",
        "75004",
        priority=5,
        pickup_enabled=True,
    ),
    DemoLocation(
        "Madrid Warehouse",
        LocationKind.WAREHOUSE,
        "Madrid",
        "ES",
        40.4168,
        -3.7038,
        "Calle de Alcalá 250",
        "28027",
        priority=8,
        daily_order_capacity=300,
    ),
    DemoLocation(
        "Rotterdam 3PL",
        LocationKind.FULFILLMENT_SERVICE,
        "Rotterdam",
        "NL",
        51.9244,
        4.4777,
        "Waalhaven Z.z. 19",
        "3089 JH",
        priority=3,
    ),
)


async def load_demo(
    database: Database, *, progress: Callable[[int, int], None] | None = None
) -> bool:
    """Load the demo data unless the database already holds locations; True when loaded."""
    async with database.transaction() as session:
        if await locations.count(session) > 0:
            return False
        for done, demo in enumerate(DEMO_LOCATIONS, start=1):
            await add_location(
                session,
                given=LocationFields(
                    name=demo.name,
                    kind=demo.kind,
                    address=LocationAddress(
                        address1=demo.address1,
                        city=demo.city,
                        zip=demo.zip,
                        country_code=demo.country_code,
                        latitude=demo.latitude,
                        longitude=demo.longitude,
                    ),
                    priority=demo.priority,
                    pickup_enabled=demo.pickup_enabled,
                    daily_order_capacity=demo.daily_order_capacity,
                ),
            )
            if progress:
                progress(done, len(DEMO_LOCATIONS))
    return True


def print_progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // total
    sys.stderr.write(f"\rdemo data [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()
