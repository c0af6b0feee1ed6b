"""Reservations: holds pinned to a location, expiry, and no overselling under concurrency."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text

from oms_graphql.db import Database, utcnow
from oms_graphql.ids import encode_gid
from oms_graphql.inventory.sweeper import sweep_once
from tests.api import Api
from tests.factories import a_channel, a_location, an_item, count_rows, quantities, row, stocked

pytestmark = pytest.mark.usefixtures("ledger_checked")

RESERVE = """mutation($input: InventoryReserveInput!, $key: String) {
  inventoryReserve(input: $input, idempotencyKey: $key) {
    reservation { id status expiresAt location { name } lineItems { sku quantity } }
    userErrors { field message code } } }"""
RELEASE = """mutation($id: ID!) { reservationRelease(id: $id) {
  reservation { status } userErrors { field message code } } }"""
EXTEND = """mutation($id: ID!, $seconds: Int!) {
  reservationExtend(id: $id, expiresInSeconds: $seconds) {
  reservation { status expiresAt } userErrors { field message code } } }"""


def hold(*lines: tuple[str, int], **extra: Any) -> dict[str, Any]:
    return {"input": {"lineItems": [{"sku": s, "quantity": q} for s, q in lines], **extra}}


async def reserve(
    api: Api, *lines: tuple[str, int], token: str | None = None, **extra: Any
) -> dict[str, Any]:
    result = await api.gql(
        RESERVE, hold(*lines, **extra), token=token or api.token("write_reservations")
    )
    return result.ok()["inventoryReserve"]  # type: ignore[no-any-return]


def expire_now(engine: Engine, reservation_gid: str) -> None:
    """Move a reservation's expiry into the past, as time passing would."""
    pk = int(reservation_gid.rsplit("/", 1)[1])
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE reservations SET expires_at = :at WHERE id = :id"),
            {
                "at": (utcnow() - timedelta(seconds=1)).replace(tzinfo=None)
                if engine.dialect.name == "sqlite"
                else utcnow() - timedelta(seconds=1),
                "id": pk,
            },
        )


async def test_a_reservation_holds_stock_at_the_best_location(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    item = await an_item(database, sku="TEE")
    low = await a_location(database, name="Low priority", priority=1)
    high = await a_location(database, name="High priority", priority=9)
    empty = await a_location(database, name="Highest but short", priority=20)
    closed = await a_location(
        database, name="Not online", priority=30, fulfills_online_orders=False
    )
    for location, units in ((low, 5), (high, 5), (empty, 1), (closed, 50)):
        await stocked(database, item, location, units)
    payload = await reserve(api, ("TEE", 2), ("TEE", 1))
    reservation = payload["reservation"]
    assert payload["userErrors"] == []
    assert reservation["status"] == "ACTIVE"
    assert reservation["location"]["name"] == "High priority"
    assert reservation["lineItems"] == [{"sku": "TEE", "quantity": 3}]
    level = await _level_id(sync_engine, item.id, high.id)
    assert quantities(sync_engine, level)["reserved"] == 3
    assert quantities(sync_engine, level)["available"] == 2


async def _level_id(engine: Engine, item_id: int, location_id: int) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                text("SELECT id FROM inventory_levels WHERE item_id = :i AND location_id = :l"),
                {"i": item_id, "l": location_id},
            ).scalar_one()
        )


async def test_a_reservation_needs_every_line_at_one_location(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shirt = await an_item(database, sku="SHIRT")
    mug = await an_item(database, sku="MUG")
    first = await a_location(database, name="Shirts", priority=5)
    second = await a_location(database, name="Both", priority=1)
    await stocked(database, shirt, first, 10)
    await stocked(database, shirt, second, 1)
    await stocked(database, mug, second, 1)
    payload = await reserve(api, ("SHIRT", 1), ("MUG", 1))
    assert payload["reservation"]["location"]["name"] == "Both"
    refused = await reserve(api, ("SHIRT", 1), ("MUG", 1))
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        (["input", "lineItems", "0", "quantity"], "INSUFFICIENT_STOCK"),
        (["input", "lineItems", "1", "quantity"], "INSUFFICIENT_STOCK"),
    ]
    assert count_rows(sync_engine, "reservations") == 1


