"""The inventory part of the demo dataset: 200+ SKUs of an apparel and home store.

Generated from a fixed seed, through the services (so every unit has its ledger rows):
each SKU is stocked at two to five demo locations, most with a healthy quantity, some
low, some at zero; a few levels hold damaged or quality-control units or wait for
incoming ones; two transfers are on their way and a few carts hold live reservations.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.inventory import reservations, service, transfers
from oms_graphql.inventory.items import ItemFields, Money, create_item
from oms_graphql.inventory.service import QuantityChange
from oms_graphql.models import InventoryPolicy, InventoryReason, WeightUnit

_SIZES = ("XS", "S", "M", "L", "XL")


@dataclass(frozen=True, slots=True)
class Product:
    code: str
    title: str
    price: str
    grams: int
    variants: tuple[tuple[str, ...], ...] = ()
    """Option lists (colours, sizes...); one SKU per combination."""


PRODUCTS = (
    Product("TEE-CLASSIC", "Classic tee", "19.90", 180, (("BLK", "WHT", "NVY", "RED", "GRN", "GRY"), _SIZES)),
    Product("HOODIE", "Heavy hoodie", "59.00", 650, (("BLK", "GRY", "NVY", "OLV"), _SIZES)),
    Product("JEANS-SLIM", "Slim jeans", "79.00", 700, (("RAW", "STONE", "BLACK"), ("28", "30", "32", "34", "36", "38"))),
    Product("SNEAKER", "Canvas sneaker", "89.00", 900, (("WHT", "BLK", "RED"), ("38", "39", "40", "41", "42", "43", "44", "45"))),
    Product("OXFORD", "Oxford shirt", "49.00", 300, (("WHT", "BLU", "PNK", "STR"), _SIZES)),
    Product("DRESS-WRAP", "Wrap dress", "69.00", 350, (("BLK", "RED", "FLW", "GRN"), _SIZES)),
    Product("SOCKS", "Cotton socks", "9.90", 60, (("BLK", "WHT", "GRY", "STR", "RED"), ("S", "M", "L"))),
    Product("CAP", "Baseball cap", "24.00", 120, (("BLK", "NVY", "KHK", "RED", "WHT", "GRN"),)),
    Product("BEANIE", "Wool beanie", "22.00", 90, (("BLK", "GRY", "MUS", "NVY", "RST", "CRM"),)),
    Product("SCARF", "Merino scarf", "45.00", 200, (("GRY", "CML", "NVY", "BRG", "GRN", "BLK"),)),
    Product("MUG", "Stoneware mug", "14.00", 380, (("SKY", "SAND", "MOSS", "CLAY", "INK", "SNOW", "RUST", "PLUM"),)),
    Product("CANDLE", "Soy candle", "18.00", 400, (("FIG", "CEDAR", "LINEN", "AMBER", "SEA", "TEA"),)),
    Product("TOWEL", "Bath towel", "29.00", 600, (("WHT", "SND", "SGE", "CHR", "BLU"), ("HAND", "BATH"))),
    Product("BLANKET", "Wool blanket", "129.00", 1500, (("GRY", "CML", "NVY", "CRM"),)),
    Product("TOTE", "Canvas tote", "16.00", 150, (("NAT", "BLK", "NVY", "OLV", "RED"),)),
    Product("POT", "Plant pot", "21.00", 800, (("TERRA", "WHITE", "BLACK"), ("S", "M", "L"))),
    Product("NOTEBOOK", "Dot-grid notebook", "12.00", 250, (("BLK", "RED", "SAGE", "SAND", "BLUE"),)),
)  # fmt: skip

LOCATIONS_PER_SKU = (2, 5)
RESERVATION_SECONDS = 24 * 3600


def _combinations(options: Sequence[tuple[str, ...]]) -> Iterator[tuple[str, ...]]:
    if not options:
        yield ()
        return
    for first in options[0]:
        for rest in _combinations(options[1:]):
            yield (first, *rest)


def demo_items() -> list[ItemFields]:
    """Every SKU of the demo catalog, plus a gift card (untracked) and two pre-orders."""
    items = [
        ItemFields(
            sku="-".join((product.code, *combination)),
            title=" / ".join((product.title, *combination)),
            unit_price=Money(Decimal(product.price), "EUR"),
            low_stock_threshold=5,
            weight_value=float(product.grams),
            weight_unit=WeightUnit.GRAMS,
        )
        for product in PRODUCTS
        for combination in _combinations(product.variants)
    ]
    items.append(
        ItemFields(
            sku="GIFT-CARD-50",
            title="Gift card 50 EUR",
            unit_price=Money(Decimal("50.00"), "EUR"),
            tracked=False,
        )
    )
    for sku, title in (
        ("JACKET-PRE-M", "Rain jacket / M (pre-order)"),
        ("JACKET-PRE-L", "Rain jacket / L (pre-order)"),
    ):
        items.append(
            ItemFields(
                sku=sku,
                title=title,
                unit_price=Money(Decimal("149.00"), "EUR"),
                inventory_policy=InventoryPolicy.CONTINUE,
                low_stock_threshold=0,
                weight_value=900.0,
                weight_unit=WeightUnit.GRAMS,
            )
        )
    return items


def _on_hand(rng: random.Random, fields: ItemFields) -> int:
    if fields.inventory_policy == InventoryPolicy.CONTINUE:
        return 0  # pre-orders: nothing here yet, units incoming
    if fields.tracked is False:
        return 0
    roll = rng.random()
    if roll < 0.10:
        return 0
    if roll < 0.25:
        return rng.randint(1, 4)
    return rng.randint(5, 200)


async def load_demo_inventory(
    session: AsyncSession, location_ids: Sequence[int], *, advance: Callable[[], None]
) -> None:
    """Stock the catalog at the demo locations (in the caller's transaction)."""
    rng = random.Random(20261123)
    damaged: list[QuantityChange] = []
    held: list[QuantityChange] = []
    incoming: list[QuantityChange] = []
    stocked: list[tuple[int, int, int]] = []
    for fields in demo_items():
        item = await create_item(session, given=fields)
        for location_id in rng.sample(list(location_ids), rng.randint(*LOCATIONS_PER_SKU)):
            units = _on_hand(rng, fields)
            await service.activate(
                session, item_id=item.id, location_id=location_id, on_hand=units or None
            )
            stocked.append((item.id, location_id, units))
            roll = rng.random()
            if units >= 10 and roll < 0.08:
                damaged.append(
                    QuantityChange(
                        item.id,
                        location_id,
                        rng.randint(1, 3),
                        source="available",
                        target="damaged",
                    )
                )
            elif units >= 10 and roll < 0.12:
                held.append(
                    QuantityChange(
                        item.id,
                        location_id,
                        rng.randint(1, 4),
                        source="available",
                        target="quality_control",
                    )
                )
            elif fields.tracked is not False and (
                roll > 0.94 or fields.inventory_policy == InventoryPolicy.CONTINUE
            ):
                incoming.append(QuantityChange(item.id, location_id, rng.randint(10, 50)))
        advance()
    for moves, reason in ((damaged, InventoryReason.DAMAGED), (held, InventoryReason.OTHER)):
        if moves:
            await service.move_quantities(
                session, reason=reason, reference_document_uri=None, changes=moves
            )
    if incoming:
        await service.adjust_quantities(
            session,
            name="incoming",
            reason=InventoryReason.RECEIVED,
            reference_document_uri="https://suppliers.example.com/po/2026-118",
            changes=incoming,
        )
    await _transfers(session, rng, stocked)
    await _carts(session, rng, stocked)


async def _transfers(
    session: AsyncSession, rng: random.Random, stocked: list[tuple[int, int, int]]
) -> None:
    """Two transfers on their way, of well-stocked levels."""
    plenty = [entry for entry in stocked if entry[2] >= 40]
    for item_id, origin, _ in rng.sample(plenty, 2):
        destination = next(
            entry[1] for entry in stocked if entry[0] != item_id and entry[1] != origin
        )
        transfer = await transfers.create(
            session,
            origin_id=origin,
            destination_id=destination,
            lines=[transfers.TransferLine(item_id, 12)],
        )
        await transfers.ship(session, transfer_id=transfer.id)


async def _carts(
    session: AsyncSession, rng: random.Random, stocked: list[tuple[int, int, int]]
) -> None:
    """A few live reservations, as open checkouts would hold."""
    from oms_graphql.inventory import repository

    plenty = [entry for entry in stocked if entry[2] >= 20]
    items = {
        item.id: item for item in await repository.items_by_id(session, {e[0] for e in plenty})
    }
    for item_id, location_id, _ in rng.sample(plenty, 6):
        await reservations.reserve(
            session,
            lines=[reservations.HoldLine(items[item_id].sku, rng.randint(1, 3))],
            location_id=location_id,
            expires_in_seconds=RESERVATION_SECONDS,
        )
