"""Live subscriptions over graphql-transport-ws and SSE, against a real server on each database.

Each test subscribes first, then changes something through the API, and asserts exactly
what arrives: replays from a cursor without gaps or duplicates, access filtering, clean
protocol errors for bad input.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import websockets
from sqlalchemy import text

from oms_graphql.events import EventType, record_event
from oms_graphql.graphql.fanout import subscription_replays
from oms_graphql.ids import GlobalId
from oms_graphql.settings import Settings
from tests.factories import a_channel
from tests.live import GraphQLSocket, LiveServer, serving
from tests.orders_support import CREATE, a_shop, create_order, order_input

ORDER_EVENTS = """subscription($after: String, $types: [EventType!]) {
  orderEvents(after: $after, types: $types) { cursor type subjectId data order { id name } } }"""
STATUS = """subscription($orderId: ID) {
  orderStatusChanged(orderId: $orderId) {
    cursor type order { id displayFinancialStatus } data } }"""
MARK_PAID = """mutation($id: ID!) { orderMarkAsPaid(id: $id) { userErrors { code } } }"""
INVENTORY = """subscription($skus: [String!], $after: String) {
  inventoryChanged(skus: $skus, after: $after) {
    cursor type data inventoryLevel { id } } }"""
ADJUST = """mutation($input: InventoryAdjustQuantitiesInput!) {
  inventoryAdjustQuantities(input: $input) { userErrors { field code } } }"""


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[LiveServer]:
    async with serving(settings) as live:
        yield live


def _gid(type_name: str, pk: int) -> str:
    return f"gid://oms/{type_name}/{pk}"


async def _adjust(server: LiveServer, item: Any, location: Any, delta: int) -> None:
    result = await server.api.gql(
        ADJUST,
        {
            "input": {
                "name": "available",
                "reason": "CORRECTION",
                "changes": [
                    {
                        "inventoryItemId": _gid("InventoryItem", item.id),
                        "locationId": _gid("Location", location.id),
                        "delta": delta,
                    }
                ],
            }
        },
    )
    assert result.ok()["inventoryAdjustQuantities"]["userErrors"] == []


async def test_an_order_status_change_reaches_the_subscriber(server: LiveServer) -> None:
    await a_shop(server.database)
    order = await create_order(server.api, ("TEE", 1))
    token = server.api.token("read_orders")
    async with GraphQLSocket.open(server.ws_url, token) as socket:
        await socket.subscribe("1", STATUS, {"orderId": order["id"]})
        await server.api.gql(MARK_PAID, {"id": order["id"]})

        changed = (await socket.next_data("1"))["orderStatusChanged"]

    assert changed["type"] == "ORDER_STATUS_CHANGED"
    assert changed["order"] == {"id": order["id"], "displayFinancialStatus": "PAID"}
    assert changed["data"]["previous"]["displayFinancialStatus"] == "PENDING"
    assert changed["cursor"]


async def test_a_subscriber_resumes_from_its_cursor_without_gap_or_duplicate(
    server: LiveServer,
) -> None:
    await a_shop(server.database)
    token = server.api.token("read_orders")
    created = {"types": ["ORDER_CREATED"]}
    async with GraphQLSocket.open(server.ws_url, token) as socket:
        await socket.subscribe("a", ORDER_EVENTS, created)
        first = await create_order(server.api, ("TEE", 1))
        seen = (await socket.next_data("a"))["orderEvents"]
    assert seen["order"]["id"] == first["id"]

    missed = [(await create_order(server.api, ("TEE", 1)))["id"] for _ in range(3)]

    async with GraphQLSocket.open(server.ws_url, token) as socket:
        await socket.subscribe("b", ORDER_EVENTS, {**created, "after": seen["cursor"]})
        replayed = [(await socket.next_data("b"))["orderEvents"] for _ in missed]
        live = await create_order(server.api, ("TEE", 1))
        after_seam = (await socket.next_data("b"))["orderEvents"]
        assert await socket.silent_for(0.3)

    assert [event["subjectId"] for event in replayed] == missed
    assert after_seam["subjectId"] == live["id"]
    cursors = [seen["cursor"], *(e["cursor"] for e in replayed), after_seam["cursor"]]
    assert len(set(cursors)) == len(cursors)


async def test_a_refused_mutation_sends_nothing_and_a_committed_one_sends_its_events(
    server: LiveServer,
) -> None:
    await a_shop(server.database, tee_milano=1, tee_roma=0)
    token = server.api.token("read_orders")
    async with GraphQLSocket.open(server.ws_url, token) as socket:
        await socket.subscribe("1", ORDER_EVENTS, {"types": ["ORDER_CREATED"]})
        refused = await server.api.gql(CREATE, order_input(("TEE", 5)))
        assert refused.ok()["orderCreate"]["userErrors"]
        assert await socket.silent_for(0.5)

        placed = await create_order(server.api, ("TEE", 1))
        event = (await socket.next_data("1"))["orderEvents"]
        assert event["subjectId"] == placed["id"]
        assert await socket.silent_for(0.3)


async def test_events_of_a_rolled_back_transaction_are_never_delivered(
    server: LiveServer,
) -> None:
    await a_shop(server.database)
    token = server.api.token("read_orders")
    async with GraphQLSocket.open(server.ws_url, token) as socket:
        await socket.subscribe("1", ORDER_EVENTS)
        with pytest.raises(RuntimeError, match="fails after writing"):
            await _write_an_event_then_fail(server)
        placed = await create_order(server.api, ("TEE", 1))

        events = [(await socket.next_data("1"))["orderEvents"]]
        while not await _quiet(socket, events):
            pass

    assert {event["subjectId"] for event in events} == {placed["id"]}


async def _write_an_event_then_fail(server: LiveServer) -> None:
    async with server.database.transaction() as session:
        await record_event(session, EventType.ORDER_CREATED, GlobalId("Order", 999), {})
        raise RuntimeError("the change fails after writing its event")


async def test_a_partner_receives_only_its_own_channels_orders(server: LiveServer) -> None:
    await a_shop(server.database)
    await a_channel(server.database, handle="amazon-it")
    partner = server.api.token("read_orders", channels=["amazon-it"])
    async with GraphQLSocket.open(server.ws_url, partner) as socket:
        await socket.subscribe("1", ORDER_EVENTS)
        await create_order(server.api, ("TEE", 1))
        own = await create_order(server.api, ("MUG", 1), channel="amazon-it")

        events = [(await socket.next_data("1"))["orderEvents"]]
        while not await _quiet(socket, events):
            pass

    assert {event["subjectId"] for event in events} == {own["id"]}
    assert {event["order"]["id"] for event in events} == {own["id"]}


async def _quiet(socket: GraphQLSocket, into: list[dict[str, Any]]) -> bool:
    try:
        message = await socket.receive(0.5)
    except TimeoutError:
        return True
    into.append(message["payload"]["data"]["orderEvents"])
    return False


async def test_work_at_one_location_is_followed_there(server: LiveServer) -> None:
    shop = await a_shop(server.database)
    roma = _gid("Location", shop.roma.id)
    query = """subscription($locationId: ID) {
      fulfillmentOrderEvents(locationId: $locationId) {
        type data fulfillmentOrder { id assignedLocation { name } } order { id } } }"""
    token = server.api.token("read_fulfillments", "read_orders", "read_locations")
    async with GraphQLSocket.open(server.ws_url, token) as socket:
        await socket.subscribe("1", query, {"locationId": roma})
        await create_order(server.api, ("TEE", 1))  # ships from Milano
        pickup = await create_order(
            server.api, ("MUG", 1), deliveryMethod="PICKUP", pickupLocationId=roma
        )

        event = (await socket.next_data("1"))["fulfillmentOrderEvents"]
        assert await socket.silent_for(0.3)

    assert event["type"] == "FULFILLMENT_ORDER_CREATED"
    assert event["data"]["locationId"] == roma
    assert event["fulfillmentOrder"]["assignedLocation"] == {"name": "Roma"}
    assert event["order"] == {"id": pickup["id"]}


async def test_inventory_changes_are_filtered_by_sku(server: LiveServer) -> None:
    shop = await a_shop(server.database)
    token = server.api.token("read_inventory")
    async with GraphQLSocket.open(server.ws_url, token) as socket:
        await socket.subscribe("1", INVENTORY, {"skus": ["MUG"]})
        await _adjust(server, shop.tee, shop.milano, 1)
        await _adjust(server, shop.mug, shop.roma, -2)

        changed = (await socket.next_data("1"))["inventoryChanged"]
        assert await socket.silent_for(0.3)

    assert changed["data"]["sku"] == "MUG"
    assert changed["data"]["deltas"] == {"available": -2, "on_hand": -2}
    assert changed["inventoryLevel"] == {"id": _gid("InventoryLevel", shop.levels[("MUG", "Roma")])}


async def test_storefronts_see_availability_live(server: LiveServer) -> None:
    shop = await a_shop(server.database)
    token = server.api.token("storefront")
    query = """subscription { availabilityChanged(skus: ["TEE"]) {
        sku available location { name pickupEnabled } } }"""
    async with GraphQLSocket.open(server.ws_url, token) as socket:
        await socket.subscribe("1", query)
        await _adjust(server, shop.tee, shop.roma, 3)

        changed = (await socket.next_data("1"))["availabilityChanged"]

    assert changed == {
        "sku": "TEE",
        "available": 13,
        "location": {"name": "Roma", "pickupEnabled": True},
    }


@pytest.mark.parametrize(
    ("after", "message"),
    [("not-a-cursor", "invalid cursor"), (None, "no event at this cursor")],
)
async def test_a_bad_cursor_is_a_clean_protocol_error(
    server: LiveServer, after: str | None, message: str
) -> None:
    await a_shop(server.database)
    async with GraphQLSocket.open(server.ws_url, server.api.token("read_orders")) as socket:
        await socket.subscribe("1", ORDER_EVENTS)
        order = await create_order(server.api, ("TEE", 1))
        cursor = (await socket.next_data("1"))["orderEvents"]["cursor"]
        if after is None:  # a well-formed cursor naming an event that is not there
            async with server.database.transaction() as session:
                await session.execute(text("DELETE FROM events"))
            after = cursor
        await socket.subscribe("2", ORDER_EVENTS, {"after": after})

        error = await _next_other_than(socket, "1")

        assert (error["type"], error["id"]) == ("error", "2")
        assert error["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert message in error["payload"][0]["message"]
        # The connection and the server go on.
        await server.api.gql(MARK_PAID, {"id": order["id"]})
        assert (await _next_other_than(socket, "x"))["id"] == "1"


async def _next_other_than(socket: GraphQLSocket, operation_id: str) -> dict[str, Any]:
    while True:
        message = await socket.receive()
        if message.get("id") != operation_id:
            return message


@pytest.mark.parametrize(
    ("scopes", "code"), [((), "UNAUTHENTICATED"), (("read_inventory",), "FORBIDDEN")]
)
async def test_a_subscription_needs_a_token_with_its_scope(
    server: LiveServer, scopes: tuple[str, ...], code: str
) -> None:
    token = server.api.token(*scopes) if scopes else None
    async with GraphQLSocket.open(server.ws_url, token) as socket:
        await socket.subscribe("1", ORDER_EVENTS)
        error = await socket.receive()

    assert (error["type"], error["id"]) == ("error", "1")
    assert error["payload"][0]["extensions"]["code"] == code


async def test_too_many_subscriptions_on_one_connection_are_refused(
    settings: Settings, database_url: str
) -> None:
    limited = Settings.from_env(
        {},
        database_url=database_url,
        jwt_secret=settings.jwt_secret,
        max_subscriptions_per_connection=2,
    )
    async with serving(limited) as server:
        token = server.api.token("read_orders")
        async with GraphQLSocket.open(server.ws_url, token) as socket:
            for operation_id in "123":
                await socket.subscribe(operation_id, ORDER_EVENTS)
            refused = await socket.receive()
            assert (refused["type"], refused["id"]) == ("error", "3")
            assert "limit" in refused["payload"][0]["message"]

        health = await server.api.gql("{ __typename }")
        assert health.ok() == {"__typename": "Query"}


async def test_identical_subscriptions_share_one_execution(server: LiveServer) -> None:
    await a_shop(server.database)
    token = server.api.token("read_orders")
    hub = server.app.state.subscription_hub
    async with (
        GraphQLSocket.open(server.ws_url, token) as one,
        GraphQLSocket.open(server.ws_url, token) as two,
        GraphQLSocket.open(
            server.ws_url, server.api.token("read_orders", channels=["web"])
        ) as three,
    ):
        for operation_id, socket in (("x", one), ("y", two), ("z", three)):
            await socket.subscribe(operation_id, ORDER_EVENTS, {"types": ["ORDER_CREATED"]})
        await asyncio.sleep(0.2)
        # Same document, variables and access share; the channel-limited token does not.
        assert hub.group_count == 2

        await create_order(server.api, ("TEE", 1))
        received = [await one.receive(), await two.receive(), await three.receive()]

    assert [message["id"] for message in received] == ["x", "y", "z"]
    assert received[0]["payload"] == received[1]["payload"] == received[2]["payload"]
    metrics = (await server.api.client.get("/metrics")).text
    assert "oms_subscription_messages_total 3.0" in metrics


async def test_a_subscriber_too_slow_is_closed_and_resumes_by_cursor(
    settings: Settings, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    small = Settings.from_env(
        {}, database_url=database_url, jwt_secret=settings.jwt_secret, subscription_queue_size=2
    )
    async with serving(small) as server:
        shop = await a_shop(server.database)
        token = server.api.token("read_inventory")
        async with GraphQLSocket.open(server.ws_url, token) as socket:
            # Two subscriptions of one socket: both are closed with it, once, cleanly.
            await socket.subscribe("1", INVENTORY)
            await socket.subscribe("1b", INVENTORY)
            await _adjust(server, shop.tee, shop.milano, 1)
            firsts = {m["id"]: m["payload"]["data"] for m in [await socket.receive() for _ in "ab"]}
            first = firsts["1"]["inventoryChanged"]
            # One mutation changing four levels: four events at once, beyond the queue of 2.
            await server.api.gql(ADJUST, _every_level(shop))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await _read_until_closed(socket)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1013
        assert firsts["1b"] == firsts["1"]
        assert not [r for r in caplog.records if r.levelname == "ERROR"]

        async with GraphQLSocket.open(server.ws_url, token) as socket:
            await socket.subscribe("2", INVENTORY, {"after": first["cursor"]})
            resumed = [(await socket.next_data("2"))["inventoryChanged"] for _ in range(4)]
            assert await socket.silent_for(0.3)
        assert sorted(event["data"]["sku"] for event in resumed) == ["MUG", "MUG", "TEE", "TEE"]


async def _read_until_closed(socket: GraphQLSocket) -> None:
    while True:
        await socket.receive()


def _every_level(shop: Any) -> dict[str, Any]:
    return {
        "input": {
            "name": "available",
            "reason": "CORRECTION",
            "changes": [
                {
                    "inventoryItemId": _gid("InventoryItem", item.id),
                    "locationId": _gid("Location", location.id),
                    "delta": 1,
                }
                for item in (shop.tee, shop.mug)
                for location in (shop.milano, shop.roma)
            ],
        }
    }


async def test_server_sent_events_carry_subscriptions_too(server: LiveServer) -> None:
    await a_shop(server.database)
    order = await create_order(server.api, ("TEE", 1))
    headers = {
        "Authorization": f"Bearer {server.api.token('read_orders')}",
        "Accept": "text/event-stream",
    }
    body = {"query": STATUS, "variables": {"orderId": order["id"]}}
    async with server.api.client.stream("POST", "/graphql", json=body, headers=headers) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.aiter_lines()
        await asyncio.sleep(0.2)
        await server.api.gql(MARK_PAID, {"id": order["id"]})
        data = await asyncio.wait_for(_first_data(lines), 5)

    changed = json.loads(data)["data"]["orderStatusChanged"]
    assert changed["order"]["displayFinancialStatus"] == "PAID"


async def _first_data(lines: AsyncIterator[str]) -> str:
    async for line in lines:
        if line.startswith("data: ") and line != "data: ":
            return line.removeprefix("data: ")
    raise AssertionError("the stream ended without data")


@pytest.mark.parametrize(
    ("query", "variables", "replays"),
    [
        (ORDER_EVENTS, {}, False),
        (ORDER_EVENTS, {"after": None}, False),
        (ORDER_EVENTS, {"after": "abc"}, True),
        ('subscription { orderEvents(after: "abc") { cursor } }', None, True),
        ("subscription { orderEvents(after: null) { cursor } }", None, False),
        ("subscription { ...F } fragment F on Subscription { orderEvents { cursor } }", None, True),
        ("{ __typename }", None, None),
        ("subscription {", None, None),
    ],
)
def test_only_subscriptions_without_a_cursor_share_an_execution(
    query: str, variables: dict[str, Any] | None, replays: bool | None
) -> None:
    assert subscription_replays(query, None, variables) is replays


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"locationIds": ["gid://oms/Order/1"]}, "locationIds"),
        ({"locationIds": ["not-an-id"]}, "locationIds"),
        # Refused before execution by the input-list limit, which names no argument.
        ({"skus": [f"SKU-{n}" for n in range(251)]}, None),
    ],
)
async def test_bad_filters_are_clean_protocol_errors(
    server: LiveServer, variables: dict[str, Any], argument: str | None
) -> None:
    query = """subscription($skus: [String!], $locationIds: [ID!]) {
      inventoryChanged(skus: $skus, locationIds: $locationIds) { cursor } }"""
    async with GraphQLSocket.open(server.ws_url, server.api.token("read_inventory")) as socket:
        await socket.subscribe("1", query, variables)
        error = await socket.receive()

    assert (error["type"], error["id"]) == ("error", "1")
    assert error["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["payload"][0]["extensions"].get("argument") == argument


@pytest.fixture
async def strict_server(settings: Settings) -> AsyncIterator[LiveServer]:
    """No clock-skew leeway, so a token's expiry is exactly its ``exp``."""
    async with serving(dataclasses.replace(settings, jwt_leeway_seconds=0)) as live:
        yield live