async def test_a_reservation_at_a_given_location_or_channel(api: Api, database: Database) -> None:
    item = await an_item(database, sku="CAP")
    web = await a_channel(database, handle="web")
    await a_channel(database, handle="pos")
    store = await a_location(database, name="POS store", priority=10, channels=["pos"])
    warehouse = await a_location(database, name="Web warehouse", priority=1, channels=["web"])
    await stocked(database, item, store, 3)
    await stocked(database, item, warehouse, 3)
    assert web.handle == "web"
    by_channel = await reserve(api, ("CAP", 1), channel="web")
    assert by_channel["reservation"]["location"]["name"] == "Web warehouse"
    pinned = await reserve(api, ("CAP", 3), locationId=encode_gid("Location", store.id))
    assert pinned["reservation"]["location"]["name"] == "POS store"
    short = await reserve(api, ("CAP", 1), locationId=encode_gid("Location", store.id))
    assert [(e["field"], e["code"]) for e in short["userErrors"]] == [
        (["input", "lineItems", "0", "quantity"], "INSUFFICIENT_STOCK")
    ]
    unknown = await reserve(api, ("CAP", 1), channel="nope")
    assert [e["code"] for e in unknown["userErrors"]] == ["CHANNEL_NOT_FOUND"]


@pytest.mark.parametrize(
    ("lines", "extra", "field", "code"),
    [
        ([("NOPE", 1)], {}, ["input", "lineItems", "0", "sku"], "NOT_FOUND"),
        ([("BAG", 0)], {}, ["input", "lineItems", "0", "quantity"], "INVALID_QUANTITY"),
        ([("BAG", -2)], {}, ["input", "lineItems", "0", "quantity"], "INVALID_QUANTITY"),
        ([], {}, ["input", "lineItems"], "BLANK"),
        ([("BAG", 1)], {"expiresInSeconds": 0}, ["input", "expiresInSeconds"], "OUT_OF_RANGE"),
        (
            [("BAG", 1)],
            {"locationId": "gid://oms/Location/999"},
            ["input", "locationId"],
            "NOT_FOUND",
        ),
    ],
)
async def test_bad_reservations_are_refused_and_change_nothing(
    api: Api,
    database: Database,
    sync_engine: Engine,
    lines: list[tuple[str, int]],
    extra: dict[str, Any],
    field: list[str],
    code: str,
) -> None:
    item = await an_item(database, sku="BAG")
    level = await stocked(database, item, await a_location(database), 4)
    before = (
        quantities(sync_engine, level.id),
        count_rows(sync_engine, "inventory_changes"),
        count_rows(sync_engine, "events"),
    )
    payload = await reserve(api, *lines, **extra)
    assert payload["reservation"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    after = (
        quantities(sync_engine, level.id),
        count_rows(sync_engine, "inventory_changes"),
        count_rows(sync_engine, "events"),
    )
    assert after == before
    assert count_rows(sync_engine, "reservations") == 0


async def test_release_and_extend(api: Api, database: Database, sync_engine: Engine) -> None:
    item = await an_item(database, sku="HAT")
    level = await stocked(database, item, await a_location(database), 4)
    reservation = (await reserve(api, ("HAT", 3)))["reservation"]
    extended = (await api.gql(EXTEND, {"id": reservation["id"], "seconds": 3600})).ok()[
        "reservationExtend"
    ]
    assert extended["reservation"]["expiresAt"] > reservation["expiresAt"]
    released = (await api.gql(RELEASE, {"id": reservation["id"]})).ok()["reservationRelease"]
    assert released["reservation"]["status"] == "RELEASED"
    assert quantities(sync_engine, level.id)["available"] == 4
    again = (await api.gql(RELEASE, {"id": reservation["id"]})).ok()["reservationRelease"]
    assert [e["code"] for e in again["userErrors"]] == ["NOT_ACTIVE"]
    late = (await api.gql(EXTEND, {"id": reservation["id"], "seconds": 60})).ok()[
        "reservationExtend"
    ]
    assert [e["code"] for e in late["userErrors"]] == ["NOT_ACTIVE"]
    assert quantities(sync_engine, level.id)["reserved"] == 0


async def test_an_expired_reservation_no_longer_reduces_available(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    item = await an_item(database, sku="SOCK")
    level = await stocked(database, item, await a_location(database), 2)
    reservation = (await reserve(api, ("SOCK", 2)))["reservation"]
    assert (await reserve(api, ("SOCK", 1)))["userErrors"][0]["code"] == "INSUFFICIENT_STOCK"
    expire_now(sync_engine, reservation["id"])
    shown = await api.gql(
        """query($id: ID!, $level: ID!) { reservation(id: $id) { status }
          inventoryLevel(id: $level) { quantities(names: ["available", "reserved"]) { quantity } }
          availability(skus: ["SOCK"]) { totalAvailable } }""",
        {"id": reservation["id"], "level": encode_gid("InventoryLevel", level.id)},
    )
    data = shown.ok()
    assert data["reservation"]["status"] == "EXPIRED"
    assert [q["quantity"] for q in data["inventoryLevel"]["quantities"]] == [2, 0]
    assert data["availability"][0]["totalAvailable"] == 2
    # Before taking stock, the same transaction returns the expired hold's units.
    taken = await reserve(api, ("SOCK", 2))
    assert taken["userErrors"] == []
    assert row(sync_engine, "reservations", 1)["status"] == "EXPIRED"
    assert quantities(sync_engine, level.id)["reserved"] == 2


async def test_the_sweeper_returns_expired_units_once(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    item = await an_item(database, sku="SCARF")
    level = await stocked(database, item, await a_location(database), 5)
    ids = [(await reserve(api, ("SCARF", 1)))["reservation"]["id"] for _ in range(3)]
    for reservation_id in ids[:2]:
        expire_now(sync_engine, reservation_id)
    assert await sweep_once(database) == 2
    assert await sweep_once(database) == 0
    assert quantities(sync_engine, level.id)["reserved"] == 1
    statuses = [row(sync_engine, "reservations", pk)["status"] for pk in (1, 2, 3)]
    assert statuses == ["EXPIRED", "EXPIRED", "ACTIVE"]


async def test_idempotent_reservations_hold_once(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    item = await an_item(database, sku="KEY")
    level = await stocked(database, item, await a_location(database), 5)
    token = api.token("write_reservations")
    first = (await api.gql(RESERVE, {**hold(("KEY", 2)), "key": "cart-1"}, token=token)).ok()
    second = (await api.gql(RESERVE, {**hold(("KEY", 2)), "key": "cart-1"}, token=token)).ok()
    assert first == second
    assert quantities(sync_engine, level.id)["reserved"] == 2


async def test_fifty_concurrent_reservations_never_oversell(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    item = await an_item(database, sku="LAST-TEN")
    level = await stocked(database, item, await a_location(database), 10)
    token = api.token("write_reservations")
    results = await asyncio.gather(
        *(api.gql(RESERVE, hold(("LAST-TEN", 1)), token=token) for _ in range(50))
    )
    assert [r.errors for r in results if r.errors] == []
    payloads = [r.data["inventoryReserve"] for r in results]
    held = [p for p in payloads if p["reservation"] is not None]
    refused = [e["code"] for p in payloads for e in p["userErrors"]]
    assert len(held) == 10
    assert refused == ["INSUFFICIENT_STOCK"] * 40
    assert quantities(sync_engine, level.id)["available"] == 0
    assert count_rows(sync_engine, "reservations") == 10


async def test_concurrent_adjustments_never_go_negative(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    item = await an_item(database, sku="SHRINK")
    location = await a_location(database)
    level = await stocked(database, item, location, 10)
    change = {
        "inventoryItemId": encode_gid("InventoryItem", item.id),
        "locationId": encode_gid("Location", location.id),
        "delta": -1,
    }
    document = """mutation($input: InventoryAdjustQuantitiesInput!) {
      inventoryAdjustQuantities(input: $input) {
      inventoryAdjustmentGroup { id } userErrors { code } } }"""
    results = await asyncio.gather(
        *(
            api.gql(
                document,
                {"input": {"name": "available", "reason": "SHRINKAGE", "changes": [change]}},
            )
            for _ in range(30)
        )
    )
    codes = [e["code"] for r in results for e in r.ok()["inventoryAdjustQuantities"]["userErrors"]]
    assert codes == ["INSUFFICIENT_STOCK"] * 20
    assert quantities(sync_engine, level.id)["on_hand"] == 0


async def test_multi_line_reservations_in_opposite_orders_do_not_deadlock(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    location = await a_location(database)
    for sku in ("LEFT", "RIGHT"):
        await stocked(database, await an_item(database, sku=sku), location, 20)
    token = api.token("write_reservations")
    orders = [(("LEFT", 1), ("RIGHT", 1)), (("RIGHT", 1), ("LEFT", 1))] * 10
    results = await asyncio.gather(
        *(api.gql(RESERVE, hold(*lines), token=token) for lines in orders)
    )
    assert [r.errors for r in results if r.errors] == []
    assert [
        r.data["inventoryReserve"]["userErrors"]
        for r in results
        if r.data["inventoryReserve"]["userErrors"]
    ] == []
    assert (
        count_rows(sync_engine, "reservations") == 15
        or count_rows(sync_engine, "reservations") == 20
    )
