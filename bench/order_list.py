"""S1, the admin list: the newest 100 of 10,000 orders, with customer and 10 lines each.

The baseline builds the same JSON by hand, served by a plain Starlette route: 2 raw SQL
statements (the orders joined with their customers, then the first 10 lines of those
orders) on one connection of its own, psycopg (async, autocommit) on PostgreSQL and the
standard library's sqlite3 on SQLite, and orjson. It checks no token. Before timing, both
answers are compared: the baseline must return exactly the API's JSON. The note also times
the request with a partner token (the access filter on every statement) against admin.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson
import psycopg
from sqlalchemy import make_url
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench import data, order_data
from bench.harness import Call, compare, graphql_call
from bench.report import Latency
from oms_graphql.auth import mint_token
from oms_graphql.auth.scopes import ADMIN_SCOPES
from oms_graphql.currencies import MINOR_UNITS
from oms_graphql.db import MONEY_SCALE, Database
from oms_graphql.ids import encode_gid
from oms_graphql.settings import Settings

ORDERS = 10_000
CUSTOMERS = 1_000
LINES = 10
SKUS = 100
PAGE = 100
RELATION_LEVELS = 3
"""orders, customers, line items: PERFORMANCE.md's statement budget for this document."""


def document(page: int = PAGE) -> str:
    return (
        f"{{ orders(first: {page}, sortKey: CREATED_AT, reverse: true) {{ nodes {{ id name "
        "createdAt customer { email } lineItems(first: 10) { nodes { sku quantity "
        "originalUnitPrice { amount } } } } } }"
    )


ORDERS_SQL = (
    "SELECT o.id, o.name, o.created_at, o.currency_code, c.email FROM orders o "
    "LEFT JOIN customers c ON c.id = o.customer_id "
    f"ORDER BY o.created_at DESC, o.id DESC LIMIT {PAGE}"
)
LINES_SQL = (
    "SELECT order_id, sku, quantity, original_unit_price FROM (SELECT order_id, position, "
    "sku, quantity, original_unit_price, row_number() OVER (PARTITION BY order_id ORDER BY "
    "position) AS rank FROM order_lines WHERE order_id {among}) AS firsts "
    f"WHERE rank <= {LINES} ORDER BY order_id, position"
)
Rows = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]
_UNITS = {code: Decimal(1).scaleb(-digits) for code, digits in MINOR_UNITS.items()}


def _amount(stored: int, currency: str) -> str:
    """MoneyV2's amount from the stored integer: the currency's decimals unless it has more."""
    value = Decimal(stored).scaleb(-MONEY_SCALE)
    unit = _UNITS[currency]
    return str(value.quantize(unit) if value == value.quantize(unit) else value.normalize())


def _timestamp(value: datetime | str) -> str:
    if isinstance(value, str):  # sqlite3 returns SQLAlchemy's stored text, in UTC
        value = datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def answer(rows: Rows) -> bytes:
    orders, lines = rows
    by_order: dict[int, list[dict[str, Any]]] = {order[0]: [] for order in orders}
    currencies = {order[0]: order[3] for order in orders}
    for order_id, sku, quantity, price in lines:
        by_order[order_id].append(
            {
                "sku": sku,
                "quantity": quantity,
                "originalUnitPrice": {"amount": _amount(price, currencies[order_id])},
            }
        )
    nodes = [
        {
            "id": encode_gid("Order", order_id),
            "name": name,
            "createdAt": _timestamp(created_at),
            "customer": None if email is None else {"email": email},
            "lineItems": {"nodes": by_order[order_id]},
        }
        for order_id, name, created_at, _, email in orders
    ]
    return orjson.dumps({"data": {"orders": {"nodes": nodes}}})


@asynccontextmanager
async def _postgres(url: str) -> AsyncIterator[Callable[[], Awaitable[Rows]]]:
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as connection:
        lines_sql = LINES_SQL.format(among="= ANY(%s)")

        async def rows() -> Rows:
            orders = await (await connection.execute(ORDERS_SQL)).fetchall()
            ids = [order[0] for order in orders]
            lines = await (await connection.execute(lines_sql, (ids,))).fetchall()
            return orders, lines

        yield rows


