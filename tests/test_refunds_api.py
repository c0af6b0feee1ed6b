"""Refunds through the API: a full return refunded with the suggested money, cancelling
unfulfilled units, refusals that change nothing, idempotency, and the cost of a list."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from oms_graphql.db import Database
from tests.api import Api
from tests.factories import a_channel, an_item, quantities, stocked
from tests.orders_support import a_shop, create_order, table_counts
from tests.test_returns_api import (
    APPROVE,
    DISPOSE,
    FO,
    LABEL,
    LIFECYCLE,
    REQUEST,
    SHIP,
    ok,
    return_input,
)
from tests.test_returns_api import CREATE as CREATE_RETURN

pytestmark = pytest.mark.usefixtures("ledger_checked")

EMAIL = "maria@example.com"
MONEY = """subtotalPrice { amount } totalTax { amount } totalShipping { amount }
  totalPrice { amount } totalReceived { amount } totalRefunded { amount }
  totalOutstanding { amount } displayFinancialStatus displayFulfillmentStatus version"""
REFUND_FIELDS = """id note createdAt totalRefunded { amount currencyCode }
  shipping { amount { amount } tax { amount } }
  return { id name }
  order { id }
  refundLineItems { quantity restockType subtotal { amount } totalTax { amount }
    location { name } lineItem { sku refundableQuantity currentQuantity unfulfilledQuantity } }
  transactions { kind amount { amount } parentTransactionId }"""
REFUND = (
    "mutation($input: RefundInput!, $key: String) { refundCreate(input: $input, "
    "idempotencyKey: $key) { refund { " + REFUND_FIELDS + " } order { " + MONEY + " } "
    "userErrors { field message code } } }"
)
SUGGEST = """query($id: ID!, $lines: [RefundLineItemInput!], $shipping: ShippingRefundInput) {
  suggestedRefund(orderId: $id, refundLineItems: $lines, shipping: $shipping) {
    amount { amount } subtotal { amount } totalTax { amount } maximumRefundable { amount }
    refundLineItems { quantity restockType subtotal { amount } totalTax { amount } }
    shipping { amount { amount } tax { amount } maximumRefundable { amount } }
    suggestedTransactions { kind amount { amount currencyCode } parentTransaction { id kind } }
  } }"""
ORDER_MONEY = "query($id: ID!) { order(id: $id) { " + MONEY + " } }"
LINES = """query($id: ID!) { order(id: $id) { lineItems(first: 10) { nodes { id sku
  refundableQuantity currentQuantity unfulfilledQuantity } } } }"""

PAID = {
    "financialStatus": "PAID",
    "shippingLines": [{"title": "Standard", "price": "6.90"}],
    "discounts": [{"valueType": "FIXED_AMOUNT", "value": "5.00", "title": "Welcome"}],
}


async def line_ids(api: Api, order_id: str) -> dict[str, str]:
    nodes = (await api.gql(LINES, {"id": order_id})).ok()["order"]["lineItems"]["nodes"]
    return {node["sku"]: node["id"] for node in nodes}


async def money(api: Api, order_id: str) -> dict[str, Any]:
    order = (await api.gql(ORDER_MONEY, {"id": order_id})).ok()["order"]
    return {
        key: value["amount"] if isinstance(value, dict) else value for key, value in order.items()
    }


async def ship_all(api: Api, order_id: str) -> dict[str, str]:
    """Ship every fulfillment order; the fulfillment line ids by SKU."""
    fos = (await api.gql(FO, {"id": order_id})).ok()["order"]["fulfillmentOrders"]["nodes"]
    ids: dict[str, str] = {}
    for fo in fos:
        shipped = ok(
            await api.gql(
                SHIP, {"input": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}]}}
            ),
            "fulfillmentCreate",
        )
        for line in shipped["fulfillment"]["fulfillmentLineItems"]:
            ids[line["lineItem"]["sku"]] = line["id"]
    return ids


def refund_input(order_id: str, *lines: tuple[str, int, str], **extra: Any) -> dict[str, Any]:
    return {
        "input": {
            "orderId": order_id,
            "refundLineItems": [
                {"lineItemId": line_id, "quantity": quantity, "restockType": restock}
                for line_id, quantity, restock in lines
            ],
            **extra,
        }
    }


def transactions_of(suggested: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"parentId": t["parentTransaction"]["id"], "amount": t["amount"]}
        for t in suggested["suggestedTransactions"]
    ]


def refund_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        counted = {
            table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in ("refunds", "refund_lines", "inventory_levels", "return_lines")
        }
        counted["refunded units"] = int(
            connection.execute(
                text("SELECT coalesce(sum(refunded_quantity), 0) FROM order_lines")
            ).scalar_one()
        )
    return {**table_counts(engine), **counted}


async def test_a_full_return_refunded_with_the_suggested_money(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    # Given a paid order of 4 tees and a mug (5.00 off the order, 6.90 shipping, 22% tax),
    # shipped in full: tee 75.60 + 16.63 tax, mug 18.90 + 4.16, shipping 6.90 + 1.52.
    shop = await a_shop(database)
    order = await create_order(api, ("TEE", 4), ("MUG", 1), **PAID)
    order_id = order["id"]
    assert await money(api, order_id) == {
        "subtotalPrice": "94.50",
        "totalTax": "22.31",
        "totalShipping": "6.90",
        "totalPrice": "123.71",
        "totalReceived": "123.71",
        "totalRefunded": "0.00",
        "totalOutstanding": "0.00",
        "displayFinancialStatus": "PAID",
        "displayFulfillmentStatus": "UNFULFILLED",
        "version": order["version"],
    }
    shipped = await ship_all(api, order_id)
    lines = await line_ids(api, order_id)
    milano = shop.levels[("TEE", "Milano")]
    assert quantities(sync_engine, milano)["on_hand"] == 6

    # The buyer asks to return the 4 tees; staff approve, label, receive 2 restocked and
    # 2 damaged: stock moves by the dispositions, money not yet.
    customer = api.token("customer", email=EMAIL, subject="maria")
    requested = ok(
        await api.gql(REQUEST, return_input(order_id, (shipped["TEE"], 4)), token=customer),
        "returnRequest",
    )["return"]
    opened = ok(await api.gql(APPROVE, {"id": requested["id"]}), "returnApproveRequest")["return"]
    (rfo,) = opened["reverseFulfillmentOrders"]["nodes"]
    (rfo_line,) = rfo["lineItems"]["nodes"]
    ok(await api.gql(LABEL, {"id": rfo["id"]}), "reverseDeliveryCreateWithShipping")
    # Nothing came back yet: a RETURN refund is refused.
    refused = (await api.gql(REFUND, refund_input(order_id, (lines["TEE"], 1, "RETURN")))).ok()[
        "refundCreate"
    ]
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("NOT_RETURNED", ["input", "refundLineItems", "0", "quantity"])
    ]
    milano_id = f"gid://oms/Location/{shop.milano.id}"
    ok(
        await api.gql(
            DISPOSE,
            {
                "inputs": [
                    {
                        "reverseFulfillmentOrderLineItemId": rfo_line["id"],
                        "quantity": quantity,
                        "dispositionType": kind,
                        "locationId": milano_id,
                    }
                    for kind, quantity in (("RESTOCKED", 2), ("DAMAGED", 2))
                ]
            },
        ),
        "reverseFulfillmentOrderDispose",
    )
    level = quantities(sync_engine, milano)
    stock_after_disposal = (level["on_hand"], level["damaged"], level["available"])
    assert stock_after_disposal == (10, 2, 8)
    assert (await money(api, order_id))["totalOutstanding"] == "0.00"

    # The suggestion: the tees' share of the discount and tax, against the SALE.
    suggested = (
        await api.gql(
            SUGGEST,
            {
                "id": order_id,
                "lines": [{"lineItemId": lines["TEE"], "quantity": 4, "restockType": "RETURN"}],
            },
        )
    ).ok()["suggestedRefund"]
    assert suggested["subtotal"] == {"amount": "75.60"}
    assert suggested["totalTax"] == {"amount": "16.63"}
    assert suggested["amount"] == {"amount": "92.23"}
    assert suggested["maximumRefundable"] == {"amount": "123.71"}
    (transaction,) = suggested["suggestedTransactions"]
    assert (transaction["kind"], transaction["parentTransaction"]["kind"]) == ("REFUND", "SALE")
    assert transaction["amount"] == {"amount": "92.23", "currencyCode": "EUR"}

    # Refund 2 tees, then 2 more: the prorated parts add up to the line to the cent.
    first = ok(
        await api.gql(
            REFUND,
            refund_input(
                order_id,
                (lines["TEE"], 2, "RETURN"),
                transactions=[
                    {
                        "parentId": transaction["parentTransaction"]["id"],
                        "amount": {"amount": "46.12", "currencyCode": "EUR"},
                    }
                ],
                note="first half",
            ),
        ),
        "refundCreate",
    )
    (part,) = first["refund"]["refundLineItems"]
    assert (part["subtotal"]["amount"], part["totalTax"]["amount"]) == ("37.80", "8.32")
    assert first["refund"]["return"]["id"] == opened["id"]
    assert first["order"]["totalOutstanding"] == {"amount": "0.00"}
    assert first["order"]["displayFinancialStatus"] == "PARTIALLY_REFUNDED"
    second_suggestion = (
        await api.gql(
            SUGGEST,
            {
                "id": order_id,
                "lines": [{"lineItemId": lines["TEE"], "quantity": 9, "restockType": "RETURN"}],
            },
        )
    ).ok()["suggestedRefund"]
    assert second_suggestion["refundLineItems"][0]["quantity"] == 2
    assert second_suggestion["amount"] == {"amount": "46.11"}
    second = ok(
        await api.gql(
            REFUND,
            refund_input(
                order_id,
                (lines["TEE"], 2, "RETURN"),
                transactions=transactions_of(second_suggestion),
            ),
        ),
        "refundCreate",
    )
    refund = second["refund"]
    (part,) = refund["refundLineItems"]
    assert (part["subtotal"]["amount"], part["totalTax"]["amount"]) == ("37.80", "8.31")
    assert part["lineItem"] == {
        "sku": "TEE",
        "refundableQuantity": 0,
        "currentQuantity": 0,
        "unfulfilledQuantity": 0,
    }
    assert refund["totalRefunded"] == {"amount": "46.11", "currencyCode": "EUR"}
    assert [t["kind"] for t in refund["transactions"]] == ["REFUND"]
    after = second["order"]
    assert after["totalRefunded"] == {"amount": "92.23"}
    assert after["totalOutstanding"] == {"amount": "0.00"}
    assert after["totalPrice"] == {"amount": "31.48"}
    assert after["displayFinancialStatus"] == "PARTIALLY_REFUNDED"
    assert after["displayFulfillmentStatus"] == "FULFILLED"
    # Refunds moved no stock: the dispositions did.
    level = quantities(sync_engine, milano)
    assert (level["on_hand"], level["damaged"], level["available"]) == stock_after_disposal

    # Every returned unit is refunded now: a third refund of them is refused.
    again = (await api.gql(REFUND, refund_input(order_id, (lines["TEE"], 1, "RETURN")))).ok()[
        "refundCreate"
    ]
    assert [e["code"] for e in again["userErrors"]] == ["OVER_REFUND"]

    closed = ok(await api.gql(LIFECYCLE % "returnClose", {"id": opened["id"]}), "returnClose")
    assert closed["return"]["status"] == "CLOSED"
    read = (
        await api.gql(
            "query($id: ID!) { return(id: $id) { refunds { id totalRefunded { amount } } } }",
            {"id": opened["id"]},
        )
    ).ok()["return"]
    assert [r["totalRefunded"]["amount"] for r in read["refunds"]] == ["46.12", "46.11"]

    # The mug the buyer keeps and the shipping: the rest of the money; REFUNDED.
    rest = (
        await api.gql(
            SUGGEST,
            {
                "id": order_id,
                "lines": [{"lineItemId": lines["MUG"], "quantity": 1}],
                "shipping": {"fullRefund": True},
            },
        )
    ).ok()["suggestedRefund"]
    assert rest["shipping"] == {
        "amount": {"amount": "6.90"},
        "tax": {"amount": "1.52"},
        "maximumRefundable": {"amount": "6.90"},
    }
    assert rest["amount"] == {"amount": "31.48"}
    last = ok(
        await api.gql(
            REFUND,
            refund_input(
                order_id,
                (lines["MUG"], 1, "NO_RESTOCK"),
                shipping={"fullRefund": True},
                transactions=transactions_of(rest),
            ),
        ),
        "refundCreate",
    )
    assert last["refund"]["shipping"] == {"amount": {"amount": "6.90"}, "tax": {"amount": "1.52"}}
    assert await money(api, order_id) == {
        "subtotalPrice": "0.00",
        "totalTax": "0.00",
        "totalShipping": "0.00",
        "totalPrice": "0.00",
        "totalReceived": "123.71",
        "totalRefunded": "123.71",
        "totalOutstanding": "0.00",
        "displayFinancialStatus": "REFUNDED",
        "displayFulfillmentStatus": "FULFILLED",
        "version": last["order"]["version"],
    }
    level = quantities(sync_engine, shop.levels[("MUG", "Milano")])
    assert level["on_hand"] == 4

    events = (
        await api.gql(
            "query($id: ID!) { events(first: 100, subjectId: $id) { nodes { type data } } }",
            {"id": order_id},
        )
    ).ok()["events"]["nodes"]
    created = [e for e in events if e["type"] == "REFUND_CREATED"]
    assert len(created) == 3
    assert created[0]["data"]["returnId"] == opened["id"]
    assert created[-1]["data"]["totalRefunded"] == "31.48"
    statuses = [
        e["data"]["displayFinancialStatus"] for e in events if e["type"] == "ORDER_STATUS_CHANGED"
    ]
    assert statuses[-2:] == ["PARTIALLY_REFUNDED", "REFUNDED"]


async def test_cancel_takes_unfulfilled_units_off_their_work_and_restocks_them(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    order = await create_order(api, ("TEE", 3), financialStatus="PAID")
    lines = await line_ids(api, order["id"])
    milano = shop.levels[("TEE", "Milano")]
    assert (
        quantities(sync_engine, milano)["committed"],
        quantities(sync_engine, milano)["available"],
    ) == (3, 7)
    suggested = (
        await api.gql(
            SUGGEST,
            {
                "id": order["id"],
                "lines": [{"lineItemId": lines["TEE"], "quantity": 1, "restockType": "CANCEL"}],
            },
        )
    ).ok()["suggestedRefund"]
    # 19.90 + 22% = 24.28 a unit.
    assert suggested["amount"] == {"amount": "24.28"}
    refunded = ok(
        await api.gql(
            REFUND,
            refund_input(
                order["id"], (lines["TEE"], 1, "CANCEL"), transactions=transactions_of(suggested)
            ),
        ),
        "refundCreate",
    )
    (part,) = refunded["refund"]["refundLineItems"]
    assert part["location"] == {"name": "Milano"}
    assert part["lineItem"] == {
        "sku": "TEE",
        "refundableQuantity": 2,
        "currentQuantity": 2,
        "unfulfilledQuantity": 2,
    }
    assert refunded["order"]["totalOutstanding"] == {"amount": "0.00"}
    assert refunded["order"]["displayFinancialStatus"] == "PARTIALLY_REFUNDED"
    level = quantities(sync_engine, milano)
    assert (level["on_hand"], level["committed"], level["available"]) == (10, 2, 8)
    work = (await api.gql(FO, {"id": order["id"]})).ok()["order"]["fulfillmentOrders"]["nodes"]
    remaining = (
        await api.gql(
            "query($id: ID!) { node(id: $id) { ... on FulfillmentOrder { lineItems(first: 5) "
            "{ nodes { totalQuantity remainingQuantity } } } } }",
            {"id": work[0]["id"]},
        )
    ).ok()["node"]["lineItems"]["nodes"]
    assert remaining == [{"totalQuantity": 2, "remainingQuantity": 2}]
    # CANCEL of more than is unfulfilled: refused, nothing changes.
    before = refund_counts(sync_engine)
    refused = (await api.gql(REFUND, refund_input(order["id"], (lines["TEE"], 3, "CANCEL")))).ok()[
        "refundCreate"
    ]
    assert [e["code"] for e in refused["userErrors"]] == ["OVER_REFUND"]
    assert refund_counts(sync_engine) == before
    changes = (
        await api.gql("{ events(first: 50, types: [INVENTORY_LEVEL_CHANGED]) { nodes { data } } }")
    ).ok()["events"]["nodes"]
    assert any(change["data"].get("reason") == "RESTOCK" for change in changes), changes


async def test_a_line_named_twice_in_one_refund_takes_all_its_units_off_work_and_stock(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    order = await create_order(api, ("TEE", 3), financialStatus="PAID")
    tee = (await line_ids(api, order["id"]))["TEE"]
    refunded = ok(
        await api.gql(REFUND, refund_input(order["id"], (tee, 1, "CANCEL"), (tee, 1, "CANCEL"))),
        "refundCreate",
    )
    assert [
        part["lineItem"]["currentQuantity"] for part in refunded["refund"]["refundLineItems"]
    ] == [
        1,
        1,
    ]
    level = quantities(sync_engine, shop.levels[("TEE", "Milano")])
    assert (level["on_hand"], level["committed"], level["available"]) == (10, 1, 9)
    (fo,) = (await api.gql(FO, {"id": order["id"]})).ok()["order"]["fulfillmentOrders"]["nodes"]
    remaining = (
        await api.gql(
            "query($id: ID!) { node(id: $id) { ... on FulfillmentOrder { lineItems(first: 5) "
            "{ nodes { totalQuantity remainingQuantity } } } } }",
            {"id": fo["id"]},
        )
    ).ok()["node"]["lineItems"]["nodes"]
    assert remaining == [{"totalQuantity": 1, "remainingQuantity": 1}]


async def test_refusals_change_nothing(api: Api, database: Database, sync_engine: Engine) -> None:
    await a_shop(database)
    await a_channel(database, handle="amazon-it")
    order = await create_order(api, ("TEE", 2), financialStatus="PAID")
    await ship_all(api, order["id"])
    tee = (await line_ids(api, order["id"]))["TEE"]
    sale = (
        await api.gql(
            "query($id: ID!) { order(id: $id) { transactions { id kind amount { amount } } } }",
            {"id": order["id"]},
        )
    ).ok()["order"]["transactions"][0]
    assert (sale["kind"], sale["amount"]["amount"]) == ("SALE", "48.56")
    before = refund_counts(sync_engine)
    money_before = await money(api, order["id"])

    def give(amount: str, currency: str = "EUR") -> list[dict[str, Any]]:
        return [{"parentId": sale["id"], "amount": {"amount": amount, "currencyCode": currency}}]

    cases: list[tuple[dict[str, Any], list[tuple[str, list[str]]]]] = [
        (
            refund_input(order["id"], (tee, 2, "NO_RESTOCK"), transactions=give("48.57")),
            [("REFUND_EXCEEDS_PAID", ["input", "transactions", "0", "amount", "amount"])],
        ),
        (
            refund_input(order["id"], (tee, 1, "NO_RESTOCK"), transactions=give("30.00")),
            [("REFUND_EXCEEDS_REFUNDABLE", ["input", "transactions"])],
        ),
        (
            {"input": {"orderId": order["id"], "transactions": give("0.01")}},
            [("REFUND_EXCEEDS_REFUNDABLE", ["input", "transactions"])],
        ),
        (
            refund_input(order["id"], (tee, 3, "NO_RESTOCK")),
            [("OVER_REFUND", ["input", "refundLineItems", "0", "quantity"])],
        ),
        (
            refund_input(order["id"], (tee, 1, "RETURN")),
            [("NOT_RETURNED", ["input", "refundLineItems", "0", "quantity"])],
        ),
        (
            refund_input(order["id"], (tee, 1, "CANCEL")),
            [("ALREADY_FULFILLED", ["input", "refundLineItems", "0", "quantity"])],
        ),
        (
            refund_input(order["id"], (tee, 1, "NO_RESTOCK"), transactions=give("24.28", "USD")),
            [("CURRENCY_MISMATCH", ["input", "transactions", "0", "amount", "currencyCode"])],
        ),
        (
            refund_input(order["id"], (tee, 1, "NO_RESTOCK"), transactions=give("-1.00")),
            [("INVALID", ["input", "transactions", "0", "amount", "amount"])],
        ),
        (
            refund_input(order["id"], (tee, 0, "NO_RESTOCK")),
            [("INVALID_QUANTITY", ["input", "refundLineItems", "0", "quantity"])],
        ),
        ({"input": {"orderId": order["id"]}}, [("BLANK", ["input"])]),
    ]
    for variables, expected in cases:
        payload = (await api.gql(REFUND, variables)).ok()["refundCreate"]
        assert payload["refund"] is None
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == expected, variables
    partner = api.token("write_orders", channels=["amazon-it"])
    payload = (
        await api.gql(REFUND, refund_input(order["id"], (tee, 1, "NO_RESTOCK")), token=partner)
    ).ok()["refundCreate"]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("NOT_FOUND", ["input", "orderId"])
    ]
    hidden = (
        await api.gql(
            SUGGEST,
            {"id": order["id"], "lines": [{"lineItemId": tee, "quantity": 1}]},
            token=api.token("read_orders", channels=["amazon-it"]),
        )
    ).ok()
    assert hidden["suggestedRefund"] is None
    assert refund_counts(sync_engine) == before
    assert await money(api, order["id"]) == money_before


async def test_a_repeat_with_the_same_key_refunds_once(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    order = await create_order(api, ("TEE", 2), financialStatus="PAID")
    tee = (await line_ids(api, order["id"]))["TEE"]
    suggested = (
        await api.gql(
            SUGGEST,
            {
                "id": order["id"],
                "lines": [{"lineItemId": tee, "quantity": 1, "restockType": "CANCEL"}],
            },
        )
    ).ok()["suggestedRefund"]
    variables = {
        **refund_input(order["id"], (tee, 1, "CANCEL"), transactions=transactions_of(suggested)),
        "key": "refund-1",
    }
    first = ok(await api.gql(REFUND, variables), "refundCreate")
    counts = refund_counts(sync_engine)
    again = ok(await api.gql(REFUND, variables), "refundCreate")
    assert again["refund"]["id"] == first["refund"]["id"]
    assert refund_counts(sync_engine) == counts
    assert counts["refunds"] == 1
    assert (await money(api, order["id"]))["totalRefunded"] == "24.28"


async def test_a_money_only_refund_pays_back_what_an_edit_took_off(
    api: Api, database: Database
) -> None:
    await a_shop(database)
    order = await create_order(api, ("TEE", 2), financialStatus="PAID")
    tee = (await line_ids(api, order["id"]))["TEE"]
    begun = (
        await api.gql(
            "mutation($id: ID!) { orderEditBegin(id: $id) { calculatedOrder { id "
            "lineItems(first: 5) { nodes { id } } } userErrors { code } } }",
            {"id": order["id"]},
        )
    ).ok()["orderEditBegin"]["calculatedOrder"]
    (staged,) = begun["lineItems"]["nodes"]
    ok(
        await api.gql(
            "mutation($id: ID!, $line: ID!) { orderEditSetQuantity(id: $id, lineItemId: $line, "
            "quantity: 1) { calculatedOrder { id } userErrors { field message code } } }",
            {"id": begun["id"], "line": staged["id"]},
        ),
        "orderEditSetQuantity",
    )
    ok(
        await api.gql(
            "mutation($id: ID!) { orderEditCommit(id: $id) { order { id } "
            "userErrors { field message code } } }",
            {"id": begun["id"]},
        ),
        "orderEditCommit",
    )
    assert (await money(api, order["id"]))["totalOutstanding"] == "-24.28"
    suggested = (await api.gql(SUGGEST, {"id": order["id"]})).ok()["suggestedRefund"]
    assert suggested["amount"] == {"amount": "24.28"}
    paid_back = ok(
        await api.gql(
            REFUND, {"input": {"orderId": order["id"], "transactions": transactions_of(suggested)}}
        ),
        "refundCreate",
    )
    assert paid_back["refund"]["refundLineItems"] == []
    assert paid_back["order"]["totalOutstanding"] == {"amount": "0.00"}
    assert paid_back["order"]["displayFinancialStatus"] == "PARTIALLY_REFUNDED"
    nodes = (await api.gql(LINES, {"id": order["id"]})).ok()["order"]["lineItems"]["nodes"]
    assert [(n["id"], n["refundableQuantity"]) for n in nodes] == [(tee, 1)]


async def test_refunds_on_a_list_of_orders_cost_the_same_statements_for_2_or_5(
    api: Api, database: Database
) -> None:
    await a_shop(database, tee_milano=40, tee_roma=40)
    query = """{ orders(first: 10) { nodes { name refunds { id totalRefunded { amount }
      return { name } transactions { amount { amount } }
      refundLineItems { quantity restockType location { name } lineItem { sku } } } } } }"""

    async def refunded_orders(count: int) -> None:
        for _ in range(count):
            order = await create_order(api, ("TEE", 2), financialStatus="PAID")
            tee = (await line_ids(api, order["id"]))["TEE"]
            suggested = (
                await api.gql(
                    SUGGEST,
                    {
                        "id": order["id"],
                        "lines": [{"lineItemId": tee, "quantity": 1, "restockType": "CANCEL"}],
                    },
                )
            ).ok()["suggestedRefund"]
            ok(
                await api.gql(
                    REFUND,
                    refund_input(
                        order["id"],
                        (tee, 1, "CANCEL"),
                        transactions=transactions_of(suggested),
                    ),
                ),
                "refundCreate",
            )

    await refunded_orders(2)
    few = await api.gql(query)
    assert len(few.ok()["orders"]["nodes"]) == 2
    await refunded_orders(3)
    many = await api.gql(query)
    nodes = many.ok()["orders"]["nodes"]
    assert len(nodes) == 5
    assert all(len(node["refunds"]) == 1 for node in nodes)
    assert few.statements == many.statements, (few.statements, many.statements)


async def test_a_shipment_whose_units_were_refunded_cannot_be_cancelled(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    order = await create_order(api, ("TEE", 2), financialStatus="PAID")
    await ship_all(api, order["id"])
    tee = (await line_ids(api, order["id"]))["TEE"]
    kept = ok(
        await api.gql(REFUND, refund_input(order["id"], (tee, 1, "NO_RESTOCK"))), "refundCreate"
    )
    assert kept["refund"]["refundLineItems"][0]["lineItem"]["refundableQuantity"] == 1
    assert kept["order"]["totalOutstanding"] == {"amount": "-24.28"}
    (shipment,) = (
        await api.gql(
            "query($id: ID!) { order(id: $id) { fulfillments { id } } }", {"id": order["id"]}
        )
    ).ok()["order"]["fulfillments"]
    before = refund_counts(sync_engine)
    refused = (
        await api.gql(
            "mutation($id: ID!) { fulfillmentCancel(id: $id) { fulfillment { id } "
            "userErrors { code } } }",
            shipment,
        )
    ).ok()["fulfillmentCancel"]
    assert refused == {"fulfillment": None, "userErrors": [{"code": "INVALID_STATE"}]}
    assert refund_counts(sync_engine) == before


async def test_a_refund_and_a_disposal_of_more_lines_add_only_each_lines_own_writes(
    api: Api, database: Database
) -> None:
    shop = await a_shop(database)
    skus = [f"S{i}" for i in range(6)]
    for sku in skus:
        await stocked(database, await an_item(database, sku=sku), shop.milano, 10)

    async def statements(count: int) -> tuple[int, int, int]:
        """What a CANCEL refund, a disposal and a RETURN refund of ``count`` lines cost."""
        order = await create_order(api, *[(s, 2) for s in skus[:count]], financialStatus="PAID")
        ids = await line_ids(api, order["id"])
        cancel = await api.gql(
            REFUND, refund_input(order["id"], *[(ids[s], 1, "CANCEL") for s in skus[:count]])
        )
        ok(cancel, "refundCreate")
        shipped = await ship_all(api, order["id"])
        opened = ok(
            await api.gql(
                CREATE_RETURN, return_input(order["id"], *[(shipped[s], 1) for s in skus[:count]])
            ),
            "returnCreate",
        )["return"]
        (rfo,) = opened["reverseFulfillmentOrders"]["nodes"]
        disposal = await api.gql(
            DISPOSE,
            {
                "inputs": [
                    {
                        "reverseFulfillmentOrderLineItemId": line["id"],
                        "quantity": 1,
                        "dispositionType": "RESTOCKED",
                        "locationId": f"gid://oms/Location/{shop.milano.id}",
                    }
                    for line in rfo["lineItems"]["nodes"]
                ]
            },
        )
        ok(disposal, "reverseFulfillmentOrderDispose")
        back = await api.gql(
            REFUND, refund_input(order["id"], *[(ids[s], 1, "RETURN") for s in skus[:count]])
        )
        ok(back, "refundCreate")
        return cancel.statements, disposal.statements, back.statements

    few, many = await statements(2), await statements(6)
    per_line = [(b - a) / 4 for a, b in zip(few, many, strict=True)]
    # Reads stay the same; each line adds at most its own writes (3 for a CANCEL or a
    # disposal: its row, its stock update, its ledger or event row; 1 for a RETURN: its
    # refund line). PostgreSQL batches the inserts, so there it costs fewer.
    bounds = [3, 3, 1]
    assert all(cost <= bound for cost, bound in zip(per_line, bounds, strict=True)), (
        few,
        many,
        per_line,
    )
