"""S2: storefront ``availability`` of 50 SKUs across 100 locations, by one client and by 32.

The baseline is ``{__typename}`` with the same storefront token on the same server: the
floor every request pays.
"""

from __future__ import annotations

import orjson
from starlette.applications import Starlette

from bench import data
from bench.harness import Call, compare, graphql_call
from bench.load import CLIENTS, Statements, alternate, graphql_attempt
from bench.report import Latency, Rate
from oms_graphql.auth import mint_token
from oms_graphql.db import Database
from oms_graphql.settings import Settings

LOCATIONS = 100
SKUS = 50
FLOOR_REQUESTS = 2000
ROUNDS = 2
BASELINE = "{__typename}, same server"


def document(skus: list[str]) -> str:
    listed = ", ".join(orjson.dumps(sku).decode() for sku in skus)
    return (
        f"{{ availability(skus: [{listed}], near: {{latitude: 45.4, longitude: 9.2}}) {{ sku "
        "totalAvailable locations { location { id name address { city countryCode } } "
        "available pickupAvailable distanceKm } } }"
    )


async def prepare(database: Database) -> list[str]:
    await data.empty(database)
    await data.seed_locations(database, LOCATIONS)
    skus = await data.seed_catalog(database, SKUS)
    await data.analyze(database)
    return skus


async def check_answer(call: Call) -> None:
    """Every SKU listed at every location: otherwise the seed, not the API, is measured."""
    reply = await call()
    answer = orjson.loads(reply.body)
    if reply.status != 200 or "errors" in answer:
        raise RuntimeError(f"availability failed: {reply.status} {reply.body[:300]!r}")
    places = [len(entry["locations"]) for entry in answer["data"]["availability"]]
    if places != [LOCATIONS] * SKUS:
        raise RuntimeError(f"expected {SKUS} SKUs x {LOCATIONS} locations, got {places}")


async def run(
    app: Starlette,
    database: Database,
    settings: Settings,
    *,
    rounds: int,
    per_round: int,
    requests: int,
) -> tuple[Latency, Rate]:
    """Sequential latency (per_round / 20 requests a round: each answer has 45,000 fields),
    then throughput: ``requests`` availability calls and FLOOR_REQUESTS floor calls."""
    skus = await prepare(database)
    token = mint_token(settings, scopes=["storefront"])
    shop = graphql_call(app, document(skus), token)
    floor = graphql_call(app, "{ __typename }", token)
    await check_answer(shop)
    mine, theirs = await compare(shop, floor, rounds=rounds, per_round=max(1, per_round // 20))
    statements = Statements()
    busy, idle = await alternate(
        graphql_attempt(shop, statements),
        requests,
        graphql_attempt(floor, Statements()),
        FLOOR_REQUESTS,
        rounds=ROUNDS,
    )
    return (
        Latency(f"S2 availability {SKUS}x{LOCATIONS}", mine, theirs, BASELINE),
        Rate(f"S2 availability, {CLIENTS} clients", busy, idle, statements, BASELINE),
    )
