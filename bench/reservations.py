"""S3, the reservation half: one hot SKU held by 32 clients through ``inventoryReserve``
against the bare conditional UPDATE loop; then a run at scarce stock, audited.

The baseline runs CLIENTS connections of their own, one UPDATE per transaction: psycopg
in autocommit on PostgreSQL; aiosqlite with ``BEGIN IMMEDIATE`` on SQLite, with the busy
timeout and ``synchronous`` setting the app's own connections use.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiosqlite
import orjson
import psycopg
from sqlalchemy import make_url, text
from starlette.applications import Starlette

from bench import data
from bench.harness import asgi_call
from bench.load import CLIENTS, Attempt, Statements, Throughput, alternate, concurrently
from bench.report import Rate
from oms_graphql.auth import mint_token
from oms_graphql.db import Database
from oms_graphql.ids import encode_gid
from oms_graphql.inventory.quantities import with_available
from oms_graphql.models import STORED_QUANTITIES
from oms_graphql.settings import Settings

HOT_STOCK = 1_000_000
ROUNDS = 2
TAKE_ONE = (
    "UPDATE inventory_levels SET reserved = reserved + 1 WHERE id = {param} AND "
    "on_hand - committed - reserved - damaged - safety_stock - quality_control >= 1 "
    "RETURNING reserved"
)
RESERVE = """mutation($input: InventoryReserveInput!) { inventoryReserve(input: $input) {
  reservation { id } userErrors { code } } }"""


@dataclass
class Tally:
    """What the reservation attempts got back."""

    held: int = 0
    refused: int = 0
    """INSUFFICIENT_STOCK"""
    other_codes: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    """Top-level GraphQL errors and non-200 replies (deadlocks, timeouts, 500s) by message."""
    statements: Statements = field(default_factory=Statements)

    def summary(self) -> str:
        others = ", ".join(f"{code} x{n}" for code, n in self.other_codes.items()) or "none"
        errors = "; ".join(f"{m!r} x{n}" for m, n in self.errors.most_common(3)) or "none"
        return (
            f"{self.held} held, {self.refused} INSUFFICIENT_STOCK, other user errors: {others}, "
            f"errors (deadlocks, 500s): {sum(self.errors.values())} [{errors}]"
        )


def reserve_attempt(
    app: Starlette, token: str, sku: str, location_id: int, tally: Tally
) -> Attempt:
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

    async def attempt(_: int) -> bool:
        reply = await asgi_call(app, "POST", "/graphql", body=body, headers=headers)
        tally.statements.note(reply)
        try:
            answer = orjson.loads(reply.body)
        except orjson.JSONDecodeError:
            answer = {"errors": [{"message": f"HTTP {reply.status} {reply.body[:80]!r}"}]}
        if reply.status != 200 or answer.get("errors"):
            tally.errors[answer.get("errors", [{}])[0].get("message", str(reply.status))] += 1
            return False
        payload = answer["data"]["inventoryReserve"]
        if payload["reservation"]:
            tally.held += 1
        for error in payload["userErrors"]:
            if error["code"] == "INSUFFICIENT_STOCK":
                tally.refused += 1
            else:
                tally.other_codes[error["code"]] += 1
        return True

    return attempt


@asynccontextmanager
async def bare_updates(database_url: str, level_id: int) -> AsyncIterator[Attempt]:
    """The conditional UPDATE, one connection per client; False when it took nothing."""
    url = make_url(database_url)
    async with AsyncExitStack() as stack:
        if url.get_backend_name() == "postgresql":
            conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
            connections = [
                await stack.enter_async_context(
                    await psycopg.AsyncConnection.connect(conninfo, autocommit=True)
                )
                for _ in range(CLIENTS)
            ]
            yield _postgres_attempt(connections, level_id)
        else:
            assert url.database is not None
            lite = [
                await stack.enter_async_context(
                    aiosqlite.connect(url.database, isolation_level=None)
                )
                for _ in range(CLIENTS)
            ]
            for connection in lite:
                await connection.execute("PRAGMA busy_timeout = 10000")
                await connection.execute("PRAGMA synchronous = NORMAL")
            yield _sqlite_attempt(lite, level_id)


def _postgres_attempt(connections: list[psycopg.AsyncConnection[Any]], level_id: int) -> Attempt:
    statement = TAKE_ONE.format(param="%s")

    async def attempt(client: int) -> bool:
        cursor = await connections[client].execute(statement, (level_id,))
        return await cursor.fetchone() is not None

    return attempt


def _sqlite_attempt(connections: list[aiosqlite.Connection], level_id: int) -> Attempt:
    statement = TAKE_ONE.format(param="?")

    async def attempt(client: int) -> bool:
        connection = connections[client]
        try:
            await connection.execute("BEGIN IMMEDIATE")
            cursor = await connection.execute(statement, (level_id,))
            row = await cursor.fetchone()
            await connection.execute("COMMIT")
        except sqlite3.OperationalError:  # busy beyond the timeout
            if connection.in_transaction:
                await connection.execute("ROLLBACK")
            return False
        return row is not None

    return attempt


@dataclass(frozen=True, slots=True)
class Audit:
    reserved: int
    active_holds: int
    negative: list[str]
    disagreements: list[str]
    levels: int


async def audit(database: Database, level_id: int, *, unledgered: int) -> Audit:
    """Every level but ``unledgered`` (the baseline's): no negative quantity, and for every
    (level, quantity) the ledger's deltas add up to the quantity, ``available`` included."""
    async with database.reading() as session:
        levels = (await session.execute(text("SELECT * FROM inventory_levels"))).mappings().all()
        sums = {
            (level, name): int(total)
            for level, name, total in await session.execute(
                text(
                    "SELECT level_id, quantity_name, sum(delta) FROM inventory_changes "
                    "GROUP BY level_id, quantity_name"
                )
            )
        }
        active_holds = await session.scalar(
            text(
                "SELECT count(*) FROM reservation_lines l JOIN reservations r "
                "ON r.id = l.reservation_id WHERE l.level_id = :id AND r.status = 'ACTIVE'"
            ),
            {"id": level_id},
        )
    negative: list[str] = []
    disagreements: list[str] = []
    audited = [level for level in levels if level["id"] != unledgered]
    for level in audited:
        current = with_available({name: level[name] for name in STORED_QUANTITIES})
        names = set(current) | {name for lid, name in sums if lid == level["id"]}
        for name in sorted(names):
            quantity, ledger = current.get(name), sums.get((level["id"], name), 0)
            if quantity is not None and quantity < 0:
                negative.append(f"level {level['id']} {name} = {quantity}")
            if quantity != ledger:
                disagreements.append(f"level {level['id']} {name}: {quantity}, ledger {ledger}")
    reserved = next(level["reserved"] for level in levels if level["id"] == level_id)
    return Audit(reserved, active_holds or 0, negative, disagreements, len(audited))


async def run(
    app: Starlette, database: Database, settings: Settings, *, attempts: int
) -> tuple[Rate, str]:
    """The rate row, and the correctness report: ``attempts`` at attempts/4 units."""
    await data.empty(database)
    (location,) = await data.seed_locations(database, 1)
    await data.stock_one(database, "HOT", location, HOT_STOCK)
    bare = await data.stock_one(database, "HOT-RAW", location, HOT_STOCK)
    await data.analyze(database)
    token = mint_token(settings, scopes=["write_reservations"])
    busy = Tally()
    async with bare_updates(database.url, bare) as baseline:
        mine, theirs = await alternate(
            reserve_attempt(app, token, "HOT", location, busy),
            attempts,
            baseline,
            attempts,
            rounds=ROUNDS,
        )
    rate = Rate(
        f"S3 inventoryReserve, {CLIENTS} cl.",
        mine,
        theirs,
        busy.statements,
        "bare conditional UPDATE loop",
    )
    stock = attempts // 4
    scarce = await data.stock_one(database, "SCARCE", location, stock)
    checked = Tally()
    await concurrently(
        reserve_attempt(app, token, "SCARCE", location, checked), attempts, Throughput()
    )
    found = await audit(database, scarce, unledgered=bare)
    return rate, correctness(busy, mine.done, checked, found, attempts=attempts, stock=stock)


def correctness(
    busy: Tally, busy_attempts: int, checked: Tally, found: Audit, *, attempts: int, stock: int
) -> str:
    oversold = max(0, checked.held - stock, found.reserved - stock)
    verdict = (
        "OK"
        if not (oversold or found.negative or found.disagreements or busy.errors or checked.errors)
        else "FAILED"
    )
    return "\n".join(
        [
            f"S3 correctness: {verdict}",
            f"  hot run ({busy_attempts} attempts at {HOT_STOCK:,} units): {busy.summary()}",
            f"  scarce run ({attempts} attempts at {stock} units, {CLIENTS} clients): "
            f"{checked.summary()}",
            f"  oversold: {oversold} (reserved on the level: {found.reserved}, "
            f"active holds: {found.active_holds}, units: {stock})",
            f"  negative quantities: {found.negative or 'none'}",
            f"  ledger vs quantities on {found.levels} levels: "
            f"{found.disagreements[:5] or 'agree'}",
        ]
    )
