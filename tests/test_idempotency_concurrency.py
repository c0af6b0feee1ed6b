"""Twenty concurrent identical requests with one idempotency key: one effect, twenty
identical answers, for every mutation that creates something or moves money or stock.

The requests go out together (asyncio.gather over the ASGI app); on PostgreSQL each runs
in its own connection and transaction, so they truly race. The effect is read back from
the database as the change of every table's row count, which must be exactly the change
one request makes, and the stock ledger must still add up (``ledger_checked``).

Adding a mutation is one ``Row``: its document (taking ``$key``), the given-steps that
return its variables, and the rows one successful call adds per table.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine

from oms_graphql.db import Base, Database
from oms_graphql.ids import encode_gid
from tests.api import Api
from tests.orders_support import CREATE as ORDER_CREATE
from tests.orders_support import (
    FO,
    RETURN_CREATE,
    Shop,
    a_shop,
    create_order,
    draft_input,
    ok,
    order_input,
    return_input,
    shipped_order,
    table_counts,
)

pytestmark = pytest.mark.usefixtures("ledger_checked")

REQUESTS = 20
ERRORS = "userErrors { field message code }"
GROUP = "inventoryAdjustmentGroup { id reason changes { name delta } }"
TRANSFER = "inventoryTransfer { id status lineItems { quantity receivedQuantity } }"
ORDER = "order { id version displayFinancialStatus totalOutstanding { amount } }"
DRAFT = "draftOrder { id status version order { id name } }"

Given = Callable[[Api, Database, Shop], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Row:
    mutation: str
    document: str
    given: Given
    adds: dict[str, int]
    """Rows one successful call adds, per table; every other table must stay as it was."""


async def nothing(api: Api, database: Database, shop: Shop) -> dict[str, Any]:
    return {}


async def an_order(api: Api, database: Database, shop: Shop) -> dict[str, Any]:
    return {"id": (await create_order(api, ("TEE", 2), ("MUG", 1)))["id"]}


async def a_paid_order(api: Api, database: Database, shop: Shop) -> dict[str, Any]:
    return {"id": (await create_order(api, ("TEE", 2), ("MUG", 1), financialStatus="PAID"))["id"]}


async def an_authorized_order(api: Api, database: Database, shop: Shop) -> dict[str, Any]:
    order = await create_order(api, ("TEE", 1), financialStatus="AUTHORIZED")
    (authorization,) = order["transactions"]
    return {"input": {"id": order["id"], "parentTransactionId": authorization["id"]}}


async def an_order_to_create(api: Api, database: Database, shop: Shop) -> dict[str, Any]:
    return order_input(("TEE", 1), ("MUG", 2))


async def a_draft_to_create(api: Api, database: Database, shop: Shop) -> dict[str, Any]:
    return {"input": draft_input()}


async def a_draft(api: Api, database: Database, shop: Shop) -> dict[str, Any]:
    created = await api.gql(
        f"mutation($input: DraftOrderInput!) {{ draftOrderCreate(input: $input) {{ {DRAFT} "
        f"{ERRORS} }} }}",
        {"input": draft_input()},
    )
    return {"id": ok(created, "draftOrderCreate")["draftOrder"]["id"]}


def tee(shop: Shop, location: str = "milano") -> dict[str, str]:
    return {
        "inventoryItemId": encode_gid("InventoryItem", shop.tee.id),
        "locationId": encode_gid("Location", getattr(shop, location).id),
    }


async def an_adjustment(api: Api, database: Database, shop: Shop) -> dict[str, Any]:
    changes = [{**tee(shop), "delta": 3}, {**tee(shop, "roma"), "delta": -2}]
    return {"input": {"name": "available", "reason": "CORRECTION", "changes": changes}}


async def a_count(api: Api, database: Database, shop: Shop) -> dict[str, Any]:
    quantities = [{**tee(shop), "quantity": 7}, {**tee(shop, "roma"), "quantity": 30}]
    return {"input": {"name": "on_hand", "reason": "CYCLE_COUNT", "quantities": quantities}}


async def a_move(api: Api, database: Database, shop: Shop) -> dict[str, Any]:
    changes = [{**tee(shop), "quantity": 2, "from": "available", "to": "damaged"}]
    return {"input": {"reason": "DAMAGED", "changes": changes}}


async def a_hold(api: Api, database: Database, shop: Shop) -> dict[str, Any]:
    lines = [{"sku": "TEE", "quantity": 2}, {"sku": "MUG", "quantity": 1}]
    return {"input": {"lineItems": lines, "locationId": encode_gid("Location", shop.roma.id)}}


TRANSFER_CREATE = (
    f"mutation($input: InventoryTransferCreateInput!, $key: String) {{ inventoryTransferCreate("
    f"input: $input, idempotencyKey: $key) {{ {TRANSFER} {ERRORS} }} }}"
)


async def a_transfer_to_create(api: Api, database: Database, shop: Shop) -> dict[str, Any]:
    return {
        "input": {
            "originLocationId": encode_gid("Location", shop.milano.id),
            "destinationLocationId": encode_gid("Location", shop.roma.id),
            "lineItems": [
                {"inventoryItemId": encode_gid("InventoryItem", shop.tee.id), "quantity": 4}
            ],
        }
    }


async def a_transfer(api: Api, database: Database, shop: Shop) -> dict[str, Any]:
    variables = await a_transfer_to_create(api, database, shop)
    created = ok(await api.gql(TRANSFER_CREATE, variables), "inventoryTransferCreate")
    return {"id": created["inventoryTransfer"]["id"]}


async def a_shipped_transfer(api: Api, database: Database, shop: Shop) -> dict[str, Any]:
    transfer = await a_transfer(api, database, shop)
    ship = f"mutation($id: ID!) {{ inventoryTransferShip(id: $id) {{ {TRANSFER} {ERRORS} }} }}"
    ok(await api.gql(ship, transfer), "inventoryTransferShip")
    return transfer


async def work_to_ship(api: Api, database: Database, shop: Shop) -> dict[str, Any]:
    order = await create_order(api, ("TEE", 2))
    fos = (await api.gql(FO, {"id": order["id"]})).ok()["order"]["fulfillmentOrders"]["nodes"]
    lines = [{"fulfillmentOrderId": fo["id"]} for fo in fos]
    return {"fulfillment": {"lineItemsByFulfillmentOrder": lines}}


async def a_shipment_to_return(api: Api, database: Database, shop: Shop) -> dict[str, Any]:
    order_id, lines = await shipped_order(api, ("TEE", 2), ("MUG", 1))
    return {"returnInput": return_input(order_id, (lines["TEE"], 2), (lines["MUG"], 1))["input"]}


async def returned_units(api: Api, database: Database, shop: Shop) -> dict[str, Any]:
    variables = await a_shipment_to_return(api, database, shop)
    created = ok(await api.gql(RETURN_CREATE, {"input": variables["returnInput"]}), "returnCreate")
    (rfo,) = created["return"]["reverseFulfillmentOrders"]["nodes"]
    roma = encode_gid("Location", shop.roma.id)
    tee_line, mug_line = rfo["lineItems"]["nodes"]
    return {
        "dispositionInputs": [
            {
                "reverseFulfillmentOrderLineItemId": tee_line["id"],
                "quantity": 2,
                "dispositionType": "RESTOCKED",
                "locationId": roma,
            },
            {
                "reverseFulfillmentOrderLineItemId": mug_line["id"],
                "quantity": 1,
                "dispositionType": "DAMAGED",
                "locationId": roma,
            },
        ]
    }


LINES = """query($id: ID!) { order(id: $id) { lineItems(first: 5) { nodes { id } } } }"""
SUGGEST = """query($id: ID!, $lines: [RefundLineItemInput!]) {
  suggestedRefund(orderId: $id, refundLineItems: $lines) {
    suggestedTransactions { amount { amount currencyCode } parentTransaction { id } } } }"""


async def a_paid_line_to_refund(api: Api, database: Database, shop: Shop) -> dict[str, Any]:
    order = await create_order(api, ("TEE", 2), financialStatus="PAID")
    found = (await api.gql(LINES, {"id": order["id"]})).ok()["order"]
    lines = [
        {"lineItemId": found["lineItems"]["nodes"][0]["id"], "quantity": 1, "restockType": "CANCEL"}
    ]
    suggested = (await api.gql(SUGGEST, {"id": order["id"], "lines": lines})).ok()
    transactions = [
        {"parentId": t["parentTransaction"]["id"], "amount": t["amount"]}
        for t in suggested["suggestedRefund"]["suggestedTransactions"]
    ]
    assert transactions
    return {
        "input": {"orderId": order["id"], "refundLineItems": lines, "transactions": transactions}
    }


def mutation(name: str, arguments: str, selection: str) -> str:
    """A document for ``name`` taking ``arguments`` (``$var: Type`` pairs) and ``$key``."""
    passed = ", ".join(
        f"{a.split(':')[0].strip()[1:]}: {a.split(':')[0].strip()}" for a in arguments.split(",")
    )
    return (
        f"mutation({arguments}, $key: String) {{ {name}({passed}, idempotencyKey: $key) "
        f"{{ {selection} {ERRORS} }} }}"
    )


ROWS = [
    Row(
        "orderCreate",
        ORDER_CREATE,
        an_order_to_create,
        {
            "customers": 1,
            "events": 5,
            "inventory_adjustment_groups": 1,
            "inventory_changes": 4,
            "orders": 1,
            "order_lines": 2,
            "routing_decisions": 1,
            "fulfillment_orders": 1,
            "fulfillment_order_lines": 2,
        },
    ),
    Row(
        "orderCapture",
        mutation(
            "orderCapture",
            "$input: OrderCaptureInput!",
            "transaction { id kind amount { amount } } " + ORDER,
        ),
        an_authorized_order,
        {"events": 2, "order_transactions": 1},
    ),
    Row(
        "orderMarkAsPaid",
        mutation(
            "orderMarkAsPaid", "$id: ID!", "transaction { id kind amount { amount } } " + ORDER
        ),
        an_order,
        {"events": 2, "order_transactions": 1},
    ),
    Row(
        "orderCancel",
        "mutation($id: ID!, $key: String) { orderCancel(orderId: $id, reason: CUSTOMER, "
        "refund: true, idempotencyKey: $key) { " + ORDER + " " + ERRORS + " } }",
        a_paid_order,
        {
            "events": 5,
            "inventory_adjustment_groups": 1,
            "inventory_changes": 4,
            "order_transactions": 1,
        },
    ),
    Row(
        "draftOrderCreate",
        mutation("draftOrderCreate", "$input: DraftOrderInput!", DRAFT),
        a_draft_to_create,
        {"events": 1, "draft_orders": 1, "draft_order_lines": 2, "draft_order_tags": 1},
    ),
    Row(
        "draftOrderComplete",
        mutation("draftOrderComplete", "$id: ID!", DRAFT),
        a_draft,
        {
            "customers": 1,
            "events": 6,
            "inventory_adjustment_groups": 1,
            "inventory_changes": 2,
            "orders": 1,
            "order_lines": 2,
            "order_shipping_lines": 1,
            "order_tags": 1,
            "order_transactions": 1,
            "routing_decisions": 1,
            "fulfillment_orders": 1,
            "order_discount_applications": 1,
            "fulfillment_order_lines": 2,
            "order_discount_allocations": 2,
        },
    ),
    Row(
        "inventoryAdjustQuantities",
        mutation("inventoryAdjustQuantities", "$input: InventoryAdjustQuantitiesInput!", GROUP),
        an_adjustment,
        {"events": 2, "inventory_adjustment_groups": 1, "inventory_changes": 4},
    ),
    Row(
        "inventorySetQuantities",
        mutation("inventorySetQuantities", "$input: InventorySetQuantitiesInput!", GROUP),
        a_count,
        {"events": 2, "inventory_adjustment_groups": 1, "inventory_changes": 4},
    ),
    Row(
        "inventoryMoveQuantities",
        mutation("inventoryMoveQuantities", "$input: InventoryMoveQuantitiesInput!", GROUP),
        a_move,
        {"events": 1, "inventory_adjustment_groups": 1, "inventory_changes": 2},
    ),
    Row(
        "inventoryReserve",
        mutation(
            "inventoryReserve",
            "$input: InventoryReserveInput!",
            "reservation { id status lineItems { sku quantity } }",
        ),
        a_hold,
        {
            "events": 3,
            "inventory_adjustment_groups": 1,
            "reservations": 1,
            "inventory_changes": 4,
            "reservation_lines": 2,
        },
    ),
    Row(
        "inventoryTransferCreate",
        TRANSFER_CREATE,
        a_transfer_to_create,
        {"events": 1, "inventory_transfers": 1, "inventory_transfer_lines": 1},
    ),
    Row(
        "inventoryTransferShip",
        mutation("inventoryTransferShip", "$id: ID!", TRANSFER),
        a_transfer,
        {"events": 3, "inventory_adjustment_groups": 1, "inventory_changes": 3},
    ),
    Row(
        "inventoryTransferReceive",
        mutation("inventoryTransferReceive", "$id: ID!", TRANSFER),
        a_shipped_transfer,
        {"events": 2, "inventory_adjustment_groups": 1, "inventory_changes": 3},
    ),
    Row(
        "fulfillmentCreate",
        mutation(
            "fulfillmentCreate",
            "$fulfillment: FulfillmentInput!",
            "fulfillment { id status fulfillmentLineItems { id quantity } }",
        ),
        work_to_ship,
        {
            "events": 3,
            "inventory_adjustment_groups": 1,
            "inventory_changes": 2,
            "fulfillments": 1,
            "fulfillment_lines": 1,
        },
    ),
    Row(
        "returnCreate",
        mutation(
            "returnCreate",
            "$returnInput: ReturnInput!",
            "return { id status returnLineItems { id quantity } }",
        ),
        a_shipment_to_return,
        {
            "events": 1,
            "returns": 1,
            "reverse_fulfillment_orders": 1,
            "return_lines": 2,
            "reverse_fulfillment_order_lines": 2,
        },
    ),
    Row(
        "reverseFulfillmentOrderDispose",
        mutation(
            "reverseFulfillmentOrderDispose",
            "$dispositionInputs: [ReverseFulfillmentOrderDisposeInput!]!",
            "reverseFulfillmentOrderLineItems { id remainingQuantity "
            "dispositions { type quantity } }",
        ),
        returned_units,
        {
            "events": 3,
            "inventory_adjustment_groups": 1,
            "inventory_changes": 4,
            "reverse_dispositions": 2,
        },
    ),
    Row(
        "refundCreate",
        mutation(
            "refundCreate",
            "$input: RefundInput!",
            "refund { id totalRefunded { amount } } order { displayFinancialStatus }",
        ),
        a_paid_line_to_refund,
        {
            "events": 4,
            "inventory_adjustment_groups": 1,
            "inventory_changes": 2,
            "order_transactions": 1,
            "refunds": 1,
            "refund_lines": 1,
        },
    ),
]


ALL_TABLES = [table.name for table in Base.metadata.sorted_tables]


@pytest.mark.parametrize("row", ROWS, ids=[row.mutation for row in ROWS])
async def test_twenty_concurrent_identical_requests_act_once(
    row: Row, api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database, tee_milano=50, tee_roma=50, mug_roma=50)
    variables = {**await row.given(api, database, shop), "key": f"{row.mutation}-once"}
    token = api.token("admin")
    before = table_counts(sync_engine, ALL_TABLES)

    results = await asyncio.gather(
        *(api.gql(row.document, variables, token=token) for _ in range(REQUESTS))
    )

    answers = [result.ok()[row.mutation] for result in results]
    assert answers[0]["userErrors"] == []
    assert all(answer == answers[0] for answer in answers), answers
    after = table_counts(sync_engine, ALL_TABLES)
    added = {
        table: after[table] - before[table] for table in after if after[table] != before[table]
    }
    assert added == {**row.adds, "idempotency_keys": 1}
