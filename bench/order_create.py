"""S3, the order half: ``orderCreate`` of one unit of one hot SKU by 32 clients, each a
customer of its own shipping to Italy, beside the bare conditional UPDATE loop of the
reservation half (``reservations.bare_updates``); then a run at scarce stock, audited.

Unexpected errors reach clients masked ("Internal server error."); their causes (deadlock,
lock timeout...) are read from the app's error log while the runs last.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import orjson
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette

from bench import data, order_data, reservations
from bench.harness import asgi_call
from bench.load import CLIENTS, Attempt, Statements, Throughput, alternate, concurrently
from bench.report import Rate
from oms_graphql.auth import mint_token
from oms_graphql.auth.scopes import ADMIN_SCOPES
from oms_graphql.db import Database
from oms_graphql.inventory.items import Money
from oms_graphql.settings import Settings

HOT_STOCK = 1_000_000
ROUNDS = 2
PRICE = Money(Decimal("19.90"), order_data.CURRENCY)
CREATE = """mutation($input: OrderCreateInput!) { orderCreate(input: $input) {
  order { id } userErrors { code } } }"""


@dataclass
class Tally:
    """What the orderCreate attempts got back."""

    placed: int = 0
    refused: int = 0
    """INSUFFICIENT_STOCK"""
    other_codes: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    """Top-level GraphQL errors and non-200 replies by message."""
    placed_statements: Statements = field(default_factory=Statements)
    refused_statements: Statements = field(default_factory=Statements)

    def summary(self) -> str:
        others = ", ".join(f"{code} x{n}" for code, n in self.other_codes.items()) or "none"
        errors = "; ".join(f"{m!r} x{n}" for m, n in self.errors.most_common(3)) or "none"
        return (
            f"{self.placed} placed, {self.refused} INSUFFICIENT_STOCK, other user errors: "
            f"{others}, errors: {sum(self.errors.values())} [{errors}]; SQL statements per "
            f"orderCreate placed {self.placed_statements}, refused {self.refused_statements}"
        )


class Causes(logging.Handler):
    """The exceptions behind masked errors, as the app logs them, by kind."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        if error is None:
            self.seen[record.getMessage()] += 1
            return
        wrapped = isinstance(error, DBAPIError)
        cause = error.orig if isinstance(error, DBAPIError) else error
        sqlstate = getattr(cause, "sqlstate", None) or ""
        message = (str(cause).splitlines() or [""])[0]
        kind = f"{type(cause).__module__}.{type(cause).__name__} {sqlstate} {message!r}"
        self.seen[kind + ("" if wrapped else " (not wrapped by SQLAlchemy)")] += 1

    @property
    def deadlocks(self) -> int:
        return sum(n for kind, n in self.seen.items() if "40P01" in kind or "deadlock" in kind)


@contextmanager
def watching_errors() -> Iterator[Causes]:
    logger = logging.getLogger("oms_graphql.errors")
    causes = Causes()
    logger.addHandler(causes)
    try:
        yield causes
    finally:
        logger.removeHandler(causes)


def order_attempt(app: Starlette, token: str, sku: str, tally: Tally) -> Attempt:
    """Client ``n`` orders one unit as customer ``n``; False on a top-level error."""
    bodies = [
        orjson.dumps(
            {
                "query": CREATE,
                "variables": {
                    "input": {
                        "channel": order_data.CHANNEL,
                        "lineItems": [{"sku": sku, "quantity": 1}],
                        "customer": {
                            "email": f"client-{client:02}@example.com",
                            "firstName": "Bench",
                            "lastName": f"Client {client}",
                        },
                        "shippingAddress": {
                            "address1": f"Via Bench {client}",
                            "city": "Milano",
                            "zip": "20121",
                            "countryCode": "IT",
                        },
                    }
                },
            }
        )
        for client in range(CLIENTS)
    ]
    headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}

    async def attempt(client: int) -> bool:
        reply = await asgi_call(app, "POST", "/graphql", body=bodies[client], headers=headers)
        try:
            answer = orjson.loads(reply.body)
        except orjson.JSONDecodeError:
            answer = {"errors": [{"message": f"HTTP {reply.status} {reply.body[:80]!r}"}]}
        if reply.status != 200 or answer.get("errors"):
            tally.errors[answer.get("errors", [{}])[0].get("message", str(reply.status))] += 1
            return False
        payload = answer["data"]["orderCreate"]
        if payload["order"]:
            tally.placed += 1
            tally.placed_statements.note(reply)
        codes = [error["code"] for error in payload["userErrors"]]
        if "INSUFFICIENT_STOCK" in codes:
            tally.refused += 1
            tally.refused_statements.note(reply)
        tally.other_codes.update(code for code in codes if code != "INSUFFICIENT_STOCK")
        return True

    return attempt


