"""Run the benchmarks: ``python -m bench [--database-url URL] [--only S7,S2,...]``.

Scenarios (see ../shared/design/PERFORMANCE.md), each on an emptied, freshly seeded database
but S4, which needs none:
  S7           ``{__typename}`` through the whole app vs a plain Starlette JSON endpoint;
               the same with a bearer token to verify; a 2 KB document (fragments,
               aliases, no rows) vs the plain endpoint
  locations    ``locations(first:100)`` vs the same JSON built by hand (Core select + orjson)
  S1           the admin list: the newest 100 of 10,000 orders with customer and 10 lines
               each (admin token) vs the same JSON by hand (2 raw SQL statements + orjson:
               psycopg on PostgreSQL, sqlite3 on SQLite); statements at other page sizes
  S2           storefront ``availability`` of 50 SKUs across 100 locations (storefront
               token) vs ``{__typename}`` on the same server: latency of one client, then
               throughput of 32 concurrent clients
  S3           ``inventoryReserve`` of one hot SKU by 32 concurrent clients vs the bare
               conditional UPDATE loop (psycopg on PostgreSQL, aiosqlite on SQLite); then
               the same attempts at a quarter as many units, audited: oversells, negative
               quantities, ledger vs quantities, deadlocks and other errors; then
               ``orderCreate`` of one unit of one hot SKU the same way: throughput beside
               the same UPDATE loop, and an audited run at a quarter as many units
  S5           one order event (a new note, ``orderUpdate``) to 1,000 WebSocket subscribers
               of a server process: server CPU per message and time to the last subscriber, shared
               execution vs one execution per subscriber; then write throughput with no
               subscriber vs with every subscriber receiving (see bench/fanout.py)
  S4           a routing decision (``routing.decide``, a pure function) of 10 lines across
               100 and across 1,000 locations, beside its p99 target (there is no baseline),
               and the same decisions with only the RANKED rule for context; run alone
               (``--only S4``), no database is created

Options:
  --database-url URL  an empty PostgreSQL (``postgresql+psycopg://...``) or SQLite database;
                      it is migrated, and emptied again after the run (default: a temporary
                      SQLite file)
  --wipe              delete every row of a database given that is not empty (say, after an
                      interrupted run)
  --only S7,S2        the scenarios to run, by the names above (default: all)
  --rounds N          rounds of alternating ours/baseline batches (10)
  --per-round N       sequential requests per side per round (100; S1: N/4; S2: N/20)
  --s2-requests N     S2 availability requests under 32 clients (64; the floor gets 2,000)
  --attempts N        S3 reservations per side (2,000); the audited run makes N attempts at
                      N/4 units (``--attempts 10000`` is PERFORMANCE.md's check)
  --orders N          S3 orderCreate: N/2 attempts per side at ample stock, then N
                      attempts at N/4 units, audited (1,000: an order costs ~25 statements)
  --subscribers N     S5 subscribers (1,000)
  --events N          S5 events measured per side (20)
  --writes N          S5 orderUpdate calls per side of the write-throughput check (400)

The concurrent clients are tasks on one event loop calling the ASGI app in-process: the
throughput is that of one server process, with no HTTP in between.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from asgi_lifespan import LifespanManager
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench import availability, data, fanout, order_create, order_list, reservations, routing
from bench.harness import Call, Reply, asgi_call, compare, graphql_call
from bench.load import CLIENTS
from bench.report import Latency, Rate, latency_table, rate_table
from oms_graphql import migrate, models
from oms_graphql.app import create_app
from oms_graphql.auth import mint_token
from oms_graphql.db import Database
from oms_graphql.ids import encode_gid
from oms_graphql.settings import Settings

# Enough for any scenario's load at its restore rate: nothing a benchmark sends is throttled.
BENCH_COST_BUDGET = 10**12
SCENARIOS = ("S7", "locations", "S1", "S2", "S3", "S4", "S5")
PURE = frozenset({"S4"})
"""Scenarios that need no database."""
LOCATION_COUNT = 100
LOCATIONS_QUERY = """{ locations(first: 100) { nodes {
  id name kind isActive priority address { city countryCode latitude longitude } } } }"""


def two_kilobyte_document() -> str:
    fields = """id name kind isActive fulfillsOnlineOrders pickupEnabled priority
    dailyOrderCapacity createdAt updatedAt address { address1 address2 city province zip
    countryCode phone latitude longitude }"""
    fragments = (
        "fragment Page on LocationConnection {\n"
        "  edges { cursor node { ...Loc } }\n  nodes { ...Loc }\n"
        "  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n}\n"
        f"fragment Loc on Location {{ {fields} }}\n"
    )
    keys = ["ID", "NAME", "PRIORITY", "CREATED_AT"]
    aliases: list[str] = []
    while len("\n".join(aliases)) + len(fragments) < 2048:
        key = keys[len(aliases) % len(keys)]
        aliases.append(f"  page{len(aliases)}: locations(first: 0, sortKey: {key}) {{ ...Page }}")
    return "query Dashboard {\n" + "\n".join(aliases) + "\n}\n" + fragments


def baseline_app(database: Database) -> Starlette:
    """Plain Starlette: the floor for any JSON endpoint, and locations built by hand."""

    async def plain(request: Request) -> Response:
        orjson.loads(await request.body())
        return Response(
            orjson.dumps({"data": {"__typename": "Query"}}), media_type="application/json"
        )

    async def locations(request: Request) -> Response:
        orjson.loads(await request.body())
        loc = models.Location
        statement = (
            select(
                loc.id,
                loc.name,
                loc.kind,
                loc.is_active,
                loc.priority,
                loc.city,
                loc.country_code,
                loc.latitude,
                loc.longitude,
            )
            .order_by(loc.id)
            .limit(LOCATION_COUNT)
        )
        async with database.reading() as session:
            rows = (await session.execute(statement)).all()
        nodes = [
            {
                "id": encode_gid("Location", r.id),
                "name": r.name,
                "kind": r.kind.value,
                "isActive": r.is_active,
                "priority": r.priority,
                "address": {
                    "city": r.city,
                    "countryCode": r.country_code,
                    "latitude": r.latitude,
                    "longitude": r.longitude,
                },
            }
            for r in rows
        ]
        body = {"data": {"locations": {"nodes": nodes}}}
        return Response(orjson.dumps(body), media_type="application/json")

    return Starlette(
        routes=[
            Route("/plain", plain, methods=["POST"]),
            Route("/locations", locations, methods=["POST"]),
        ]
    )


def post(app: Starlette, path: str) -> Call:
    body = orjson.dumps({"query": "{ __typename }"})

    async def call() -> Reply:
        return await asgi_call(
            app, "POST", path, body=body, headers={"content-type": "application/json"}
        )

    return call


@dataclass(frozen=True, slots=True)
class Options:
    only: tuple[str, ...] = SCENARIOS
    rounds: int = 10
    per_round: int = 100
    s2_requests: int = 64
    attempts: int = 2000
    orders: int = 1000
    subscribers: int = 1000
    events: int = 20
    writes: int = 400
    wipe: bool = False


@dataclass
class Results:
    latencies: list[Latency] = field(default_factory=list)
    rates: list[Rate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


async def run_s7(
    app: Starlette, plain: Starlette, settings: Settings, options: Options
) -> list[Latency]:
    token = mint_token(settings, scopes=["read_locations"])
    document = two_kilobyte_document()
    scenarios = [
        ("S7 {__typename}", graphql_call(app, "{ __typename }", None)),
        ("S7 {__typename} + token", graphql_call(app, "{ __typename }", token)),
        (f"S7 {len(document) / 1024:.1f} KB document", graphql_call(app, document, token)),
    ]
    rows = []
    for name, ours in scenarios:
        mine, theirs = await compare(
            ours, post(plain, "/plain"), rounds=options.rounds, per_round=options.per_round
        )
        rows.append(Latency(name, mine, theirs, "plain Starlette JSON"))
    return rows


async def run_locations(
    app: Starlette, plain: Starlette, database: Database, settings: Settings, options: Options
) -> Latency:
    await data.seed_locations(database, LOCATION_COUNT)
    await data.analyze(database)
    token = mint_token(settings, scopes=["read_locations"])
    mine, theirs = await compare(
        graphql_call(app, LOCATIONS_QUERY, token),
        post(plain, "/locations"),
        rounds=options.rounds,
        per_round=options.per_round,
    )
    return Latency("locations(first:100)", mine, theirs, "Core select + orjson")


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def run_all(
    app: Starlette, database: Database, settings: Settings, options: Options
) -> Results:
    results = Results()
    plain = baseline_app(database)
    if "S7" in options.only:
        progress("S7: the per-request floor")
        await data.empty(database)
        results.latencies += await run_s7(app, plain, settings, options)
    if "locations" in options.only:
        progress("locations(first:100)")
        await data.empty(database)
        results.latencies.append(await run_locations(app, plain, database, settings, options))
    if "S1" in options.only:
        progress("S1: the admin list of orders")
        latency, note = await order_list.run(
            app, database, settings, rounds=options.rounds, per_round=options.per_round
        )
        results.latencies.append(latency)
        results.notes.append(note)
    if "S2" in options.only:
        progress("S2: storefront availability")
        latency, rate = await availability.run(
            app,
            database,
            settings,
            rounds=options.rounds,
            per_round=options.per_round,
            requests=options.s2_requests,
        )
        results.latencies.append(latency)
        results.rates.append(rate)
    if "S3" in options.only:
        progress("S3: hot-SKU reservations")
        rate, note = await reservations.run(app, database, settings, attempts=options.attempts)
        results.rates.append(rate)
        results.notes.append(note)
        progress("S3: hot-SKU orderCreate")
        rate, note = await order_create.run(app, database, settings, attempts=options.orders)
        results.rates.append(rate)
        results.notes.append(note)
    if "S5" in options.only:
        progress(f"S5: one event to {options.subscribers} subscribers (a server process)")
        await data.empty(database)
        results.notes.append(
            await fanout.run(
                database,
                settings,
                subscribers=options.subscribers,
                events=options.events,
                writes=options.writes,
            )
        )
    return results


async def run(database_url: str, options: Options) -> None:
    settings = Settings.from_env(
        {},
        database_url=database_url,
        jwt_secret="bench-secret-" + "x" * 32,
        sql_count_header=True,
        # Costs are still computed and charged (S7 measures that), but a load generator is
        # one caller sending a flood, and S1's page costs 2,402: neither may be refused.
        max_query_cost=BENCH_COST_BUDGET,
        cost_bucket_size=BENCH_COST_BUDGET,
    )
    migrate.upgrade(database_url)
    app = create_app(settings)
    database: Database = app.state.runtime.database
    filled = await data.tables_with_rows(database)
    if filled and not options.wipe:
        await database.dispose()
        raise SystemExit(
            f"the database has rows in {', '.join(filled)}; pass --wipe to delete them"
        )
    async with LifespanManager(app):
        results = await run_all(app, database, settings, options)
        await data.empty(database)
    print(
        f"database: {database.dialect}; {options.rounds} rounds x {options.per_round} "
        f"requests per side (S1: {max(1, options.per_round // 4)}, "
        f"S2 latency: {max(1, options.per_round // 20)} a round)\n"
    )
    if results.latencies:
        latency_table(results.latencies)
    if results.rates:
        print(f"\nunder load ({CLIENTS} concurrent clients, one process):\n")
        rate_table(results.rates)
    for note in results.notes:
        print(f"\n{note}")


def parse_options() -> tuple[str | None, Options]:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    defaults = Options()
    parser.add_argument("--database-url", help="an empty database (default: temp SQLite)")
    parser.add_argument("--wipe", action="store_true", help="empty a database that is not")
    parser.add_argument("--only", default=",".join(SCENARIOS), help="e.g. S2,S3")
    parser.add_argument("--rounds", type=int, default=defaults.rounds)
    parser.add_argument("--per-round", type=int, default=defaults.per_round)
    parser.add_argument("--s2-requests", type=int, default=defaults.s2_requests)
    parser.add_argument("--attempts", type=int, default=defaults.attempts)
    parser.add_argument("--orders", type=int, default=defaults.orders)
    parser.add_argument("--subscribers", type=int, default=defaults.subscribers)
    parser.add_argument("--events", type=int, default=defaults.events)
    parser.add_argument("--writes", type=int, default=defaults.writes)
    args = parser.parse_args()
    only = tuple(name.strip() for name in args.only.split(",") if name.strip())
    unknown = [name for name in only if name not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenarios {unknown}; choose among {', '.join(SCENARIOS)}")
    return args.database_url, Options(
        only,
        args.rounds,
        args.per_round,
        args.s2_requests,
        args.attempts,
        args.orders,
        args.subscribers,
        args.events,
        args.writes,
        args.wipe,
    )


def run_database(database_url: str | None, options: Options) -> None:
    if database_url:
        asyncio.run(run(database_url, options))
        return
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.sqlite3'}"
        asyncio.run(run(url, options))


def main() -> None:
    database_url, options = parse_options()
    if any(name not in PURE for name in options.only):
        run_database(database_url, options)
    if "S4" in options.only:
        rows = routing.run()
        if len(options.only) > 1:
            print()
        routing.table(rows)


if __name__ == "__main__":
    main()