@asynccontextmanager
async def _sqlite(url: str) -> AsyncIterator[Callable[[], Awaitable[Rows]]]:
    path = make_url(url).database
    assert path is not None
    connection = sqlite3.connect(path, isolation_level=None)
    try:

        async def rows() -> Rows:
            orders = connection.execute(ORDERS_SQL).fetchall()
            ids = [order[0] for order in orders]
            among = f"IN ({', '.join('?' * len(ids))})"
            lines = connection.execute(LINES_SQL.format(among=among), ids).fetchall()
            return orders, lines

        yield rows
    finally:
        connection.close()


@asynccontextmanager
async def baseline_app(database: Database) -> AsyncIterator[Starlette]:
    """The same document answered by hand at ``/graphql`` (the body is parsed, not used)."""
    opened = _postgres if database.dialect == "postgresql" else _sqlite
    async with opened(database.url) as rows:

        async def orders(request: Request) -> Response:
            orjson.loads(await request.body())
            return Response(answer(await rows()), media_type="application/json")

        yield Starlette(routes=[Route("/graphql", orders, methods=["POST"])])


async def _checked(call: Call) -> tuple[Any, int | None]:
    reply = await call()
    body = orjson.loads(reply.body)
    if reply.status != 200 or "errors" in body:
        raise RuntimeError(f"S1 failed: {reply.status} {reply.body[:300]!r}")
    statements = reply.headers.get("x-sql-statements")
    return body, None if statements is None else int(statements)


async def run(
    app: Starlette, database: Database, settings: Settings, *, rounds: int, per_round: int
) -> tuple[Latency, str]:
    """Sequential latency (per_round / 4 requests a round: each answer has 2,300 fields),
    then the statement counts at other page sizes."""
    await data.empty(database)
    seeded = await order_data.seed_orders(
        database, orders=ORDERS, customers=CUSTOMERS, lines_per_order=LINES, skus=SKUS
    )
    await data.analyze(database)
    token = mint_token(settings, scopes=ADMIN_SCOPES)
    ours = graphql_call(app, document(), token)
    async with baseline_app(database) as plain:
        theirs = graphql_call(plain, document(), token)
        mine, expected = await _checked(ours), await _checked(theirs)
        nodes = mine[0]["data"]["orders"]["nodes"]
        # Only data: the API's answer also carries extensions.cost.
        if mine[0]["data"] != expected[0]["data"]:
            raise RuntimeError("S1: the hand-built answer differs from the API's")
        if len(nodes) != PAGE or any(len(n["lineItems"]["nodes"]) != LINES for n in nodes):
            raise RuntimeError(f"S1: expected {PAGE} orders x {LINES} lines")
        timed, base = await compare(ours, theirs, rounds=rounds, per_round=max(1, per_round // 4))
        # The access filter's price: a partner of the one seeded channel gets the same
        # answer through the filtered statements.
        partner_token = mint_token(settings, scopes=ADMIN_SCOPES, channels=[order_data.CHANNEL])
        partner = graphql_call(app, document(), partner_token)
        if (await _checked(partner))[0]["data"] != mine[0]["data"]:
            raise RuntimeError("S1: a partner of the only channel got another answer")
        as_partner, as_admin = await compare(
            partner, ours, rounds=rounds, per_round=max(1, per_round // 4)
        )
    counts = {
        size: (await _checked(graphql_call(app, document(size), token)))[1] for size in (1, 10, 250)
    }
    name = "psycopg" if database.dialect == "postgresql" else "sqlite3"
    latency = Latency(f"S1 orders(first:{PAGE}) x{LINES}", timed, base, f"{name} + orjson, 2 SQL")
    note = (
        f"S1: {seeded.orders:,} orders of {seeded.customers:,} customers, {seeded.lines:,} "
        f"lines; SQL statements per request at first:1/10/{PAGE}/250: "
        f"{counts[1]}/{counts[10]}/{timed.statements}/{counts[250]} "
        f"(PERFORMANCE.md: 1 + relation levels = {RELATION_LEVELS}); "
        "the baseline's JSON equals the API's; with a partner token (channels: "
        f"[{order_data.CHANNEL}]) p50 {as_partner.median * 1e3:.1f} ms vs "
        f"{as_admin.median * 1e3:.1f} ms as admin "
        f"({as_partner.median / as_admin.median:.2f}x, {as_partner.statements} statements)"
    )
    return latency, note