@dataclass(frozen=True, slots=True)
class LevelAudit:
    """One level against the orders that took its stock."""

    on_hand: int
    committed: int
    orders: int
    """orders with a line of the level's SKU"""
    units: int
    """units ordered on those lines"""
    remaining: int
    """units the level's fulfillment order lines still hold"""


async def audit_level(database: Database, level_id: int, sku: str) -> LevelAudit:
    async with database.reading() as session:
        level = (
            await session.execute(
                text("SELECT on_hand, committed FROM inventory_levels WHERE id = :id"),
                {"id": level_id},
            )
        ).one()
        orders, units = (
            await session.execute(
                text(
                    "SELECT count(DISTINCT order_id), coalesce(sum(current_quantity), 0) "
                    "FROM order_lines WHERE sku = :sku"
                ),
                {"sku": sku},
            )
        ).one()
        remaining = await session.scalar(
            text(
                "SELECT coalesce(sum(remaining_quantity), 0) FROM fulfillment_order_lines "
                "WHERE level_id = :id"
            ),
            {"id": level_id},
        )
    return LevelAudit(level[0], level[1], int(orders), int(units), int(remaining or 0))


def _problems(tally: Tally, found: LevelAudit, *, stock: int) -> list[str]:
    problems = []
    if found.committed > found.on_hand or tally.placed > stock:
        problems.append(
            f"oversold: {tally.placed} placed, {found.committed} committed of {found.on_hand}"
        )
    if not tally.placed == found.orders == found.units == found.committed == found.remaining:
        problems.append(
            f"{tally.placed} placed, but {found.orders} orders of {found.units} units, "
            f"{found.committed} committed, {found.remaining} held by fulfillment orders"
        )
    if tally.errors:
        problems.append(f"{sum(tally.errors.values())} errors")
    return problems


async def run(
    app: Starlette, database: Database, settings: Settings, *, attempts: int
) -> tuple[Rate, str]:
    """The rate row at ample stock (attempts/2 a side: an order costs more than a hold),
    and the correctness report: ``attempts`` at attempts/4 units."""
    await data.empty(database)
    (location,) = await data.seed_locations(database, 1)
    await order_data.seed_channel(database)
    hot = await data.stock_one(database, "HOT-ORDER", location, HOT_STOCK, price=PRICE)
    bare = await data.stock_one(database, "HOT-RAW", location, HOT_STOCK)
    await data.analyze(database)
    token = mint_token(settings, scopes=ADMIN_SCOPES)
    busy, checked = Tally(), Tally()
    with watching_errors() as causes:
        async with reservations.bare_updates(database.url, bare) as baseline:
            mine, theirs = await alternate(
                order_attempt(app, token, "HOT-ORDER", busy),
                max(1, attempts // 2),
                baseline,
                max(1, attempts // 2),
                rounds=ROUNDS,
            )
        stock = attempts // 4
        scarce = await data.stock_one(database, "SCARCE-ORDER", location, stock, price=PRICE)
        scarce_run = Throughput()
        await concurrently(order_attempt(app, token, "SCARCE-ORDER", checked), attempts, scarce_run)
    rate = Rate(
        f"S3 orderCreate, {CLIENTS} cl.",
        mine,
        theirs,
        busy.placed_statements,
        "bare conditional UPDATE loop",
    )
    hot_found = await audit_level(database, hot, "HOT-ORDER")
    found = await audit_level(database, scarce, "SCARCE-ORDER")
    ledger = await reservations.audit(database, scarce, unledgered=bare)
    problems = [
        *(f"hot run: {p}" for p in _problems(busy, hot_found, stock=HOT_STOCK)),
        *(f"scarce run: {p}" for p in _problems(checked, found, stock=stock)),
        *ledger.negative,
        *ledger.disagreements[:5],
    ]
    causes_seen = "; ".join(f"{kind} x{n}" for kind, n in causes.seen.most_common(5)) or "none"
    note = "\n".join(
        [
            f"S3 orderCreate correctness: {'FAILED' if problems else 'OK'}",
            f"  hot run ({mine.done} attempts at {HOT_STOCK:,} units): {busy.summary()}",
            f"  scarce run ({attempts} attempts at {stock} units, {CLIENTS} clients, "
            f"{scarce_run.rate:.1f} attempts/s): {checked.summary()}",
            f"  scarce level: {found.on_hand} on hand, {found.committed} committed; "
            f"{found.orders} orders of {found.units} units; fulfillment orders hold "
            f"{found.remaining}",
            f"  oversold: {max(0, checked.placed - stock, found.committed - found.on_hand)}; "
            f"negative quantities: {ledger.negative or 'none'}; ledger vs quantities on "
            f"{ledger.levels} levels: {ledger.disagreements[:5] or 'agree'}",
            f"  deadlocks: {causes.deadlocks}; causes of masked errors: {causes_seen}",
            *(f"  problem: {p}" for p in problems),
        ]
    )
    return rate, note
