"""Exchanges through the API: even, up and down exchanges with the money at each step,
placement once the return is received (or at once, by a setting), bad input refused."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine

from oms_graphql.db import Database
from oms_graphql.inventory.items import ItemFields, Money, create_item
from oms_graphql.settings import Settings
from tests.api import Api
from tests.factories import quantities, stocked
from tests.orders_support import Shop, a_shop, create_order
from tests.test_refunds_api import (
    REFUND,
    SUGGEST,
    line_ids,
    money,
    refund_counts,
    refund_input,
    ship_all,
    transactions_of,
)
from tests.test_returns_api import APPROVE, DISPOSE, FO, REQUEST, SHIP, ok

pytestmark = pytest.mark.usefixtures("ledger_checked")

EMAIL = "maria@example.com"
RETURN_FIELDS = """id status
  exchangeLineItems(first: 10) { nodes { id sku quantity price { amount }
    lineItem { sku currentQuantity unfulfilledQuantity } } }
  reverseFulfillmentOrders(first: 5) { nodes { lineItems(first: 5) { nodes { id } } } }"""
CREATE = (
    "mutation($input: ReturnInput!) { returnCreate(returnInput: $input) { return { "
    + RETURN_FIELDS
    + " } userErrors { field message code } } }"
)
READ = "query($id: ID!) { return(id: $id) { " + RETURN_FIELDS + " } }"
MARK_PAID = """mutation($id: ID!) { orderMarkAsPaid(id: $id) {
  order { displayFinancialStatus totalOutstanding { amount } } userErrors { code } } }"""


async def a_jacket(database: Database, shop: Shop) -> None:
    """A pricier item: 29.90 EUR, 5 at Milano."""
    async with database.transaction() as session:
        item = await create_item(
            session,
            given=ItemFields(
                sku="JACKET", title="Jacket", unit_price=Money(Decimal("29.90"), "EUR")
            ),
        )
    await stocked(database, item, shop.milano, 5)


def exchange_input(
    order_id: str, line_id: str, returned: int, *exchange: tuple[str, int]
) -> dict[str, Any]:
    return {
        "input": {
            "orderId": order_id,
            "returnLineItems": [
                {"fulfillmentLineItemId": line_id, "quantity": returned, "returnReason": "STYLE"}
            ],
            "exchangeLineItems": [{"sku": sku, "quantity": quantity} for sku, quantity in exchange],
        }
    }


async def receive(api: Api, opened: dict[str, Any], milano_id: str, quantity: int) -> None:
    (rfo,) = opened["reverseFulfillmentOrders"]["nodes"]
    (rfo_line,) = rfo["lineItems"]["nodes"]
    ok(
        await api.gql(
            DISPOSE,
            {
                "inputs": [
                    {
                        "reverseFulfillmentOrderLineItemId": rfo_line["id"],
                        "quantity": quantity,
                        "dispositionType": "RESTOCKED",
                        "locationId": milano_id,
                    }
                ]
            },
        ),
        "reverseFulfillmentOrderDispose",
    )


async def paid_shipped(api: Api, *lines: tuple[str, int]) -> tuple[str, dict[str, str]]:
    order = await create_order(api, *lines, financialStatus="PAID")
    return order["id"], await ship_all(api, order["id"])


async def test_an_even_exchange_is_placed_once_the_return_is_received(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    order_id, shipped = await paid_shipped(api, ("TEE", 2))
    assert (await money(api, order_id))["totalPrice"] == "48.56"
    opened = ok(
        await api.gql(CREATE, exchange_input(order_id, shipped["TEE"], 1, ("MUG", 1))),
        "returnCreate",
    )["return"]
    (exchange,) = opened["exchangeLineItems"]["nodes"]
    assert (exchange["sku"], exchange["quantity"], exchange["price"]) == (
        "MUG",
        1,
        {"amount": "19.90"},
    )
    assert exchange["lineItem"] is None
    mug = shop.levels[("MUG", "Milano")]
    assert quantities(sync_engine, mug)["committed"] == 0
    assert (await money(api, order_id))["totalOutstanding"] == "0.00"

    await receive(api, opened, f"gid://oms/Location/{shop.milano.id}", 1)

    read = (await api.gql(READ, {"id": opened["id"]})).ok()["return"]
    (exchange,) = read["exchangeLineItems"]["nodes"]
    assert exchange["lineItem"] == {"sku": "MUG", "currentQuantity": 1, "unfulfilledQuantity": 1}
    assert quantities(sync_engine, mug)["committed"] == 1
    after = await money(api, order_id)
    assert (after["totalPrice"], after["totalOutstanding"], after["displayFinancialStatus"]) == (
        "48.56",
        "0.00",
        "PAID",
    )
    assert after["displayFulfillmentStatus"] == "PARTIALLY_FULFILLED"
    # The returned tee left the order with the exchange: it can't be refunded as well.
    tee = (await line_ids(api, order_id))["TEE"]
    refused = (await api.gql(REFUND, refund_input(order_id, (tee, 1, "RETURN")))).ok()[
        "refundCreate"
    ]
    assert [e["code"] for e in refused["userErrors"]] == ["NOT_RETURNED"]
    events = (
        await api.gql(
            "query($id: ID!) { events(first: 50, subjectId: $id) { nodes { type data } } }",
            {"id": opened["id"]},
        )
    ).ok()["events"]["nodes"]
    (exchanged,) = [e for e in events if e["type"] == "RETURN_EXCHANGED"]
    assert exchanged["data"]["totalOutstanding"] == "0.00"


async def test_an_up_exchange_leaves_a_balance_due_to_collect(api: Api, database: Database) -> None:
    shop = await a_shop(database)
    await a_jacket(database, shop)
    order_id, shipped = await paid_shipped(api, ("TEE", 1))
    opened = ok(
        await api.gql(CREATE, exchange_input(order_id, shipped["TEE"], 1, ("JACKET", 1))),
        "returnCreate",
    )["return"]
    await receive(api, opened, f"gid://oms/Location/{shop.milano.id}", 1)
    # 29.90 + 22% = 36.48 for the jacket, less 24.28 for the tee.
    after = await money(api, order_id)
    assert (after["totalPrice"], after["totalOutstanding"], after["displayFinancialStatus"]) == (
        "36.48",
        "12.20",
        "PARTIALLY_PAID",
    )
    paid = ok(await api.gql(MARK_PAID, {"id": order_id}), "orderMarkAsPaid")
    assert paid["order"] == {
        "displayFinancialStatus": "PAID",
        "totalOutstanding": {"amount": "0.00"},
    }


async def test_a_down_exchange_owes_a_refund_paid_with_refund_create(
    api: Api, database: Database
) -> None:
    shop = await a_shop(database)
    order_id, shipped = await paid_shipped(api, ("TEE", 2))
    customer = api.token("customer", email=EMAIL, subject="maria")
    requested = ok(
        await api.gql(
            REQUEST, exchange_input(order_id, shipped["TEE"], 2, ("MUG", 1)), token=customer
        ),
        "returnRequest",
    )["return"]
    opened = ok(await api.gql(APPROVE, {"id": requested["id"]}), "returnApproveRequest")["return"]
    await receive(api, opened, f"gid://oms/Location/{shop.milano.id}", 2)
    after = await money(api, order_id)
    assert (after["totalPrice"], after["totalOutstanding"]) == ("24.28", "-24.28")
    suggested = (await api.gql(SUGGEST, {"id": order_id})).ok()["suggestedRefund"]
    assert suggested["amount"] == {"amount": "24.28"}
    refunded = ok(
        await api.gql(
            REFUND, {"input": {"orderId": order_id, "transactions": transactions_of(suggested)}}
        ),
        "refundCreate",
    )
    assert refunded["order"]["totalOutstanding"] == {"amount": "0.00"}
    assert refunded["order"]["displayFinancialStatus"] == "PARTIALLY_REFUNDED"


async def test_bad_exchange_input_is_refused_and_changes_nothing(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    order_id, shipped = await paid_shipped(api, ("TEE", 1))
    before = refund_counts(sync_engine)
    cases = [
        (
            exchange_input(order_id, shipped["TEE"], 1, ("NOPE", 1)),
            [("NOT_FOUND", ["returnInput", "exchangeLineItems", "0", "sku"])],
        ),
        (
            exchange_input(order_id, shipped["TEE"], 1, ("MUG", 0)),
            [("INVALID_QUANTITY", ["returnInput", "exchangeLineItems", "0", "quantity"])],
        ),
        (
            exchange_input(order_id, shipped["TEE"], 1, *[("MUG", 1)] * 251),
            [("INVALID", ["returnInput", "exchangeLineItems"])],
        ),
    ]
    for variables, expected in cases:
        payload = (await api.gql(CREATE, variables)).ok()["returnCreate"]
        assert payload["return"] is None
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == expected
    assert refund_counts(sync_engine) == before


class TestAtOnce:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return dataclasses.replace(settings, exchanges_fulfill_at_once=True)

    async def test_exchange_lines_are_placed_when_the_return_opens(
        self, api: Api, database: Database, sync_engine: Engine
    ) -> None:
        shop = await a_shop(database)
        order_id, shipped = await paid_shipped(api, ("TEE", 1))
        opened = ok(
            await api.gql(CREATE, exchange_input(order_id, shipped["TEE"], 1, ("MUG", 1))),
            "returnCreate",
        )["return"]
        (exchange,) = opened["exchangeLineItems"]["nodes"]
        assert exchange["lineItem"] == {
            "sku": "MUG",
            "currentQuantity": 1,
            "unfulfilledQuantity": 1,
        }
        assert quantities(sync_engine, shop.levels[("MUG", "Milano")])["committed"] == 1
        # The tee is still the buyer's until it comes back: the mug is due meanwhile.
        assert (await money(api, order_id))["totalOutstanding"] == "24.28"
        await receive(api, opened, f"gid://oms/Location/{shop.milano.id}", 1)
        assert (await money(api, order_id))["totalOutstanding"] == "0.00"
        assert quantities(sync_engine, shop.levels[("MUG", "Milano")])["committed"] == 1


async def test_receiving_is_refused_when_the_exchange_finds_no_stock(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database, mug_roma=0)
    order_id, shipped = await paid_shipped(api, ("TEE", 1), ("MUG", 5))
    opened = ok(
        await api.gql(CREATE, exchange_input(order_id, shipped["TEE"], 1, ("MUG", 1))),
        "returnCreate",
    )["return"]
    (rfo,) = opened["reverseFulfillmentOrders"]["nodes"]
    (rfo_line,) = rfo["lineItems"]["nodes"]
    before = refund_counts(sync_engine)
    money_before = await money(api, order_id)
    refused = (
        await api.gql(
            DISPOSE,
            {
                "inputs": [
                    {
                        "reverseFulfillmentOrderLineItemId": rfo_line["id"],
                        "quantity": 1,
                        "dispositionType": "RESTOCKED",
                        "locationId": f"gid://oms/Location/{shop.milano.id}",
                    }
                ]
            },
        )
    ).ok()["reverseFulfillmentOrderDispose"]
    assert [e["code"] for e in refused["userErrors"]] == ["INSUFFICIENT_STOCK"]
    assert refund_counts(sync_engine) == before
    assert await money(api, order_id) == money_before
    assert quantities(sync_engine, shop.levels[("TEE", "Milano")])["on_hand"] == 9


async def test_an_exchange_is_not_placed_once_its_order_was_cancelled(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    order = await create_order(api, ("TEE", 2), ("MUG", 1), financialStatus="PAID")
    fo_id = (await api.gql(FO, {"id": order["id"]})).ok()["order"]["fulfillmentOrders"]["nodes"][0][
        "id"
    ]
    fo_lines = (
        await api.gql(
            "query($id: ID!) { fulfillmentOrder(id: $id) {"
            " lineItems(first: 5) { nodes { id lineItem { sku } } } } }",
            {"id": fo_id},
        )
    ).ok()["fulfillmentOrder"]["lineItems"]["nodes"]
    (tee_line,) = [line["id"] for line in fo_lines if line["lineItem"]["sku"] == "TEE"]
    shipped = ok(
        await api.gql(
            SHIP,
            {
                "input": {
                    "lineItemsByFulfillmentOrder": [
                        {
                            "fulfillmentOrderId": fo_id,
                            "fulfillmentOrderLineItems": [{"id": tee_line, "quantity": 2}],
                        }
                    ]
                }
            },
        ),
        "fulfillmentCreate",
    )
    (tee,) = shipped["fulfillment"]["fulfillmentLineItems"]
    opened = ok(
        await api.gql(CREATE, exchange_input(order["id"], tee["id"], 1, ("MUG", 1))),
        "returnCreate",
    )["return"]
    ok(
        await api.gql(
            "mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER) "
            "{ userErrors { code } } }",
            {"id": order["id"]},
        ),
        "orderCancel",
    )
    mug = shop.levels[("MUG", "Milano")]
    assert quantities(sync_engine, mug)["committed"] == 0

    await receive(api, opened, f"gid://oms/Location/{shop.milano.id}", 1)

    # Nothing is owed for a cancelled order: its exchange items would ship for free.
    (exchange,) = (await api.gql(READ, {"id": opened["id"]})).ok()["return"]["exchangeLineItems"][
        "nodes"
    ]
    assert exchange["lineItem"] is None
    assert quantities(sync_engine, mug)["committed"] == 0
    assert sorted((await line_ids(api, order["id"])).keys()) == ["MUG", "TEE"]
    events = (
        await api.gql(
            "query($id: ID!) { events(first: 50, subjectId: $id) { nodes { type } } }",
            {"id": opened["id"]},
        )
    ).ok()["events"]["nodes"]
    assert "RETURN_EXCHANGED" not in [e["type"] for e in events]
    # Its returned unit is refunded instead.
    tee_id = (await line_ids(api, order["id"]))["TEE"]
    ok(await api.gql(REFUND, refund_input(order["id"], (tee_id, 1, "RETURN"))), "refundCreate")