async def test_a_websocket_closes_when_its_token_expires(strict_server: LiveServer) -> None:
    server = strict_server
    await a_shop(server.database)
    order = await create_order(server.api, ("TEE", 1))
    token = server.api.token("read_orders", ttl_seconds=2)

    async with GraphQLSocket.open(server.ws_url, token) as socket:
        await socket.subscribe("s", STATUS, {"orderId": order["id"]})
        await asyncio.sleep(0.2)
        await server.api.gql(MARK_PAID, {"id": order["id"]})
        delivered = await socket.next_data("s")
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await socket.receive(within=4)

    assert delivered["orderStatusChanged"]["order"]["displayFinancialStatus"] == "PAID"
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
        4403,
        "Forbidden: the token expired",
    )


async def test_a_socket_with_a_long_lived_token_stays_open(strict_server: LiveServer) -> None:
    token = strict_server.api.token("read_orders", ttl_seconds=3600)
    async with GraphQLSocket.open(strict_server.ws_url, token) as socket:
        await socket.subscribe("s", STATUS)
        assert await socket.silent_for(2.5)


async def test_an_event_stream_ends_with_an_error_when_its_token_expires(
    strict_server: LiveServer,
) -> None:
    server = strict_server
    headers = {
        "Authorization": f"Bearer {server.api.token('read_orders', ttl_seconds=2)}",
        "Accept": "text/event-stream",
    }
    body = {"query": STATUS, "variables": {}}

    async with asyncio.timeout(6):
        async with server.api.client.stream(
            "POST", "/graphql", json=body, headers=headers
        ) as stream:
            lines = [
                line
                async for line in stream.aiter_lines()
                if line.startswith(("event: ", "data: {"))
            ]

    expired = {
        "errors": [{"message": "the token expired", "extensions": {"code": "UNAUTHENTICATED"}}]
    }
    assert lines[-3:-1] == ["event: next", "data: " + json.dumps(expired, separators=(",", ":"))]
    assert lines[-1] == "event: complete"
