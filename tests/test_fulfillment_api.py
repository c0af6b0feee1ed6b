"""Fulfillment operations through the API: shipping whole or partial, tracking and
delivery events, cancelling a shipment, holds and schedules, and the fulfillment order
list; stock and the order's fulfillment status after every step, and refusals that change
nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text

from oms_graphql.db import Database
from oms_graphql.fulfillment.schedule import open_due
from oms_graphql.models import LocationKind
from tests.api import Api
from tests.factories import a_channel, a_location, an_item, quantities, stocked
from tests.orders_support import a_shop, create_order, table_counts

pytestmark = pytest.mark.usefixtures("ledger_checked")

FO_FIELDS = """id status version supportedActions fulfillAt
  fulfillmentHolds { reason reasonNotes }
  assignedLocation { name }
  lineItems(first: 10) { nodes { id sku totalQuantity remainingQuantity } }"""
ORDER = (
    "query($id: ID!) { order(id: $id) { id name version displayFulfillmentStatus "
    "lineItems(first: 10) { nodes { sku fulfilledQuantity unfulfilledQuantity } } "
    "fulfillmentOrders(first: 10) { nodes { " + FO_FIELDS + " } } "
    "fulfillments { id name status displayStatus deliveredAt trackingInfo { company number url }"
    " location { name } fulfillmentLineItems { quantity lineItem { sku } } "
    "events { status happenedAt message } } } }"
)
FULFILL = """mutation($input: FulfillmentInput!, $key: String) {
  fulfillmentCreate(fulfillment: $input, idempotencyKey: $key) {
    fulfillment { id name status trackingInfo { company number url }
      fulfillmentLineItems { id quantity lineItem { sku } } }
    userErrors { field message code } } }"""
CANCEL = """mutation($id: ID!) { fulfillmentCancel(id: $id) {
  fulfillment { id status } userErrors { field message code } } }"""
HOLD = (
    """mutation($id: ID!, $reason: FulfillmentHoldReason!, $notes: String) {
  fulfillmentOrderHold(id: $id, fulfillmentHold: {reason: $reason, reasonNotes: $notes}) {
    fulfillmentOrder { """
    + FO_FIELDS
    + """ } fulfillmentHold { reason reasonNotes }
    userErrors { field message code } } }"""
)
RELEASE = (
    """mutation($id: ID!) { fulfillmentOrderReleaseHold(id: $id) {
  fulfillmentOrder { """
    + FO_FIELDS
    + """ } userErrors { field message code } } }"""
)
RESCHEDULE = (
    """mutation($id: ID!, $at: DateTime!) {
  fulfillmentOrderReschedule(id: $id, fulfillAt: $at) {
    fulfillmentOrder { """
    + FO_FIELDS
    + """ } userErrors { field message code } } }"""
)
TRACKING = """mutation($id: ID!, $tracking: FulfillmentTrackingInput!) {
  fulfillmentTrackingInfoUpdate(fulfillmentId: $id, trackingInfoInput: $tracking) {
    fulfillment { trackingInfo { company number url } } userErrors { field message code } } }"""
EVENT = """mutation($event: FulfillmentEventInput!) {
  fulfillmentEventCreate(fulfillmentEvent: $event) {
    fulfillmentEvent { status happenedAt message } userErrors { field message code } } }"""
LIST = """query($query: String, $closed: Boolean) {
  fulfillmentOrders(first: 50, query: $query, includeClosed: $closed) {
    nodes { id status assignedLocation { name } order { name }
      lineItems(first: 5) { nodes { sku } } } } }"""


async def read_order(api: Api, order_id: str) -> dict[str, Any]:
    return (await api.gql(ORDER, {"id": order_id})).ok()["order"]  # type: ignore[no-any-return]


def work(fo: dict[str, Any], *lines: tuple[int, int]) -> dict[str, Any]:
    """What to ship of a fulfillment order: (line index, quantity) pairs, or everything."""
    entry: dict[str, Any] = {"fulfillmentOrderId": fo["id"]}
    if lines:
        nodes = fo["lineItems"]["nodes"]
        entry["fulfillmentOrderLineItems"] = [
            {"id": nodes[index]["id"], "quantity": quantity} for index, quantity in lines
        ]
    return entry


async def ship(api: Api, *works: dict[str, Any], **extra: Any) -> dict[str, Any]:
    result = await api.gql(
        FULFILL, {"input": {"lineItemsByFulfillmentOrder": list(works), **extra}}
    )
    payload = result.ok()["fulfillmentCreate"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload["fulfillment"]  # type: ignore[no-any-return]


async def placed(api: Api, *lines: tuple[str, int]) -> dict[str, Any]:
    order = await create_order(api, *lines)
    return await read_order(api, order["id"])


# shipping


async def test_shipping_everything_closes_the_work_and_fulfils_the_order(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    order = await placed(api, ("TEE", 2), ("MUG", 1))
    (fo,) = order["fulfillmentOrders"]["nodes"]
    assert fo["supportedActions"] == [
        "CREATE_FULFILLMENT",
        "HOLD",
        "RESCHEDULE",
        "MOVE",
        "SPLIT",
        "MERGE",
        "CANCEL_FULFILLMENT_ORDER",
    ]
    tee = shop.levels[("TEE", "Milano")]
    assert quantities(sync_engine, tee)["committed"] == 2

    fulfillment = await ship(
        api,
        work(fo),
        trackingInfo={"company": "BRT", "number": "123", "url": "https://brt.it/t/123"},
    )

    assert fulfillment["name"] == order["name"] + "-F1"
    shipped_line = fulfillment["fulfillmentLineItems"][0]
    node = await api.gql(
        "query($id: ID!) { node(id: $id) { ... on FulfillmentLineItem { quantity } } }",
        {"id": shipped_line["id"]},
    )
    assert node.ok()["node"] == {"quantity": shipped_line["quantity"]}
    assert fulfillment["status"] == "SUCCESS"
    assert fulfillment["trackingInfo"] == [
        {"company": "BRT", "number": "123", "url": "https://brt.it/t/123"}
    ]
    assert sorted(
        (line["lineItem"]["sku"], line["quantity"]) for line in fulfillment["fulfillmentLineItems"]
    ) == [("MUG", 1), ("TEE", 2)]
    after = await read_order(api, order["id"])
    assert after["displayFulfillmentStatus"] == "FULFILLED"
    assert after["version"] > order["version"]
    (closed,) = after["fulfillmentOrders"]["nodes"]
    assert closed["status"] == "CLOSED"
    assert closed["supportedActions"] == []
    assert [n["remainingQuantity"] for n in closed["lineItems"]["nodes"]] == [0, 0]
    assert [
        (n["fulfilledQuantity"], n["unfulfilledQuantity"]) for n in after["lineItems"]["nodes"]
    ] == [(2, 0), (1, 0)]
    level = quantities(sync_engine, tee)
    assert (level["on_hand"], level["committed"], level["available"]) == (8, 0, 8)
    assert after["fulfillments"][0]["location"] == {"name": "Milano"}


async def test_a_partial_shipment_leaves_the_rest_in_progress(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    order = await placed(api, ("TEE", 3))
    (fo,) = order["fulfillmentOrders"]["nodes"]

    await ship(api, work(fo, (0, 1)))

    after = await read_order(api, order["id"])
    assert after["displayFulfillmentStatus"] == "PARTIALLY_FULFILLED"
    (progress,) = after["fulfillmentOrders"]["nodes"]
    assert progress["status"] == "IN_PROGRESS"
    assert progress["lineItems"]["nodes"][0]["remainingQuantity"] == 2
    level = quantities(sync_engine, shop.levels[("TEE", "Milano")])
    assert (level["on_hand"], level["committed"]) == (9, 2)

    await ship(api, work(progress))

    done = await read_order(api, order["id"])
    assert done["displayFulfillmentStatus"] == "FULFILLED"
    assert [f["name"][-3:] for f in done["fulfillments"]] == ["-F1", "-F2"]


async def test_cancelling_a_shipment_puts_the_units_back(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    order = await placed(api, ("TEE", 3))
    (fo,) = order["fulfillmentOrders"]["nodes"]
    first = await ship(api, work(fo, (0, 1)))
    second = await ship(api, work(fo, (0, 2)))

    cancelled = await api.gql(CANCEL, {"id": second["id"]})

    assert cancelled.ok()["fulfillmentCancel"]["fulfillment"]["status"] == "CANCELLED"
    after = await read_order(api, order["id"])
    assert after["displayFulfillmentStatus"] == "PARTIALLY_FULFILLED"
    assert after["fulfillmentOrders"]["nodes"][0]["status"] == "IN_PROGRESS"
    assert after["fulfillmentOrders"]["nodes"][0]["lineItems"]["nodes"][0]["remainingQuantity"] == 2
    level = quantities(sync_engine, shop.levels[("TEE", "Milano")])
    assert (level["on_hand"], level["committed"], level["available"]) == (9, 2, 7)

    await api.gql(CANCEL, {"id": first["id"]})
    reopened = await read_order(api, order["id"])
    assert reopened["displayFulfillmentStatus"] == "UNFULFILLED"
    assert reopened["fulfillmentOrders"]["nodes"][0]["status"] == "OPEN"
    before = table_counts(sync_engine)
    again = await api.gql(CANCEL, {"id": first["id"]})
    assert [e["code"] for e in again.ok()["fulfillmentCancel"]["userErrors"]] == ["INVALID_STATE"]
    assert table_counts(sync_engine) == before


async def test_tracking_and_delivery_events_follow_the_shipment(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    order = await placed(api, ("TEE", 1))
    fulfillment = await ship(api, work(order["fulfillmentOrders"]["nodes"][0]))

    updated = await api.gql(
        TRACKING, {"id": fulfillment["id"], "tracking": {"company": "DHL", "number": "XY9"}}
    )
    assert updated.ok()["fulfillmentTrackingInfoUpdate"]["fulfillment"]["trackingInfo"] == [
        {"company": "DHL", "number": "XY9", "url": None}
    ]
    moved = await api.gql(
        EVENT, {"event": {"fulfillmentId": fulfillment["id"], "status": "IN_TRANSIT"}}
    )
    assert moved.ok()["fulfillmentEventCreate"]["userErrors"] == []
    delivered = await api.gql(
        EVENT,
        {
            "event": {
                "fulfillmentId": fulfillment["id"],
                "status": "DELIVERED",
                "happenedAt": "2026-01-02T10:00:00Z",
                "message": "left at the door",
            }
        },
    )
    assert delivered.ok()["fulfillmentEventCreate"]["fulfillmentEvent"]["message"] == (
        "left at the door"
    )

    after = await read_order(api, order["id"])
    (shipped,) = after["fulfillments"]
    assert shipped["displayStatus"] == "DELIVERED"
    assert shipped["deliveredAt"].startswith("2026-01-02T10:00:00")
    assert [e["status"] for e in shipped["events"]] == ["DELIVERED", "IN_TRANSIT"]
    before = table_counts(sync_engine)
    refused = await api.gql(CANCEL, {"id": fulfillment["id"]})
    assert [e["code"] for e in refused.ok()["fulfillmentCancel"]["userErrors"]] == ["INVALID_STATE"]
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    late = await api.gql(
        EVENT,
        {"event": {"fulfillmentId": fulfillment["id"], "status": "FAILURE", "happenedAt": future}},
    )
    assert [e["code"] for e in late.ok()["fulfillmentEventCreate"]["userErrors"]] == [
        "OUT_OF_RANGE"
    ]
    bad_url = await api.gql(TRACKING, {"id": fulfillment["id"], "tracking": {"url": "ftp://x"}})
    assert [e["field"] for e in bad_url.ok()["fulfillmentTrackingInfoUpdate"]["userErrors"]] == [
        ["trackingInfoInput", "url"]
    ]
    assert table_counts(sync_engine) == before


async def test_bad_shipments_are_refused_and_change_nothing(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_channel(database, handle="web")
    milano = await a_location(database, name="Milano")
    roma = await a_location(database, name="Roma")
    tee, mug = await an_item(database, sku="TEE"), await an_item(database, sku="MUG")
    tee_level = await stocked(database, tee, milano, 5)
    await stocked(database, mug, roma, 5)
    split = await placed(api, ("TEE", 2), ("MUG", 1))
    at_milano, at_roma = sorted(
        split["fulfillmentOrders"]["nodes"], key=lambda fo: fo["assignedLocation"]["name"]
    )
    other = await placed(api, ("TEE", 1))
    (other_fo,) = other["fulfillmentOrders"]["nodes"]
    cases = [
        ([work(at_milano, (0, 3))], "OVER_FULFILLMENT"),
        ([work(at_milano, (0, 0))], "INVALID_QUANTITY"),
        ([work(at_milano), work(at_roma)], "MIXED_LOCATIONS"),
        ([work(at_milano), work(other_fo)], "INVALID"),
        ([{"fulfillmentOrderId": "gid://oms/FulfillmentOrder/999999"}], "NOT_FOUND"),
        ([], "BLANK"),
    ]
    before = table_counts(sync_engine)
    level = quantities(sync_engine, tee_level.id)

    for works, code in cases:
        result = await api.gql(FULFILL, {"input": {"lineItemsByFulfillmentOrder": works}})
        payload = result.ok()["fulfillmentCreate"]
        assert payload["fulfillment"] is None
        assert [e["code"] for e in payload["userErrors"]] == [code], (code, payload)

    assert table_counts(sync_engine) == before
    assert quantities(sync_engine, tee_level.id) == level
    partner = api.token("write_fulfillments", channels=["amazon-it"])
    hidden = await api.gql(
        FULFILL, {"input": {"lineItemsByFulfillmentOrder": [work(at_milano)]}}, token=partner
    )
    assert [e["code"] for e in hidden.ok()["fulfillmentCreate"]["userErrors"]] == ["NOT_FOUND"]
    across = await api.gql(
        FULFILL,
        {"input": {"lineItemsByFulfillmentOrder": [work(at_milano), work(other_fo)]}},
        token=partner,
    )  # not "INVALID": both are missing to the partner, exactly like two unknown ids
    assert [e["code"] for e in across.ok()["fulfillmentCreate"]["userErrors"]] == [
        "NOT_FOUND",
        "NOT_FOUND",
    ]


async def test_a_repeated_fulfillment_with_the_same_key_ships_once(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    order = await placed(api, ("TEE", 2))
    variables = {
        "input": {"lineItemsByFulfillmentOrder": [work(order["fulfillmentOrders"]["nodes"][0])]},
        "key": "ship-1",
    }

    first = (await api.gql(FULFILL, variables)).ok()["fulfillmentCreate"]
    again = (await api.gql(FULFILL, variables)).ok()["fulfillmentCreate"]

    assert again["fulfillment"]["id"] == first["fulfillment"]["id"]
    assert quantities(sync_engine, shop.levels[("TEE", "Milano")])["on_hand"] == 8


# holds and schedules


async def test_holds_stop_the_work_until_every_hold_is_released(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    order = await placed(api, ("TEE", 1))
    (fo,) = order["fulfillmentOrders"]["nodes"]

    held = (await api.gql(HOLD, {"id": fo["id"], "reason": "AWAITING_PAYMENT"})).ok()
    payload = held["fulfillmentOrderHold"]
    assert payload["fulfillmentHold"] == {"reason": "AWAITING_PAYMENT", "reasonNotes": None}
    assert payload["fulfillmentOrder"]["status"] == "ON_HOLD"
    assert payload["fulfillmentOrder"]["supportedActions"] == [
        "HOLD",
        "RELEASE_HOLD",
        "CANCEL_FULFILLMENT_ORDER",
    ]
    again = await api.gql(
        HOLD, {"id": fo["id"], "reason": "INCORRECT_ADDRESS", "notes": "no house number"}
    )
    holds = again.ok()["fulfillmentOrderHold"]["fulfillmentOrder"]["fulfillmentHolds"]
    assert [h["reason"] for h in holds] == ["AWAITING_PAYMENT", "INCORRECT_ADDRESS"]
    assert (await read_order(api, order["id"]))["displayFulfillmentStatus"] == "ON_HOLD"
    before = table_counts(sync_engine)
    refused = await api.gql(FULFILL, {"input": {"lineItemsByFulfillmentOrder": [work(fo)]}})
    assert [e["code"] for e in refused.ok()["fulfillmentCreate"]["userErrors"]] == ["INVALID_STATE"]
    assert table_counts(sync_engine) == before

    released = (await api.gql(RELEASE, {"id": fo["id"]})).ok()["fulfillmentOrderReleaseHold"]

    assert released["fulfillmentOrder"]["status"] == "OPEN"
    assert released["fulfillmentOrder"]["fulfillmentHolds"] == []
    assert (await read_order(api, order["id"]))["displayFulfillmentStatus"] == "UNFULFILLED"
    twice = await api.gql(RELEASE, {"id": fo["id"]})
    assert [e["code"] for e in twice.ok()["fulfillmentOrderReleaseHold"]["userErrors"]] == [
        "INVALID_STATE"
    ]


async def test_a_hold_on_work_in_progress_returns_to_it(api: Api, database: Database) -> None:
    await a_shop(database)
    order = await placed(api, ("TEE", 2))
    (fo,) = order["fulfillmentOrders"]["nodes"]
    await ship(api, work(fo, (0, 1)))

    await api.gql(HOLD, {"id": fo["id"], "reason": "OTHER"})
    released = (await api.gql(RELEASE, {"id": fo["id"]})).ok()["fulfillmentOrderReleaseHold"]

    assert released["fulfillmentOrder"]["status"] == "IN_PROGRESS"


async def test_a_cancelled_order_s_work_cannot_be_held(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    order = await placed(api, ("TEE", 1))
    (fo,) = order["fulfillmentOrders"]["nodes"]
    await api.gql(
        "mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER) "
        "{ userErrors { code } } }",
        {"id": order["id"]},
    )
    before = table_counts(sync_engine)

    result = await api.gql(HOLD, {"id": fo["id"], "reason": "OTHER"})

    assert [e["code"] for e in result.ok()["fulfillmentOrderHold"]["userErrors"]] == [
        "INVALID_STATE"
    ]
    assert table_counts(sync_engine) == before


async def test_scheduled_work_opens_on_its_own_when_its_time_comes(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    order = await placed(api, ("TEE", 1))
    (fo,) = order["fulfillmentOrders"]["nodes"]
    later = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)

    scheduled = await api.gql(RESCHEDULE, {"id": fo["id"], "at": later.isoformat()})

    assert scheduled.ok()["fulfillmentOrderReschedule"]["fulfillmentOrder"]["status"] == "SCHEDULED"
    assert (await read_order(api, order["id"]))["displayFulfillmentStatus"] == "SCHEDULED"
    refused = await api.gql(FULFILL, {"input": {"lineItemsByFulfillmentOrder": [work(fo)]}})
    assert [e["code"] for e in refused.ok()["fulfillmentCreate"]["userErrors"]] == ["INVALID_STATE"]
    too_far = await api.gql(
        RESCHEDULE, {"id": fo["id"], "at": (later + timedelta(days=400)).isoformat()}
    )
    assert [e["code"] for e in too_far.ok()["fulfillmentOrderReschedule"]["userErrors"]] == [
        "OUT_OF_RANGE"
    ]
    with sync_engine.begin() as connection:  # time passes
        connection.execute(
            text("UPDATE fulfillment_orders SET fulfill_at = :at"),
            {"at": datetime.now(UTC) - timedelta(minutes=1)},
        )

    seen = await read_order(api, order["id"])
    assert seen["fulfillmentOrders"]["nodes"][0]["status"] == "OPEN"
    assert await open_due(database) == 1
    assert (await read_order(api, order["id"]))["displayFulfillmentStatus"] == "UNFULFILLED"
    assert await open_due(database) == 0
    await ship(api, work(fo))


# the list


async def test_fulfillment_orders_are_searchable_by_location_and_status(
    api: Api, database: Database
) -> None:
    shop = await a_shop(database)
    first = await placed(api, ("TEE", 1))
    second = await placed(api, ("MUG", 1))
    await api.gql(HOLD, {"id": second["fulfillmentOrders"]["nodes"][0]["id"], "reason": "OTHER"})
    await ship(api, work(first["fulfillmentOrders"]["nodes"][0]))

    def names(result: Any) -> list[str]:
        return [n["order"]["name"] for n in result.ok()["fulfillmentOrders"]["nodes"]]

    assert names(await api.gql(LIST, {})) == [
        second["name"] if "name" in second else names(await api.gql(LIST, {}))[0]
    ]
    everything = await api.gql(LIST, {"closed": True})
    assert len(everything.ok()["fulfillmentOrders"]["nodes"]) == 2
    on_hold = await api.gql(LIST, {"query": "status:on_hold", "closed": True})
    assert len(on_hold.ok()["fulfillmentOrders"]["nodes"]) == 1
    at_milano = await api.gql(
        LIST, {"query": f"assigned_location_id:{shop.milano.id}", "closed": True}
    )
    assert len(at_milano.ok()["fulfillmentOrders"]["nodes"]) == 2
    at_roma = await api.gql(LIST, {"query": f"assigned_location_id:{shop.roma.id}", "closed": True})
    assert at_roma.ok()["fulfillmentOrders"]["nodes"] == []
    partner = api.token("read_fulfillments", channels=["amazon-it"])
    hidden = await api.gql(LIST, {"closed": True}, token=partner)
    assert hidden.ok()["fulfillmentOrders"]["nodes"] == []


async def test_a_list_of_fulfillment_orders_costs_the_same_statements_for_any_size(
    api: Api, database: Database
) -> None:
    await a_shop(database, tee_milano=100)
    for _ in range(3):
        await placed(api, ("TEE", 1))
    few = await api.gql(LIST, {})
    for _ in range(9):
        await placed(api, ("TEE", 1))
    many = await api.gql(LIST, {})

    assert len(many.ok()["fulfillmentOrders"]["nodes"]) == 12
    assert few.statements == many.statements


# moving, splitting, merging

MOVE = (
    """mutation($id: ID!, $to: ID!, $lines: [FulfillmentOrderLineItemInput!]) {
  fulfillmentOrderMove(id: $id, newLocationId: $to, fulfillmentOrderLineItems: $lines) {
    movedFulfillmentOrder { """
    + FO_FIELDS
    + """ routingDecision { strategy } }
    originalFulfillmentOrder { """
    + FO_FIELDS
    + """ }
    userErrors { field message code } } }"""
)
SPLIT = (
    """mutation($splits: [FulfillmentOrderSplitInput!]!) {
  fulfillmentOrderSplit(fulfillmentOrderSplits: $splits) {
    fulfillmentOrderSplits { fulfillmentOrder { """
    + FO_FIELDS
    + """ }
      remainingFulfillmentOrder { """
    + FO_FIELDS
    + """ } }
    userErrors { field message code } } }"""
)
MERGE = (
    """mutation($groups: [FulfillmentOrderMergeInput!]!) {
  fulfillmentOrdersMerge(fulfillmentOrderMergeInputs: $groups) {
    fulfillmentOrderMerges { fulfillmentOrder { """
    + FO_FIELDS
    + """ } }
    userErrors { field message code } } }"""
)


def gid(location: Any) -> str:
    return f"gid://oms/Location/{location.id}"


def parts(fo: dict[str, Any], *lines: tuple[int, int]) -> list[dict[str, Any]]:
    nodes = fo["lineItems"]["nodes"]
    return [{"id": nodes[index]["id"], "quantity": quantity} for index, quantity in lines]


async def test_moving_a_whole_fulfillment_order_moves_its_committed_stock(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    order = await placed(api, ("TEE", 2), ("MUG", 1))
    (fo,) = order["fulfillmentOrders"]["nodes"]

    result = await api.gql(MOVE, {"id": fo["id"], "to": gid(shop.roma)})

    payload = result.ok()["fulfillmentOrderMove"]
    assert payload["userErrors"] == []
    moved = payload["movedFulfillmentOrder"]
    assert moved["id"] == fo["id"] == payload["originalFulfillmentOrder"]["id"]
    assert moved["assignedLocation"] == {"name": "Roma"}
    assert moved["routingDecision"] is None
    assert moved["version"] == fo["version"] + 1
    for sku, city, committed in (
        ("TEE", "Milano", 0),
        ("MUG", "Milano", 0),
        ("TEE", "Roma", 2),
        ("MUG", "Roma", 1),
    ):
        assert quantities(sync_engine, shop.levels[(sku, city)])["committed"] == committed
    await ship(api, work(moved))
    assert quantities(sync_engine, shop.levels[("TEE", "Roma")])["on_hand"] == 8


async def test_moving_some_units_leaves_the_rest_behind(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    order = await placed(api, ("TEE", 3), ("MUG", 1))
    (fo,) = order["fulfillmentOrders"]["nodes"]

    result = await api.gql(MOVE, {"id": fo["id"], "to": gid(shop.roma), "lines": parts(fo, (0, 2))})

    payload = result.ok()["fulfillmentOrderMove"]
    moved, original = payload["movedFulfillmentOrder"], payload["originalFulfillmentOrder"]
    assert moved["id"] != original["id"]
    assert [(n["sku"], n["totalQuantity"]) for n in moved["lineItems"]["nodes"]] == [("TEE", 2)]
    assert [(n["sku"], n["totalQuantity"]) for n in original["lineItems"]["nodes"]] == [
        ("TEE", 1),
        ("MUG", 1),
    ]
    assert quantities(sync_engine, shop.levels[("TEE", "Milano")])["committed"] == 1
    assert quantities(sync_engine, shop.levels[("TEE", "Roma")])["committed"] == 2


async def test_bad_moves_are_refused_and_change_nothing(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database, tee_roma=1)
    napoli = await a_location(database, name="Napoli")
    order = await placed(api, ("TEE", 2))
    (fo,) = order["fulfillmentOrders"]["nodes"]
    closed = await placed(api, ("MUG", 1))
    (closed_fo,) = closed["fulfillmentOrders"]["nodes"]
    await ship(api, work(closed_fo))
    cases = [
        ({"id": fo["id"], "to": gid(shop.roma)}, "INSUFFICIENT_STOCK"),  # 1 TEE there, 2 asked
        ({"id": fo["id"], "to": gid(napoli)}, "INSUFFICIENT_STOCK"),  # no TEE stocked
        ({"id": fo["id"], "to": gid(shop.milano)}, "INVALID"),  # already there
        ({"id": closed_fo["id"], "to": gid(shop.roma)}, "INVALID_STATE"),
        ({"id": fo["id"], "to": gid(shop.roma), "lines": parts(fo, (0, 5))}, "INVALID_QUANTITY"),
        ({"id": fo["id"], "to": "gid://oms/Location/999999"}, "NOT_FOUND"),
    ]
    before = table_counts(sync_engine)
    levels = {key: quantities(sync_engine, level) for key, level in shop.levels.items()}

    for variables, code in cases:
        payload = (await api.gql(MOVE, variables)).ok()["fulfillmentOrderMove"]
        assert payload["movedFulfillmentOrder"] is None
        assert [e["code"] for e in payload["userErrors"]] == [code], (code, payload)

    assert table_counts(sync_engine) == before
    assert {key: quantities(sync_engine, level) for key, level in shop.levels.items()} == levels


async def test_a_split_then_a_merge_gives_back_one_fulfillment_order(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    order = await placed(api, ("TEE", 3), ("MUG", 1))
    (fo,) = order["fulfillmentOrders"]["nodes"]
    committed = quantities(sync_engine, shop.levels[("TEE", "Milano")])["committed"]

    split = await api.gql(
        SPLIT,
        {
            "splits": [
                {
                    "fulfillmentOrderId": fo["id"],
                    "fulfillmentOrderLineItems": parts(fo, (0, 1), (1, 1)),
                }
            ]
        },
    )

    (result,) = split.ok()["fulfillmentOrderSplit"]["fulfillmentOrderSplits"]
    original, split_off = result["fulfillmentOrder"], result["remainingFulfillmentOrder"]
    assert [(n["sku"], n["totalQuantity"]) for n in original["lineItems"]["nodes"]] == [("TEE", 2)]
    assert sorted((n["sku"], n["totalQuantity"]) for n in split_off["lineItems"]["nodes"]) == [
        ("MUG", 1),
        ("TEE", 1),
    ]
    assert split_off["assignedLocation"] == {"name": "Milano"}
    assert quantities(sync_engine, shop.levels[("TEE", "Milano")])["committed"] == committed
    everything = await api.gql(
        SPLIT,
        {
            "splits": [
                {
                    "fulfillmentOrderId": original["id"],
                    "fulfillmentOrderLineItems": parts(original, (0, 2)),
                }
            ]
        },
    )
    assert [e["code"] for e in everything.ok()["fulfillmentOrderSplit"]["userErrors"]] == [
        "INVALID"
    ]

    merged = await api.gql(
        MERGE, {"groups": [{"fulfillmentOrderIds": [original["id"], split_off["id"]]}]}
    )

    (merge,) = merged.ok()["fulfillmentOrdersMerge"]["fulfillmentOrderMerges"]
    into = merge["fulfillmentOrder"]
    assert into["id"] == original["id"]
    assert sorted((n["sku"], n["totalQuantity"]) for n in into["lineItems"]["nodes"]) == [
        ("MUG", 1),
        ("TEE", 3),
    ]
    after = await read_order(api, order["id"])
    assert sorted(fo["status"] for fo in after["fulfillmentOrders"]["nodes"]) == ["CLOSED", "OPEN"]
    assert after["displayFulfillmentStatus"] == "UNFULFILLED"
    await ship(api, work(into))
    assert (await read_order(api, order["id"]))["displayFulfillmentStatus"] == "FULFILLED"


async def test_merging_across_orders_or_locations_is_refused(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    first = await placed(api, ("TEE", 1))
    second = await placed(api, ("TEE", 2))
    (first_fo,) = first["fulfillmentOrders"]["nodes"]
    (second_fo,) = second["fulfillmentOrders"]["nodes"]
    moved = await api.gql(
        MOVE, {"id": second_fo["id"], "to": gid(shop.roma), "lines": parts(second_fo, (0, 1))}
    )
    at_roma = moved.ok()["fulfillmentOrderMove"]["movedFulfillmentOrder"]
    before = table_counts(sync_engine)

    across = await api.gql(
        MERGE, {"groups": [{"fulfillmentOrderIds": [first_fo["id"], second_fo["id"]]}]}
    )
    mixed = await api.gql(
        MERGE, {"groups": [{"fulfillmentOrderIds": [second_fo["id"], at_roma["id"]]}]}
    )
    alone = await api.gql(MERGE, {"groups": [{"fulfillmentOrderIds": [first_fo["id"]]}]})

    assert [e["code"] for e in across.ok()["fulfillmentOrdersMerge"]["userErrors"]] == ["INVALID"]
    assert [e["code"] for e in mixed.ok()["fulfillmentOrdersMerge"]["userErrors"]] == [
        "MIXED_LOCATIONS"
    ]
    assert [e["code"] for e in alone.ok()["fulfillmentOrdersMerge"]["userErrors"]] == ["INVALID"]
    assert table_counts(sync_engine) == before


# cancelling work, and work at fulfillment services

FO_CANCEL = (
    """mutation($id: ID!) { fulfillmentOrderCancel(id: $id) {
  fulfillmentOrder { """
    + FO_FIELDS
    + """ requestStatus } userErrors { field message code } } }"""
)


def request_mutation(name: str, extra: str = "") -> str:
    return (
        "mutation($id: ID!, $message: String"
        + (", $reroute: Boolean" if extra else "")
        + ") { "
        + name
        + "(id: $id, message: $message"
        + (", reroute: $reroute" if extra else "")
        + ") { fulfillmentOrder { "
        + FO_FIELDS
        + " requestStatus } userErrors { field message code } } }"
    )


SUBMIT = request_mutation("fulfillmentOrderSubmitFulfillmentRequest")
ACCEPT = request_mutation("fulfillmentOrderAcceptFulfillmentRequest")
REJECT = request_mutation("fulfillmentOrderRejectFulfillmentRequest", "reroute")
ASK_CANCEL = request_mutation("fulfillmentOrderSubmitCancellationRequest")
ACCEPT_CANCEL = request_mutation("fulfillmentOrderAcceptCancellationRequest")
REJECT_CANCEL = request_mutation("fulfillmentOrderRejectCancellationRequest")


async def answer(api: Api, document: str, fo_id: str, **extra: Any) -> dict[str, Any]:
    result = (await api.gql(document, {"id": fo_id, **extra})).ok()
    (payload,) = result.values()
    return payload  # type: ignore[no-any-return]


async def test_cancelling_work_gives_its_stock_back(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    order = await placed(api, ("TEE", 3))
    (fo,) = order["fulfillmentOrders"]["nodes"]
    await ship(api, work(fo, (0, 1)))

    payload = await answer(api, FO_CANCEL, fo["id"])

    assert payload["userErrors"] == []
    assert payload["fulfillmentOrder"]["status"] == "INCOMPLETE"
    assert payload["fulfillmentOrder"]["supportedActions"] == []
    level = quantities(sync_engine, shop.levels[("TEE", "Milano")])
    assert (level["on_hand"], level["committed"], level["available"]) == (9, 0, 9)
    after = await read_order(api, order["id"])
    assert after["displayFulfillmentStatus"] == "PARTIALLY_FULFILLED"
    assert after["lineItems"]["nodes"][0]["unfulfilledQuantity"] == 2
    before = table_counts(sync_engine)
    again = await answer(api, FO_CANCEL, fo["id"])
    assert [e["code"] for e in again["userErrors"]] == ["INVALID_STATE"]
    assert table_counts(sync_engine) == before


async def test_work_at_a_fulfillment_service_changes_hands_through_requests(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_channel(database, handle="web")
    service = await a_location(
        database, name="Rotterdam 3PL", priority=9, kind=LocationKind.FULFILLMENT_SERVICE
    )
    tee = await an_item(database, sku="TEE")
    level = await stocked(database, tee, service, 10)
    order = await placed(api, ("TEE", 2))
    (fo,) = order["fulfillmentOrders"]["nodes"]
    assert "REQUEST_FULFILLMENT" in fo["supportedActions"]
    before = table_counts(sync_engine)
    never = await answer(api, ACCEPT, fo["id"])
    assert [e["code"] for e in never["userErrors"]] == ["INVALID_STATE"]
    assert table_counts(sync_engine) == before

    submitted = await answer(api, SUBMIT, fo["id"], message="please ship by Friday")
    assert submitted["fulfillmentOrder"]["requestStatus"] == "SUBMITTED"
    assert submitted["fulfillmentOrder"]["supportedActions"] == ["REQUEST_CANCELLATION"]
    refused = await api.gql(HOLD, {"id": fo["id"], "reason": "OTHER"})
    assert [e["code"] for e in refused.ok()["fulfillmentOrderHold"]["userErrors"]] == [
        "INVALID_STATE"
    ]
    accepted = await answer(api, ACCEPT, fo["id"])
    assert (
        accepted["fulfillmentOrder"]["requestStatus"],
        accepted["fulfillmentOrder"]["status"],
    ) == ("ACCEPTED", "IN_PROGRESS")
    assert (await read_order(api, order["id"]))["displayFulfillmentStatus"] == "IN_PROGRESS"
    asked = await answer(api, ASK_CANCEL, fo["id"])
    assert asked["fulfillmentOrder"]["requestStatus"] == "CANCELLATION_REQUESTED"
    kept = await answer(api, REJECT_CANCEL, fo["id"], message="already packed")
    assert kept["fulfillmentOrder"]["requestStatus"] == "CANCELLATION_REJECTED"

    await ship(api, work(fo))

    assert quantities(sync_engine, level.id)["on_hand"] == 8
    assert (await read_order(api, order["id"]))["displayFulfillmentStatus"] == "FULFILLED"


async def test_a_rejected_request_can_send_the_work_elsewhere(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_channel(database, handle="web")
    service = await a_location(
        database, name="Rotterdam 3PL", priority=9, kind=LocationKind.FULFILLMENT_SERVICE
    )
    milano = await a_location(database, name="Milano")
    tee = await an_item(database, sku="TEE")
    at_service = await stocked(database, tee, service, 10)
    at_milano = await stocked(database, tee, milano, 10)
    order = await placed(api, ("TEE", 2))
    (fo,) = order["fulfillmentOrders"]["nodes"]
    assert fo["assignedLocation"] == {"name": "Rotterdam 3PL"}
    await answer(api, SUBMIT, fo["id"])

    rejected = await answer(api, REJECT, fo["id"], message="out of boxes", reroute=True)

    assert rejected["userErrors"] == []
    after = await read_order(api, order["id"])
    (moved,) = after["fulfillmentOrders"]["nodes"]
    assert moved["assignedLocation"] == {"name": "Milano"}
    assert quantities(sync_engine, at_service.id)["committed"] == 0
    assert quantities(sync_engine, at_milano.id)["committed"] == 2


async def test_a_cancellation_accepted_gives_the_work_back_to_the_merchant(
    api: Api, database: Database
) -> None:
    await a_channel(database, handle="web")
    service = await a_location(database, name="3PL", kind=LocationKind.FULFILLMENT_SERVICE)
    tee = await an_item(database, sku="TEE")
    await stocked(database, tee, service, 10)
    order = await placed(api, ("TEE", 1))
    (fo,) = order["fulfillmentOrders"]["nodes"]
    await answer(api, SUBMIT, fo["id"])
    await answer(api, ASK_CANCEL, fo["id"])

    back = await answer(api, ACCEPT_CANCEL, fo["id"])

    assert back["fulfillmentOrder"]["requestStatus"] == "CANCELLATION_ACCEPTED"
    assert back["fulfillmentOrder"]["status"] == "OPEN"
    assert "MOVE" in back["fulfillmentOrder"]["supportedActions"]
    assert "REQUEST_FULFILLMENT" in back["fulfillmentOrder"]["supportedActions"]


async def test_a_request_to_a_location_that_is_not_a_fulfillment_service_is_refused(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    order = await placed(api, ("TEE", 1))
    (fo,) = order["fulfillmentOrders"]["nodes"]
    assert "REQUEST_FULFILLMENT" not in fo["supportedActions"]
    before = table_counts(sync_engine)

    refused = await answer(api, SUBMIT, fo["id"])

    assert [e["code"] for e in refused["userErrors"]] == ["INVALID"]
    assert table_counts(sync_engine) == before


async def test_cancelling_an_order_ends_shipped_work_incomplete_and_releases_its_holds(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    order = await placed(api, ("TEE", 3))
    (fo,) = order["fulfillmentOrders"]["nodes"]
    await ship(api, work(fo, (0, 1)))
    await api.gql(HOLD, {"id": fo["id"], "reason": "OTHER"})

    cancelled = await api.gql(
        "mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER) "
        "{ userErrors { code } } }",
        {"id": order["id"]},
    )

    assert cancelled.ok()["orderCancel"]["userErrors"] == []
    (ended,) = (await read_order(api, order["id"]))["fulfillmentOrders"]["nodes"]
    assert ended["status"] == "INCOMPLETE"
    assert ended["fulfillmentHolds"] == []
    level = quantities(sync_engine, shop.levels[("TEE", "Milano")])
    assert (level["on_hand"], level["committed"], level["available"]) == (9, 0, 9)


async def test_concurrent_shipments_never_ship_more_than_remains(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    order = await placed(api, ("TEE", 3))
    (fo,) = order["fulfillmentOrders"]["nodes"]

    results = await asyncio.gather(
        *(
            api.gql(FULFILL, {"input": {"lineItemsByFulfillmentOrder": [work(fo, (0, 1))]}})
            for _ in range(6)
        )
    )

    payloads = [result.ok()["fulfillmentCreate"] for result in results]
    shipped = [p for p in payloads if p["fulfillment"] is not None]
    refused = [p for p in payloads if p["fulfillment"] is None]
    assert len(shipped) == 3
    assert {e["code"] for p in refused for e in p["userErrors"]} <= {
        "OVER_FULFILLMENT",
        "INVALID_STATE",
    }
    level = quantities(sync_engine, shop.levels[("TEE", "Milano")])
    assert (level["on_hand"], level["committed"]) == (7, 0)
    after = await read_order(api, order["id"])
    assert after["displayFulfillmentStatus"] == "FULFILLED"
    assert len(after["fulfillments"]) == 3


async def test_a_shipment_of_a_cancelled_order_cannot_be_undone(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    order = await placed(api, ("TEE", 3))
    (fo,) = order["fulfillmentOrders"]["nodes"]
    fulfillment = await ship(api, work(fo, (0, 1)))
    await api.gql(
        "mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER) "
        "{ userErrors { code } } }",
        {"id": order["id"]},
    )
    before = table_counts(sync_engine)

    refused = await api.gql(CANCEL, {"id": fulfillment["id"]})

    assert [e["code"] for e in refused.ok()["fulfillmentCancel"]["userErrors"]] == ["INVALID_STATE"]
    assert table_counts(sync_engine) == before
    finished = await api.gql(LIST, {"query": "status:incomplete", "closed": False})
    assert finished.ok()["fulfillmentOrders"]["nodes"] == []
    shown = await api.gql(LIST, {"query": "status:incomplete", "closed": True})
    assert len(shown.ok()["fulfillmentOrders"]["nodes"]) == 1
