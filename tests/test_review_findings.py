"""Regression tests for bugs found in review (isolation, refunds, returns, exchanges).

Concurrent cases send their requests together (asyncio.gather over the ASGI app): on
PostgreSQL each runs in its own transaction, so they truly race; on SQLite writers take
turns and the tests pass trivially.
"""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from sqlalchemy import Engine, text

from oms_graphql.db import Database
from oms_graphql.settings import Settings
from tests.api import Api
from tests.factories import a_channel, quantities
from tests.orders_support import a_shop, create_order
from tests.test_exchanges_api import CREATE as EXCHANGE_CREATE
from tests.test_exchanges_api import exchange_input, paid_shipped
from tests.test_order_lifecycle import CANCEL
from tests.test_refunds_api import REFUND, line_ids, money, refund_counts, refund_input
from tests.test_reservations import reserve
from tests.test_returns_api import (
    APPROVE,
    CREATE,
    DISPOSE,
    LIFECYCLE,
    REQUEST,
    SHIP,
    ok,
    return_input,
    shipped_order,
)

pytestmark = pytest.mark.usefixtures("ledger_checked")

RACERS = 8
OPEN_WORK = """query($id: ID!) { order(id: $id) {
  fulfillmentOrders(first: 10) { nodes { id status } } } }"""
CONSUMED = "{ events(first: 50, types: [RESERVATION_CONSUMED]) { nodes { data } } }"
FOS = """query($id: ID!) { order(id: $id) { fulfillmentOrders(first: 5) { nodes { id
  lineItems(first: 5) { nodes { id } } } } } }"""
READ_RETURN = "query($id: ID!) { return(id: $id) { status } }"


def scalar(engine: Engine, sql: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql)).scalar_one())


