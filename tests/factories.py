"""Given-steps: plain keyword-only functions that commit through the services."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, text

from oms_graphql import models
from oms_graphql.addresses import AddressInput
from oms_graphql.channels.service import NewChannel, create_channel
from oms_graphql.customers.service import CustomerFields, create_customer
from oms_graphql.db import Database
from oms_graphql.inventory.items import ItemFields, Money, create_item
from oms_graphql.inventory.quantities import with_available
from oms_graphql.inventory.service import activate
from oms_graphql.locations.service import LocationFields, add_location
from oms_graphql.models import STORED_QUANTITIES, ChannelKind, InventoryPolicy, LocationKind

_numbers = itertools.count(1)


async def a_location(
    database: Database,
    *,
    name: str | None = None,
    country_code: str = "IT",
    latitude: float | None = 45.46,
    longitude: float | None = 9.19,
    kind: LocationKind = LocationKind.WAREHOUSE,
    priority: int = 0,
    **extra: Any,
) -> models.Location:
    async with database.transaction() as session:
        return await add_location(
            session,
            given=LocationFields(
                name=name or f"Location {next(_numbers)}",
                kind=kind,
                priority=priority,
                address=AddressInput(
                    country_code=country_code, latitude=latitude, longitude=longitude
                ),
                **extra,
            ),
        )


async def a_channel(
    database: Database,
    *,
    handle: str | None = None,
    kind: ChannelKind = ChannelKind.WEB,
    allow_split_shipments: bool = True,
) -> models.Channel:
    handle = handle or f"channel-{next(_numbers)}"
    async with database.transaction() as session:
        return await create_channel(
            session,
            given=NewChannel(handle, handle.title(), kind, allow_split_shipments),
        )


async def a_customer(
    database: Database,
    *,
    email: str | None = None,
    first_name: str | None = "Maria",
    last_name: str | None = "Rossi",
    country_code: str | None = "IT",
    tags: list[str] | None = None,
) -> models.Customer:
    async with database.transaction() as session:
        return await create_customer(
            session,
            given=CustomerFields(
                email=email or f"customer{next(_numbers)}@example.com",
                first_name=first_name,
                last_name=last_name,
                default_address=AddressInput(country_code=country_code, city="Somewhere"),
                tags=tags or [],
            ),
        )


def events_of(engine: Engine) -> list[dict[str, Any]]:
    """Every event row, in id order."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM events ORDER BY id"))
        return [dict(r) for r in rows.mappings().all()]


def count_rows(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def row(engine: Engine, table: str, row_id: int) -> dict[str, Any]:
    with engine.connect() as connection:
        found = connection.execute(text(f"SELECT * FROM {table} WHERE id = :id"), {"id": row_id})
        return dict(found.mappings().one())


async def an_item(
    database: Database,
    *,
    sku: str | None = None,
    title: str = "Classic tee",
    policy: InventoryPolicy = InventoryPolicy.DENY,
    tracked: bool = True,
    low_stock_threshold: int | None = None,
) -> models.InventoryItem:
    async with database.transaction() as session:
        return await create_item(
            session,
            given=ItemFields(
                sku=sku or f"SKU-{next(_numbers)}",
                title=title,
                unit_price=Money(Decimal("19.90"), "EUR"),
                tracked=tracked,
                inventory_policy=policy,
                low_stock_threshold=low_stock_threshold,
            ),
        )


async def stocked(
    database: Database, item: models.InventoryItem, location: models.Location, on_hand: int
) -> models.InventoryLevel:
    async with database.transaction() as session:
        return await activate(
            session, item_id=item.id, location_id=location.id, on_hand=on_hand or None
        )


def quantities(engine: Engine, level_id: int) -> dict[str, int]:
    """A level's stored quantities with ``available`` derived, read straight from the table."""
    stored = row(engine, "inventory_levels", level_id)
    return with_available({name: stored[name] for name in STORED_QUANTITIES})


def ledger_disagreements(engine: Engine) -> list[str]:
    """Every (level, quantity) whose ledger deltas do not add up to the quantity itself."""
    with engine.connect() as connection:
        levels = connection.execute(text("SELECT * FROM inventory_levels")).mappings().all()
        sums = {
            (level_id, name): int(total)
            for level_id, name, total in connection.execute(
                text(
                    "SELECT level_id, quantity_name, sum(delta) FROM inventory_changes "
                    "GROUP BY level_id, quantity_name"
                )
            )
        }
    wrong = []
    for level in levels:
        current = with_available({name: level[name] for name in STORED_QUANTITIES})
        for name, quantity in current.items():
            if sums.get((level["id"], name), 0) != quantity:
                wrong.append(
                    f"level {level['id']} {name}: ledger {sums.get((level['id'], name), 0)}, "
                    f"quantity {quantity}"
                )
            if name != "available" and quantity < 0:
                wrong.append(f"level {level['id']} {name} is negative: {quantity}")
    return wrong
