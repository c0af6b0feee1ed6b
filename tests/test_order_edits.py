"""Order editing through the API: staged sessions that change nothing until committed;
committing moves stock, fulfillment orders and totals, and shows the balance due or the
refund owed to the cent; refusals are coded and change nothing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from sqlalchemy import Engine, text

from oms_graphql.db import Database
from tests.api import Api
from tests.factories import count_rows, events_of, quantities
from tests.orders_support import ORDER, Outbox, a_shop, create_order, outbox, table_counts

pytestmark = pytest.mark.usefixtures("ledger_checked")
__all__ = ["outbox"]  # a fixture

CALCULATED = """id status expiresAt totalPrice { amount } originalTotalPrice { amount }
  subtotalPrice { amount } totalTax { amount } totalOutstanding { amount }
  lineItems(first: 20) { edges { cursor node { id sku quantity originalQuantity
    editableQuantity fulfilledQuantity added discountedTotal { amount }
    stagedDiscount { title value } } } }"""
STAGED = "calculatedOrder {" + CALCULATED + "} userErrors { field message code }"
BEGIN = "mutation($id: ID!) { orderEditBegin(id: $id) {" + STAGED + "} }"
ADD = (
    "mutation($id: ID!, $sku: String!, $q: Int!) {"
    " orderEditAddVariant(id: $id, sku: $sku, quantity: $q) {" + STAGED + "} }"
)
SET = (
    "mutation($id: ID!, $line: ID!, $q: Int!, $restock: Boolean!) {"
    " orderEditSetQuantity(id: $id, lineItemId: $line, quantity: $q, restock: $restock) {"
    + STAGED
    + "} }"
)
DISCOUNT = (
    "mutation($id: ID!, $line: ID!, $d: OrderEditAppliedDiscountInput!) {"
    " orderEditAddLineItemDiscount(id: $id, lineItemId: $line, discount: $d) {" + STAGED + "} }"
)
COMMIT = """mutation($id: ID!, $note: String) {
  orderEditCommit(id: $id, notifyCustomer: true, staffNote: $note) {
    order { id version totalPrice { amount } subtotalPrice { amount } totalTax { amount }
      totalOutstanding { amount } displayFinancialStatus displayFulfillmentStatus
      lineItems(first: 10) { nodes { sku quantity currentQuantity discountedTotal { amount } } }
      fulfillmentOrders(first: 10) { nodes { status assignedLocation { name }
        lineItems(first: 10) { nodes { id sku totalQuantity remainingQuantity } } } } }
    userErrors { field message code } } }"""
FULFILL = """mutation($input: FulfillmentInput!) { fulfillmentCreate(fulfillment: $input) {
  fulfillment { id } userErrors { field message code } } }"""


def staged(result: Any, name: str) -> dict[str, Any]:
    payload = result.ok()[name]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload["calculatedOrder"]  # type: ignore[no-any-return]


def codes(result: Any, name: str) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in result.ok()[name]["userErrors"]]


def line_of(calculated: dict[str, Any], sku: str) -> dict[str, Any]:
    (line,) = [e["node"] for e in calculated["lineItems"]["edges"] if e["node"]["sku"] == sku]
    return line  # type: ignore[no-any-return]


def edit_tables(engine: Engine) -> dict[str, int]:
    """Rows of everything an order touches (edit sessions aside), discounts included."""
    return {
        **table_counts(engine),
        "discounts": count_rows(engine, "order_discount_applications"),
        "allocations": count_rows(engine, "order_discount_allocations"),
    }


async def test_an_edit_changes_nothing_until_commit_then_moves_stock_work_and_money(
    api: Api, database: Database, sync_engine: Engine, outbox: Outbox
) -> None:
    shop = await a_shop(database)
    order = await create_order(
        api,
        ("TEE", 3),
        shippingLines=[{"title": "Standard", "price": "4.90"}],
        financialStatus="PAID",
    )
    # 3 x 19.90 = 59.70 + 13.13 tax, shipping 4.90 + 1.08 tax: 78.81, paid.
    assert order["totalPrice"]["amount"] == "78.81"
    tee, mug = shop.levels[("TEE", "Milano")], shop.levels[("MUG", "Milano")]
    before = edit_tables(sync_engine)
    stock_before = (quantities(sync_engine, tee), quantities(sync_engine, mug))

    calculated = staged(await api.gql(BEGIN, {"id": order["id"]}), "orderEditBegin")
    edit = calculated["id"]
    tee_line = line_of(calculated, "TEE")
    assert (tee_line["quantity"], tee_line["editableQuantity"]) == (3, 3)
    staged(
        await api.gql(SET, {"id": edit, "line": tee_line["id"], "q": 1, "restock": True}),
        "orderEditSetQuantity",
    )
    added = staged(await api.gql(ADD, {"id": edit, "sku": "MUG", "q": 1}), "orderEditAddVariant")
    mug_line = line_of(added, "MUG")
    assert mug_line["added"] is True
    calculated = staged(
        await api.gql(
            DISCOUNT,
            {
                "id": edit,
                "line": mug_line["id"],
                "d": {"valueType": "FIXED_AMOUNT", "value": "5.00", "title": "Sorry"},
            },
        ),
        "orderEditAddLineItemDiscount",
    )

    # TEE 19.90 (tax 4.38) + MUG 19.90 - 5.00 = 14.90 (tax 3.28); shipping 4.90 + 1.08.
    assert calculated["subtotalPrice"]["amount"] == "34.80"
    assert calculated["totalTax"]["amount"] == "8.74"
    assert calculated["totalPrice"]["amount"] == "48.44"
    assert calculated["originalTotalPrice"]["amount"] == "78.81"
    assert calculated["totalOutstanding"]["amount"] == "-30.37"
    # Nothing changed yet.
    assert edit_tables(sync_engine) == before
    assert (quantities(sync_engine, tee), quantities(sync_engine, mug)) == stock_before
    unchanged = (await api.gql(ORDER, {"id": order["id"]})).ok()["order"]
    assert unchanged == order

    result = await api.gql(COMMIT, {"id": edit, "note": "customer called"})

    payload = result.ok()["orderEditCommit"]
    assert payload["userErrors"] == []
    edited = payload["order"]
    assert edited["version"] == order["version"] + 1
    assert edited["totalPrice"]["amount"] == "48.44"
    assert edited["totalOutstanding"]["amount"] == "-30.37"
    assert edited["displayFinancialStatus"] == "PAID"
    assert [
        (n["sku"], n["currentQuantity"], n["discountedTotal"]["amount"])
        for n in edited["lineItems"]["nodes"]
    ] == [("TEE", 1, "19.90"), ("MUG", 1, "14.90")]
    (work,) = edited["fulfillmentOrders"]["nodes"]
    assert work["assignedLocation"]["name"] == "Milano"
    assert [
        (n["sku"], n["totalQuantity"], n["remainingQuantity"]) for n in work["lineItems"]["nodes"]
    ] == [("TEE", 1, 1), ("MUG", 1, 1)]
    assert quantities(sync_engine, tee)["committed"] == 1
    assert quantities(sync_engine, tee)["available"] == stock_before[0]["available"] + 2
    assert quantities(sync_engine, mug)["committed"] == 1
    (event,) = [e for e in events_of(sync_engine) if e["type"] == "order.edited"]
    data = event["data"] if isinstance(event["data"], dict) else json.loads(event["data"])
    assert data["staffNote"] == "customer called"
    assert data["totalOutstanding"] == "-30.37"
    assert [(c["sku"], c["quantityBefore"], c["quantityAfter"]) for c in data["changes"]] == [
        ("TEE", 3, 1),
        ("MUG", 0, 1),
    ]

    assert [(m.to, "30.37" in m.text) for m in outbox.sent] == [("maria@example.com", True)]
    node = await api.gql(
        "query($id: ID!) { node(id: $id) { ... on CalculatedOrder { status"
        " totalPrice { amount } totalOutstanding { amount } } } }",
        {"id": edit},
    )
    assert node.ok()["node"] == {
        "status": "COMMITTED",
        "totalPrice": {"amount": "48.44"},
        "totalOutstanding": {"amount": "-30.37"},
    }
    after = edit_tables(sync_engine)
    again = await api.gql(COMMIT, {"id": edit})
    assert codes(again, "orderEditCommit") == [("ALREADY_COMMITTED", ["id"])]
    late = await api.gql(ADD, {"id": edit, "sku": "MUG", "q": 1})
    assert codes(late, "orderEditAddVariant") == [("ALREADY_COMMITTED", ["id"])]
    assert edit_tables(sync_engine) == after


async def test_added_units_are_routed_and_the_balance_due_is_exact(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database, tee_milano=2, tee_roma=10)
    order = await create_order(api, ("TEE", 2), financialStatus="PAID")
    calculated = staged(await api.gql(BEGIN, {"id": order["id"]}), "orderEditBegin")
    line = line_of(calculated, "TEE")
    staged(
        await api.gql(SET, {"id": calculated["id"], "line": line["id"], "q": 4, "restock": True}),
        "orderEditSetQuantity",
    )

    payload = (await api.gql(COMMIT, {"id": calculated["id"]})).ok()["orderEditCommit"]

    assert payload["userErrors"] == []
    edited = payload["order"]
    # Paid 39.80 + 8.76 tax = 48.56; now 4 x 19.90 = 79.60 + 17.51 tax (22% of the line,
    # 17.512) = 97.11: 48.55 due, not twice 48.56 (tax is rounded once per line).
    assert edited["totalPrice"]["amount"] == "97.11"
    assert edited["totalOutstanding"]["amount"] == "48.55"
    assert edited["displayFinancialStatus"] == "PARTIALLY_PAID"
    by_location = {
        fo["assignedLocation"]["name"]: [
            (n["sku"], n["totalQuantity"]) for n in fo["lineItems"]["nodes"]
        ]
        for fo in edited["fulfillmentOrders"]["nodes"]
    }
    # Milano had no more tees: the new units went to Roma.
    assert by_location == {"Milano": [("TEE", 2)], "Roma": [("TEE", 2)]}
    assert quantities(sync_engine, shop.levels[("TEE", "Roma")])["committed"] == 2
    assert quantities(sync_engine, shop.levels[("TEE", "Milano")])["committed"] == 2

    # Units taken off without restock are written off where they were committed.
    roma = quantities(sync_engine, shop.levels[("TEE", "Roma")])
    again = staged(await api.gql(BEGIN, {"id": order["id"]}), "orderEditBegin")
    line = line_of(again, "TEE")
    staged(
        await api.gql(SET, {"id": again["id"], "line": line["id"], "q": 2, "restock": False}),
        "orderEditSetQuantity",
    )
    partner = api.token("write_orders", channels=["pos"])
    hidden = await api.gql(COMMIT, {"id": again["id"]}, token=partner)
    assert codes(hidden, "orderEditCommit") == [("NOT_FOUND", ["id"])]
    committed = (await api.gql(COMMIT, {"id": again["id"]})).ok()["orderEditCommit"]
    assert committed["userErrors"] == []
    after = quantities(sync_engine, shop.levels[("TEE", "Roma")])
    assert (after["committed"], after["on_hand"], after["available"]) == (
        0,
        roma["on_hand"] - 2,
        roma["available"],
    )
    assert {fo["status"] for fo in committed["order"]["fulfillmentOrders"]["nodes"]} == {
        "OPEN",
        "CANCELLED",
    }


async def test_refused_edits_are_coded_and_change_nothing(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    order = await create_order(api, ("TEE", 3), ("MUG", 1))
    work = (await api.gql(ORDER, {"id": order["id"]})).ok()["order"]["fulfillmentOrders"]
    fo_id = work["nodes"][0]["id"]
    fo_lines = (
        await api.gql(
            "query($id: ID!) { fulfillmentOrder(id: $id) {"
            " lineItems(first: 5) { nodes { id } } } }",
            {"id": fo_id},
        )
    ).ok()["fulfillmentOrder"]["lineItems"]["nodes"]
    shipped = await api.gql(
        FULFILL,
        {
            "input": {
                "lineItemsByFulfillmentOrder": [
                    {
                        "fulfillmentOrderId": fo_id,
                        "fulfillmentOrderLineItems": [{"id": fo_lines[0]["id"], "quantity": 2}],
                    }
                ]
            }
        },
    )
    assert shipped.ok()["fulfillmentCreate"]["userErrors"] == []
    calculated = staged(await api.gql(BEGIN, {"id": order["id"]}), "orderEditBegin")
    tee = line_of(calculated, "TEE")
    assert (tee["fulfilledQuantity"], tee["editableQuantity"]) == (2, 1)
    before = edit_tables(sync_engine)
    edit = calculated["id"]

    below = await api.gql(SET, {"id": edit, "line": tee["id"], "q": 1, "restock": True})
    too_many = await api.gql(ADD, {"id": edit, "sku": "MUG", "q": 500})
    unknown = await api.gql(ADD, {"id": edit, "sku": "NOPE", "q": 1})
    no_stock = await api.gql(COMMIT, {"id": edit})

    assert codes(below, "orderEditSetQuantity") == [("QUANTITY_BELOW_FULFILLED", ["quantity"])]
    assert codes(too_many, "orderEditAddVariant") == []  # staging does not check stock
    assert codes(unknown, "orderEditAddVariant") == [("NOT_FOUND", ["sku"])]
    assert codes(no_stock, "orderEditCommit") == [("INSUFFICIENT_STOCK", ["id"])]
    assert edit_tables(sync_engine) == before

    # The order moved on since the edit began: its commit is stale.
    fresh = staged(await api.gql(BEGIN, {"id": order["id"]}), "orderEditBegin")
    mug = line_of(fresh, "MUG")
    await api.gql(SET, {"id": fresh["id"], "line": mug["id"], "q": 0, "restock": True})
    tagged = await api.gql(
        'mutation($id: ID!) { tagsAdd(id: $id, tags: ["x"]) { node { id } } }', {"id": order["id"]}
    )
    assert tagged.ok()["tagsAdd"]["node"]
    before = edit_tables(sync_engine)
    stale = await api.gql(COMMIT, {"id": fresh["id"]})
    assert codes(stale, "orderEditCommit") == [("STALE", ["id"])]
    # An abandoned session expires.
    with sync_engine.begin() as connection:
        connection.execute(text("UPDATE order_edits SET expires_at = created_at"))
    expired = await api.gql(SET, {"id": fresh["id"], "line": mug["id"], "q": 1, "restock": True})
    assert codes(expired, "orderEditSetQuantity") == [("EXPIRED", ["id"])]
    # A cancelled order can't be edited.
    cancel = await api.gql(
        "mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER) { order { status } } }",
        {"id": order["id"]},
    )
    assert cancel.ok()["orderCancel"]["order"]["status"] == "CANCELLED"
    before = edit_tables(sync_engine)
    sessions = count_rows(sync_engine, "order_edits")
    refused = await api.gql(BEGIN, {"id": order["id"]})
    assert codes(refused, "orderEditBegin") == [("INVALID_STATE", ["id"])]
    assert edit_tables(sync_engine) == before
    assert count_rows(sync_engine, "order_edits") == sessions


async def test_of_two_sessions_committed_at_once_one_wins_and_the_other_is_stale(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    order = await create_order(api, ("TEE", 2), ("MUG", 1))
    sessions = [
        staged(await api.gql(BEGIN, {"id": order["id"]}), "orderEditBegin") for _ in range(2)
    ]
    for session in sessions:
        staged(
            await api.gql(ADD, {"id": session["id"], "sku": "TEE", "q": 3}), "orderEditAddVariant"
        )
    pages = """query($id: ID!, $after: String) { node(id: $id) { ... on CalculatedOrder {
      lineItems(first: 1, after: $after) { edges { cursor node { sku added } }
        pageInfo { hasNextPage } } } } }"""
    seen, after = [], None
    for _ in range(3):
        page = (await api.gql(pages, {"id": sessions[0]["id"], "after": after})).ok()
        items = page["node"]["lineItems"]
        seen += [(edge["node"]["sku"], edge["node"]["added"]) for edge in items["edges"]]
        after = items["edges"][-1]["cursor"]
        if not items["pageInfo"]["hasNextPage"]:
            break
    assert seen == [("TEE", False), ("MUG", False), ("TEE", True)]

    results = await asyncio.gather(
        *(api.gql(COMMIT, {"id": session["id"]}) for session in sessions)
    )

    outcomes = sorted(
        tuple(e["code"] for e in result.ok()["orderEditCommit"]["userErrors"]) for result in results
    )
    assert outcomes == [(), ("STALE",)]
    assert quantities(sync_engine, shop.levels[("TEE", "Milano")])["committed"] == 5


async def test_calculated_orders_read_together_cost_a_constant_number_of_statements(
    api: Api, database: Database
) -> None:
    await a_shop(database)
    ids = []
    for _ in range(3):
        order = await create_order(api, ("TEE", 1), ("MUG", 1))
        ids.append(staged(await api.gql(BEGIN, {"id": order["id"]}), "orderEditBegin")["id"])
    query = """query($ids: [ID!]!) { nodes(ids: $ids) { ... on CalculatedOrder {
      id totalPrice { amount } } } }"""

    one = await api.gql(query, {"ids": ids[:1]})
    many = await api.gql(query, {"ids": ids})

    assert [node["id"] for node in many.ok()["nodes"]] == ids
    assert one.ok()["nodes"][0] == many.ok()["nodes"][0]
    assert one.statements == many.statements, (one.statements, many.statements)