async def test_concurrent_approvals_of_one_return_open_one_reverse_fulfillment_order(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    # A return read before its order was locked was not read again under the lock: a
    # second approval saw REQUESTED and opened a second reverse fulfillment order, so the
    # units could be received (restocked, refunded) twice.
    await a_shop(database)
    order_id, lines = await shipped_order(api, ("TEE", 2))
    requested = ok(
        await api.gql(REQUEST, return_input(order_id, (lines["TEE"], 2))), "returnRequest"
    )["return"]

    results = await asyncio.gather(
        *(api.gql(APPROVE, {"id": requested["id"]}) for _ in range(RACERS))
    )

    payloads = [result.ok()["returnApproveRequest"] for result in results]
    approved = [p for p in payloads if not p["userErrors"]]
    refused = [p for p in payloads if p["userErrors"]]
    assert len(approved) == 1
    assert {e["code"] for p in refused for e in p["userErrors"]} == {"INVALID_STATE"}
    assert scalar(sync_engine, "SELECT count(*) FROM reverse_fulfillment_orders") == 1
    assert scalar(sync_engine, "SELECT version FROM returns") == requested["version"] + 1


async def test_concurrent_dispositions_of_one_returned_unit_restock_it_once(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    # The reverse fulfillment order line was read before the lock and not read again under
    # it: each racer saw the unit still to receive and restocked it.
    shop = await a_shop(database)
    order_id, lines = await shipped_order(api, ("TEE", 1))
    opened = ok(
        await api.gql(CREATE, return_input(order_id, (lines["TEE"], 1))),
        "returnCreate",
    )["return"]
    (rfo,) = opened["reverseFulfillmentOrders"]["nodes"]
    (rfo_line,) = rfo["lineItems"]["nodes"]
    milano = shop.levels[("TEE", "Milano")]
    on_hand = quantities(sync_engine, milano)["on_hand"]
    disposal = {
        "inputs": [
            {
                "reverseFulfillmentOrderLineItemId": rfo_line["id"],
                "quantity": 1,
                "dispositionType": "RESTOCKED",
                "locationId": f"gid://oms/Location/{shop.milano.id}",
            }
        ]
    }

    results = await asyncio.gather(*(api.gql(DISPOSE, disposal) for _ in range(RACERS)))

    payloads = [result.ok()["reverseFulfillmentOrderDispose"] for result in results]
    assert len([p for p in payloads if not p["userErrors"]]) == 1
    assert quantities(sync_engine, milano)["on_hand"] == on_hand + 1
    assert scalar(sync_engine, "SELECT count(*) FROM reverse_dispositions") == 1


class TestExchangesAtOnce:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return dataclasses.replace(settings, exchanges_fulfill_at_once=True)

    async def test_cancelling_a_return_calls_off_its_exchange(
        self, api: Api, database: Database, sync_engine: Engine
    ) -> None:
        # With exchanges placed when the return opens, cancelling the return (nothing
        # comes back) left the exchange's mug on the order: committed, routed to ship and
        # billed to the buyer.
        shop = await a_shop(database)
        order_id, shipped = await paid_shipped(api, ("TEE", 1))
        before = await money(api, order_id)
        opened = ok(
            await api.gql(EXCHANGE_CREATE, exchange_input(order_id, shipped["TEE"], 1, ("MUG", 1))),
            "returnCreate",
        )["return"]
        mug = shop.levels[("MUG", "Milano")]
        assert quantities(sync_engine, mug)["committed"] == 1

        cancelled = ok(
            await api.gql(LIFECYCLE % "returnCancel", {"id": opened["id"]}), "returnCancel"
        )["return"]

        assert cancelled["status"] == "CANCELLED"
        assert quantities(sync_engine, mug)["committed"] == 0
        after = await money(api, order_id)
        assert (after["totalPrice"], after["totalOutstanding"]) == (
            before["totalPrice"],
            before["totalOutstanding"],
        )

    async def test_a_return_whose_exchange_shipped_is_not_cancelled(
        self, api: Api, database: Database, sync_engine: Engine
    ) -> None:
        await a_shop(database)
        order_id, shipped = await paid_shipped(api, ("TEE", 1))
        opened = ok(
            await api.gql(EXCHANGE_CREATE, exchange_input(order_id, shipped["TEE"], 1, ("MUG", 1))),
            "returnCreate",
        )["return"]
        works = (await api.gql(OPEN_WORK, {"id": order_id})).ok()["order"]["fulfillmentOrders"]
        (mug_work,) = [n["id"] for n in works["nodes"] if n["status"] == "OPEN"]
        ok(
            await api.gql(
                SHIP, {"input": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": mug_work}]}}
            ),
            "fulfillmentCreate",
        )
        before = (await money(api, order_id), refund_counts(sync_engine))

        refused = (await api.gql(LIFECYCLE % "returnCancel", {"id": opened["id"]})).ok()[
            "returnCancel"
        ]

        assert [e["code"] for e in refused["userErrors"]] == ["INVALID_STATE"]
        assert (await money(api, order_id), refund_counts(sync_engine)) == before
        status = (await api.gql(READ_RETURN, {"id": opened["id"]})).ok()["return"]["status"]
        assert status == "OPEN"


async def test_a_cancel_refund_from_a_location_without_the_units_names_its_input(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    # take_off's refusal named ["locationId"], a path refundCreate has no input at.
    shop = await a_shop(database)
    order = await create_order(api, ("TEE", 2), financialStatus="PAID")
    tee = (await line_ids(api, order["id"]))["TEE"]
    before = (await money(api, order["id"]), refund_counts(sync_engine))
    variables = refund_input(order["id"], (tee, 1, "CANCEL"))
    variables["input"]["refundLineItems"][0]["locationId"] = f"gid://oms/Location/{shop.roma.id}"

    refused = (await api.gql(REFUND, variables)).ok()["refundCreate"]

    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("INSUFFICIENT_QUANTITY", ["input", "refundLineItems", "0", "locationId"])
    ]
    assert (await money(api, order["id"]), refund_counts(sync_engine)) == before


async def test_a_partner_sees_no_reservation_consumed_by_another_channels_order(
    api: Api, database: Database
) -> None:
    # RESERVATION_CONSUMED carried no channel: every token reading inventory got it, with
    # the id of the order (of any channel) that consumed the reservation.
    await a_shop(database)
    await a_channel(database, handle="amazon-it")
    held = (await reserve(api, ("TEE", 1)))["reservation"]
    order = await create_order(api, ("TEE", 1), channel="amazon-it", reservationId=held["id"])
    partner_a = api.token("read_orders", "read_inventory", channels=["web"], subject="a")
    partner_b = api.token("read_orders", "read_inventory", channels=["amazon-it"], subject="b")

    seen_by_a = (await api.gql(CONSUMED, token=partner_a)).ok()["events"]["nodes"]
    seen_by_b = (await api.gql(CONSUMED, token=partner_b)).ok()["events"]["nodes"]

    assert seen_by_a == []
    assert [n["data"]["orderId"] for n in seen_by_b] == [order["id"]]


async def test_a_cancelled_orders_return_takes_no_exchange(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    # An order cancelled after part of it shipped owes nothing (its money was refunded):
    # an exchange on its return was placed and shipped, and the buyer owed nothing for it.
    await a_shop(database)
    order = await create_order(api, ("TEE", 2), financialStatus="PAID")
    (fo,) = (await api.gql(FOS, {"id": order["id"]})).ok()["order"]["fulfillmentOrders"]["nodes"]
    part = {
        "fulfillmentOrderId": fo["id"],
        "fulfillmentOrderLineItems": [{"id": fo["lineItems"]["nodes"][0]["id"], "quantity": 1}],
    }
    shipped = ok(
        await api.gql(SHIP, {"input": {"lineItemsByFulfillmentOrder": [part]}}), "fulfillmentCreate"
    )
    (tee,) = shipped["fulfillment"]["fulfillmentLineItems"]
    ok(await api.gql(CANCEL, {"id": order["id"], "restock": True, "refund": True}), "orderCancel")
    before = (await money(api, order["id"]), refund_counts(sync_engine))

    refused = (
        await api.gql(EXCHANGE_CREATE, exchange_input(order["id"], tee["id"], 1, ("MUG", 1)))
    ).ok()["returnCreate"]

    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("INVALID_STATE", ["returnInput", "exchangeLineItems"])
    ]
    assert (await money(api, order["id"]), refund_counts(sync_engine)) == before
