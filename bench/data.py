"""Database state per scenario: emptied first, then seeded through the services."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import MetaData, Table, insert, select, text
from sqlalchemy.orm import Session

from oms_graphql import models
from oms_graphql.addresses import AddressInput
from oms_graphql.db import Database, utcnow
from oms_graphql.inventory.items import ItemFields, Money, create_item
from oms_graphql.inventory.service import activate
from oms_graphql.locations.service import LocationFields, add_location
from oms_graphql.models import InventoryPolicy

KEPT = {"alembic_version", "sqlite_sequence", "routing_rulesets"}
"""Tables kept as migrated: the migrations seed the default routing rules."""


def _tables(session: Session) -> list[Table]:
    """User tables, referencing ones first (the order deletes must follow)."""
    metadata = MetaData()
    metadata.reflect(session.connection())
    return [table for table in reversed(metadata.sorted_tables) if table.name not in KEPT]


async def tables_with_rows(database: Database) -> list[str]:
    async with database.reading() as session:
        tables = await session.run_sync(_tables)
        return [
            table.name
            for table in tables
            if await session.scalar(select(text("1")).select_from(table).limit(1)) is not None
        ]


async def empty(database: Database) -> None:
    """Every row gone and ids restarted; the schema and its migration version stay."""
    async with database.transaction() as session:
        tables = await session.run_sync(_tables)
        if database.dialect == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            await session.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
            return
        for table in tables:
            await session.execute(table.delete())
        await session.execute(text("DELETE FROM sqlite_sequence"))


async def analyze(database: Database) -> None:
    """Fresh planner statistics on PostgreSQL, as autovacuum would give a live database."""
    if database.dialect == "postgresql":
        async with database.engine.begin() as connection:
            await connection.execute(text("ANALYZE"))


async def seed_locations(database: Database, count: int) -> list[int]:
    async with database.transaction() as session:
        locations = [
            await add_location(
                session,
                given=LocationFields(
                    name=f"Bench location {i:03}",
                    priority=i % 10,
                    address=AddressInput(
                        city=f"City {i}",
                        country_code="IT",
                        latitude=40 + i / 100,
                        longitude=9 + i / 100,
                    ),
                ),
            )
            for i in range(count)
        ]
    return [location.id for location in locations]


async def seed_catalog(database: Database, sku_count: int) -> list[str]:
    """SKUs stocked at every location. The levels are inserted in bulk, without ledger
    rows: storefront reads never look at the ledger, and the services would take minutes."""
    skus = [f"BENCH-{n:03}" for n in range(sku_count)]
    async with database.transaction() as session:
        items = [
            await create_item(
                session, given=ItemFields(sku=sku, title=sku, unit_price=Money(Decimal(10), "EUR"))
            )
            for sku in skus
        ]
        location_ids = (await session.scalars(select(models.Location.id))).all()
        now = utcnow()
        await session.execute(
            insert(models.InventoryLevel),
            [
                {
                    "item_id": item.id,
                    "location_id": location_id,
                    "on_hand": (item.id * location_id) % 40,
                    "created_at": now,
                    "updated_at": now,
                }
                for item in items
                for location_id in location_ids
            ],
        )
    return skus


async def stock_one(
    database: Database, sku: str, location_id: int, units: int, *, price: Money | None = None
) -> int:
    """A tracked item that sells only what is in stock, ``units`` on hand: its level id."""
    async with database.transaction() as session:
        item = await create_item(
            session,
            given=ItemFields(
                sku=sku,
                title=sku,
                unit_price=price,
                tracked=True,
                inventory_policy=InventoryPolicy.DENY,
            ),
        )
        level = await activate(session, item_id=item.id, location_id=location_id, on_hand=units)
    return level.id
