"""Inventory scenarios: S2 (storefront availability) and the reservation half of S3."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal

import aiosqlite
import orjson
import psycopg
from sqlalchemy import insert, select, text

from bench.harness import Call, asgi_call, graphql_call
from oms_graphql import models
from oms_graphql.db import Database, utcnow
from oms_graphql.ids import encode_gid
from oms_graphql.inventory.items import ItemFields, Money, create_item
from oms_graphql.inventory.service import activate
from oms_graphql.migrate import sync_url

SKU_COUNT = 50
CLIENTS = 32
HOT_STOCK = 1_000_000
SCARCE_STOCK = 500

TAKE_ONE = (
    "UPDATE inventory_levels SET reserved = reserved + 1 WHERE id = {param} AND "
    "on_hand - committed - reserved - damaged - safety_stock - quality_control >= 1 "
    "RETURNING reserved"
)
RESERVE = """mutation($input: InventoryReserveInput!) { inventoryReserve(input: $input) {
  reservation { id } userErrors { code } } }"""


def availability_document(skus: list[str]) -> str:
    listed = ", ".join(orjson.dumps(sku).decode() for sku in skus)
    return (
        f"{{ availability(skus: [{listed}], near: {{latitude: 45.4, longitude: 9.2}}) {{ sku "
        "totalAvailable locations { location { id name address { city countryCode } } "
        "available pickupAvailable distanceKm } } }"
    )


async def seed_catalog(database: Database) -> list[str]:
    """50 SKUs stocked at every location (levels inserted in bulk: S2 reads no ledger)."""
    skus = [f"BENCH-{n:03}" for n in range(SKU_COUNT)]
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


async def stock_one(database: Database, sku: str, units: int) -> tuple[int, int]:
    """An item with ``units`` on hand at the first location: (level id, location id)."""
    async with database.transaction() as session:
        item = await create_item(session, given=ItemFields(sku=sku, title=sku))
        location_id = (
            await session.scalars(select(models.Location.id).order_by(models.Location.id))
        ).first()
        assert location_id is not None
        level = await activate(session, item_id=item.id, location_id=location_id, on_hand=units)
    return level.id, location_id


@dataclass
class Throughput:
    done: int
    seconds: float
    failures: int = 0

    @property
    def rate(self) -> float:
        return self.done / self.seconds


async def concurrently(call: Callable[[], Awaitable[bool]], total: int) -> Throughput:
    """``total`` calls from CLIENTS concurrent workers; a call returns False on failure."""
    remaining = total
    failures = 0

    async def worker() -> None:
        nonlocal remaining, failures
        while remaining > 0:
            remaining -= 1
            if not await call():
                failures += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CLIENTS)))
    return Throughput(total, time.perf_counter() - started, failures)


def succeeds(call: Call) -> Callable[[], Awaitable[bool]]:
    async def run() -> bool:
        reply = await call()
        return reply.status == 200 and b'"errors"' not in reply.body

    return run


@dataclass
class Reservations:
    held: int = 0
    refused: int = 0
    errors: int = 0


def reserve_call(
    app: object, token: str, sku: str, location_id: int, tally: Reservations
) -> Callable[[], Awaitable[bool]]:
    body = orjson.dumps(
        {
            "query": RESERVE,
            "variables": {
                "input": {
                    "lineItems": [{"sku": sku, "quantity": 1}],
                    "locationId": encode_gid("Location", location_id),
                    "expiresInSeconds": 600,
                }
            },
        }
    )
    headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}

    async def call() -> bool:
        reply = await asgi_call(app, "POST", "/graphql", body=body, headers=headers)
        answer = orjson.loads(reply.body)
        if reply.status != 200 or answer.get("errors"):
            tally.errors += 1
            return False
        if answer["data"]["inventoryReserve"]["reservation"]:
            tally.held += 1
        else:
            tally.refused += 1
        return True

    return call


async def raw_update_loop(database_url: str, level_id: int, total: int) -> Throughput:
    """The baseline: CLIENTS connections running the bare conditional UPDATE, one per
    transaction (psycopg on PostgreSQL; aiosqlite with BEGIN IMMEDIATE on SQLite)."""
    url = sync_url(database_url)
    if url.startswith("postgresql"):
        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        connections = [
            await psycopg.AsyncConnection.connect(dsn, autocommit=True) for _ in range(CLIENTS)
        ]
        statement = TAKE_ONE.format(param="%s")
        free = list(connections)

        async def call() -> bool:
            connection = free.pop()
            try:
                cursor = await connection.execute(statement, (level_id,))
                return await cursor.fetchone() is not None
            finally:
                free.append(connection)

        try:
            return await concurrently(call, total)
        finally:
            for connection in connections:
                await connection.close()
    path = url.split("///", 1)[1]
    lite = [await aiosqlite.connect(path, isolation_level=None) for _ in range(CLIENTS)]
    for lite_connection in lite:
        await lite_connection.execute("PRAGMA busy_timeout = 30000")
    statement = TAKE_ONE.format(param="?")
    idle = list(lite)

    async def lite_call() -> bool:
        own = idle.pop()
        try:
            await own.execute("BEGIN IMMEDIATE")
            cursor = await own.execute(statement, (level_id,))
            row = await cursor.fetchone()
            await own.execute("COMMIT")
            return row is not None
        finally:
            idle.append(own)

    try:
        return await concurrently(lite_call, total)
    finally:
        for lite_connection in lite:
            await lite_connection.close()


async def ledger_check(database: Database, level_id: int) -> tuple[dict[str, int], list[str]]:
    """The level's quantities, and every quantity whose ledger sum disagrees."""
    names = list(models.STORED_QUANTITIES)
    async with database.reading() as session:
        level = (
            await session.execute(
                text(f"SELECT {', '.join(names)} FROM inventory_levels WHERE id = :id"),
                {"id": level_id},
            )
        ).one()
        sums: dict[str, int] = dict(
            (
                await session.execute(
                    text(
                        "SELECT quantity_name, sum(delta) FROM inventory_changes "
                        "WHERE level_id = :id GROUP BY quantity_name"
                    ),
                    {"id": level_id},
                )
            ).all()
        )
    quantities = dict(zip(names, level, strict=True))
    quantities["available"] = quantities["on_hand"] - sum(
        quantities[n]
        for n in ("committed", "reserved", "damaged", "safety_stock", "quality_control")
    )
    wrong = [name for name, value in quantities.items() if int(sums.get(name, 0)) != value]
    return quantities, wrong


__all__ = [
    "CLIENTS",
    "HOT_STOCK",
    "SCARCE_STOCK",
    "Reservations",
    "Throughput",
    "availability_document",
    "concurrently",
    "graphql_call",
    "ledger_check",
    "raw_update_loop",
    "reserve_call",
    "seed_catalog",
    "stock_one",
    "succeeds",
]
