"""Run the benchmarks: ``python -m bench [--database-url URL] [--rounds N] [--per-round N]``.

Scenarios (see ../shared/design/PERFORMANCE.md):
  S7 floor     ``{__typename}`` through the whole app vs a plain Starlette JSON endpoint
  S7 token     the same with a bearer token to verify
  S7 2KB       a 2 KB document (fragments, aliases, no rows) vs the plain endpoint
  locations    ``locations(first:100)`` vs the same JSON built by hand (Core select + orjson)
  S2           storefront ``availability`` of 50 SKUs across 100 locations vs ``{__typename}``
               on the same server: latency, and throughput with 32 concurrent clients
  S3 reserve   ``inventoryReserve`` of one hot SKU by 32 concurrent clients vs the bare
               conditional UPDATE loop (psycopg or aiosqlite); then 2,000 attempts at 500
               units, counting oversells, negative quantities and ledger disagreements

``--attempts N`` sets the S2 throughput requests and the S3 attempts per side (2,000).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

import orjson
from asgi_lifespan import LifespanManager
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench import inventory
from bench.harness import Call, Reply, Samples, asgi_call, compare, graphql_call
from oms_graphql import migrate, models
from oms_graphql.addresses import AddressInput
from oms_graphql.app import create_app
from oms_graphql.auth import mint_token
from oms_graphql.db import Database
from oms_graphql.ids import encode_gid
from oms_graphql.locations.service import LocationFields, add_location
from oms_graphql.settings import Settings

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


async def seed(database: Database) -> None:
    async with database.transaction() as session:
        for i in range(LOCATION_COUNT):
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


def report(rows: list[tuple[str, Samples, Samples, str]]) -> None:
    header = (
        f"{'scenario':<28}{'ours p50':>10}{'ours p99':>10}{'base p50':>10}"
        f"{'base p99':>10}{'ratio':>8}{'SQL/op':>8}  baseline"
    )
    print(header)
    print("-" * len(header))
    for name, ours, base, baseline_name in rows:
        ratio = ours.median / base.median
        sql = "-" if ours.statements is None else str(ours.statements)
        print(
            f"{name:<28}{ours.median * 1e3:>8.3f}ms{ours.percentile(0.99) * 1e3:>8.3f}ms"
            f"{base.median * 1e3:>8.3f}ms{base.percentile(0.99) * 1e3:>8.3f}ms"
            f"{ratio:>7.1f}x{sql:>8}  {baseline_name}"
        )


def report_rates(rows: list[tuple[str, inventory.Throughput, inventory.Throughput, str]]) -> None:
    header = f"{'scenario':<28}{'ours/s':>10}{'base/s':>10}{'ratio':>8}{'failed':>8}  baseline"
    print(header)
    print("-" * len(header))
    for name, ours, base, baseline_name in rows:
        print(
            f"{name:<28}{ours.rate:>10.0f}{base.rate:>10.0f}{ours.rate / base.rate:>7.2f}x"
            f"{ours.failures:>8}  {baseline_name}"
        )


async def run_inventory(
    app: Starlette,
    database: Database,
    database_url: str,
    settings: Settings,
    *,
    rounds: int,
    per_round: int,
    attempts: int,
) -> None:
    skus = await inventory.seed_catalog(database)
    storefront = mint_token(settings, scopes=["storefront"])
    shop = graphql_call(app, inventory.availability_document(skus), storefront)
    floor = graphql_call(app, "{ __typename }", storefront)
    mine, theirs = await compare(shop, floor, rounds=rounds, per_round=per_round // 5 or 1)
    print()
    report([("S2 availability 50x100", mine, theirs, "{__typename}, same server")])
    rates = [
        (
            f"S2 availability, {inventory.CLIENTS} clients",
            await inventory.concurrently(inventory.succeeds(shop), attempts),
            await inventory.concurrently(inventory.succeeds(floor), attempts),
            "{__typename}, same server",
        )
    ]
    hot_level, location_id = await inventory.stock_one(database, "HOT", inventory.HOT_STOCK)
    raw_level, _ = await inventory.stock_one(database, "HOT-RAW", inventory.HOT_STOCK)
    reserver = mint_token(settings, scopes=["write_reservations"])
    hot = inventory.Reservations()
    rates.append(
        (
            f"S3 inventoryReserve, {inventory.CLIENTS} cl.",
            await inventory.concurrently(
                inventory.reserve_call(app, reserver, "HOT", location_id, hot), attempts
            ),
            await inventory.raw_update_loop(database_url, raw_level, attempts),
            "bare conditional UPDATE loop",
        )
    )
    print()
    report_rates(rates)
    scarce_level, _ = await inventory.stock_one(database, "SCARCE", inventory.SCARCE_STOCK)
    tally = inventory.Reservations()
    await inventory.concurrently(
        inventory.reserve_call(app, reserver, "SCARCE", location_id, tally), attempts
    )
    quantities, disagreeing = await inventory.ledger_check(database, scarce_level)
    _, hot_disagreeing = await inventory.ledger_check(database, hot_level)
    negative = [name for name, value in quantities.items() if value < 0]
    print(
        f"\nS3 correctness: {attempts} attempts at {inventory.SCARCE_STOCK} units from "
        f"{inventory.CLIENTS} clients: {tally.held} held, {tally.refused} INSUFFICIENT_STOCK, "
        f"{tally.errors + hot.errors} errors (deadlocks or 500s), "
        f"{max(0, tally.held - inventory.SCARCE_STOCK)} oversold, "
        f"negative quantities: {negative or 'none'}, "
        f"ledger disagreements: {(disagreeing + hot_disagreeing) or 'none'}"
    )


async def run(database_url: str, rounds: int, per_round: int, attempts: int = 2000) -> None:
    settings = Settings.from_env(
        {}, database_url=database_url, jwt_secret="bench-secret-" + "x" * 32, sql_count_header=True
    )
    migrate.upgrade(database_url)
    app = create_app(settings)
    database: Database = app.state.runtime.database
    await seed(database)
    plain = baseline_app(database)
    token = mint_token(settings, scopes=["read_locations"])
    document = two_kilobyte_document()
    scenarios: list[tuple[str, Call, Call, str]] = [
        (
            "S7 {__typename}",
            graphql_call(app, "{ __typename }", None),
            post(plain, "/plain"),
            "plain Starlette JSON",
        ),
        (
            "S7 {__typename} + token",
            graphql_call(app, "{ __typename }", token),
            post(plain, "/plain"),
            "plain Starlette JSON",
        ),
        (
            f"S7 {len(document) / 1024:.1f} KB document",
            graphql_call(app, document, token),
            post(plain, "/plain"),
            "plain Starlette JSON",
        ),
        (
            "locations(first:100)",
            graphql_call(app, LOCATIONS_QUERY, token),
            post(plain, "/locations"),
            "Core select + orjson",
        ),
    ]
    results = []
    async with LifespanManager(app):
        for name, ours, baseline, baseline_name in scenarios:
            mine, theirs = await compare(ours, baseline, rounds=rounds, per_round=per_round)
            results.append((name, mine, theirs, baseline_name))
        print(f"database: {database.dialect}; {rounds} rounds x {per_round} requests per side\n")
        report(results)
        await run_inventory(
            app,
            database,
            database_url,
            settings,
            rounds=rounds,
            per_round=per_round,
            attempts=attempts,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", help="an EMPTY database to use (default: temp SQLite)")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--per-round", type=int, default=100)
    parser.add_argument("--attempts", type=int, default=2000)
    args = parser.parse_args()
    if args.database_url:
        asyncio.run(run(args.database_url, args.rounds, args.per_round, args.attempts))
        return
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.sqlite3'}"
        asyncio.run(run(url, args.rounds, args.per_round, args.attempts))


if __name__ == "__main__":
    main()
