"""Storefront availability: per SKU and location, nearest first, in at most two statements."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from asgi_lifespan import LifespanManager

from oms_graphql.app import create_app
from oms_graphql.db import Database
from oms_graphql.models import InventoryPolicy
from oms_graphql.settings import Settings
from tests.api import Api
from tests.factories import a_channel, a_location, an_item, stocked

pytestmark = pytest.mark.usefixtures("ledger_checked")

AVAILABILITY = """query($skus: [String!]!, $near: GeoPointInput, $quantity: Int, $channel: String) {
  availability(skus: $skus, near: $near, quantity: $quantity, channel: $channel) {
    sku known backorderable totalAvailable
    locations { location { id name address { city } pickupEnabled } available pickupAvailable
      distanceKm } } }"""
MILANO = {"latitude": 45.4642, "longitude": 9.19}


async def stores(database: Database) -> None:
    """Three Italian places stocking one tee, and one that must never show up."""
    tee = await an_item(database, sku="TEE")
    roma = await a_location(database, name="Roma", latitude=41.9, longitude=12.5, priority=9)
    milano = await a_location(
        database, name="Milano", latitude=45.46, longitude=9.19, priority=1, pickup_enabled=True
    )
    torino = await a_location(database, name="Torino", latitude=45.07, longitude=7.69)
    hidden = await a_location(database, name="Back office", fulfills_online_orders=False)
    for location, units in ((roma, 8), (milano, 2), (torino, 0), (hidden, 50)):
        await stocked(database, tee, location, units)


async def test_availability_per_location_nearest_first(api: Api, database: Database) -> None:
    await stores(database)
    result = await api.gql(
        AVAILABILITY, {"skus": ["TEE", "GHOST"], "near": MILANO}, token=api.token("storefront")
    )
    tee, ghost = result.ok()["availability"]
    assert (tee["sku"], tee["known"], tee["totalAvailable"]) == ("TEE", True, 10)
    assert [(p["location"]["name"], p["available"]) for p in tee["locations"]] == [
        ("Milano", 2),
        ("Torino", 0),
        ("Roma", 8),
    ]
    distances = [p["distanceKm"] for p in tee["locations"]]
    assert distances[0] == pytest.approx(0.3, abs=0.5)
    assert distances == sorted(distances)
    assert [p["pickupAvailable"] for p in tee["locations"]] == [True, False, False]
    assert ghost == {
        "sku": "GHOST",
        "known": False,
        "backorderable": False,
        "totalAvailable": 0,
        "locations": [],
    }
    assert result.statements <= 2


async def test_without_near_locations_come_by_priority(api: Api, database: Database) -> None:
    await stores(database)
    result = await api.gql(AVAILABILITY, {"skus": ["TEE"]}, token=api.token("storefront"))
    locations = result.ok()["availability"][0]["locations"]
    assert [p["location"]["name"] for p in locations] == ["Roma", "Milano", "Torino"]
    assert {p["distanceKm"] for p in locations} == {None}


async def test_quantity_keeps_only_locations_able_to_serve_it(api: Api, database: Database) -> None:
    await stores(database)
    result = await api.gql(
        AVAILABILITY, {"skus": ["TEE"], "quantity": 3}, token=api.token("storefront")
    )
    tee = result.ok()["availability"][0]
    assert [p["location"]["name"] for p in tee["locations"]] == ["Roma"]
    assert tee["totalAvailable"] == 10
    bad = await api.gql(AVAILABILITY, {"skus": ["TEE"], "quantity": 0})
    assert bad.error_codes == ["BAD_USER_INPUT"]


async def test_channel_limits_the_locations(api: Api, database: Database) -> None:
    await a_channel(database, handle="web")
    await a_channel(database, handle="pos")
    item = await an_item(database, sku="MUG")
    await stocked(database, item, await a_location(database, name="Shop", channels=["pos"]), 4)
    await stocked(database, item, await a_location(database, name="Everyone"), 1)
    result = await api.gql(AVAILABILITY, {"skus": ["MUG"], "channel": "web"})
    mug = result.ok()["availability"][0]
    assert [p["location"]["name"] for p in mug["locations"]] == ["Everyone"]
    assert mug["totalAvailable"] == 1
    unknown = await api.gql(AVAILABILITY, {"skus": ["MUG"], "channel": "nope"})
    assert unknown.error_codes == ["BAD_USER_INPUT"]


async def test_inactive_locations_and_backorders(api: Api, database: Database) -> None:
    item = await an_item(database, sku="PREORDER", policy=InventoryPolicy.CONTINUE)
    gone = await a_location(database, name="Closed")
    await stocked(database, item, gone, 5)
    await stocked(database, item, await a_location(database, name="Open"), 0)
    deactivated = await api.gql(
        "mutation($id: ID!) { locationDeactivate(id: $id) { userErrors { code } } }",
        {"id": f"gid://oms/Location/{gone.id}"},
    )
    assert deactivated.ok()["locationDeactivate"]["userErrors"] == []
    result = await api.gql(AVAILABILITY, {"skus": ["PREORDER"], "quantity": 5})
    entry = result.ok()["availability"][0]
    assert (entry["backorderable"], entry["totalAvailable"]) == (True, 0)
    assert [p["location"]["name"] for p in entry["locations"]] == ["Open"]


async def test_250_skus_cost_two_statements_and_more_are_refused(
    api: Api, database: Database
) -> None:
    locations = [await a_location(database) for _ in range(3)]
    skus = []
    for n in range(5):
        item = await an_item(database, sku=f"BULK-{n}")
        skus.append(item.sku)
        for location in locations:
            await stocked(database, item, location, n)
    asked = skus + [f"MISSING-{n}" for n in range(245)]
    result = await api.gql(AVAILABILITY, {"skus": asked}, token=api.token("storefront"))
    entries = result.ok()["availability"]
    assert len(entries) == 250
    assert [e["totalAvailable"] for e in entries[:5]] == [0, 3, 6, 9, 12]
    assert result.statements == 2
    too_many = await api.gql(AVAILABILITY, {"skus": [*asked, "ONE-MORE"]})
    assert too_many.error_codes == ["BAD_USER_INPUT"]
    assert too_many.statements == 0


async def test_a_storefront_token_reads_availability_and_nothing_else(
    api: Api, database: Database
) -> None:
    await stores(database)
    storefront = api.token("storefront")
    assert (await api.gql(AVAILABILITY, {"skus": ["TEE"]}, token=storefront)).ok()
    for document in (
        "{ inventoryItems { nodes { sku } } }",
        '{ inventoryLevel(id: "gid://oms/InventoryLevel/1") { id } }',
        "{ locations(first: 5) { nodes { inventoryLevels(first: 5) { nodes { id } } } } }",
        "{ customers { nodes { email } } }",
    ):
        assert (await api.gql(document, token=storefront)).error_codes == ["FORBIDDEN"], document
    probing = await api.gql(
        '{ availability(skus: ["TEE"]) { locations { location {'
        " inventoryLevels { nodes { id } } } } } }",
        token=storefront,
    )
    assert probing.error_codes == ["GRAPHQL_VALIDATION_FAILED"]


async def test_anonymous_availability_only_when_allowed(
    api: Api, database: Database, settings: Settings
) -> None:
    await stores(database)
    assert (await api.gql(AVAILABILITY, {"skus": ["TEE"]}, token=None)).error_codes == [
        "UNAUTHENTICATED"
    ]
    async with _client(dataclasses.replace(settings, allow_anonymous_storefront=True)) as open_api:
        result = await open_api.gql(AVAILABILITY, {"skus": ["TEE"]}, token=None)
        assert result.ok()["availability"][0]["totalAvailable"] == 10
        items = await open_api.gql("{ inventoryItems { nodes { sku } } }", token=None)
        assert items.error_codes == ["UNAUTHENTICATED"]


@asynccontextmanager
async def _client(settings: Settings) -> AsyncIterator[Api]:
    """A second application with other settings, on the same database."""
    application = create_app(settings)
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Api(client, settings)
