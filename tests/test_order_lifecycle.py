"""After an order is placed: payments, captures, cancel with restock and refund, close and
reopen, details and tags, with expectedVersion and refusals that change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from oms_graphql.db import Database
from tests.api import Api
from tests.factories import events_of, quantities
from tests.orders_support import ORDER, a_shop, create_order, table_counts

pytestmark = pytest.mark.usefixtures("ledger_checked")

CAPTURE = """mutation($input: OrderCaptureInput!, $version: Int, $key: String) {
  orderCapture(input: $input, expectedVersion: $version, idempotencyKey: $key) {
    transaction { id kind amount { amount } parentTransactionId }
    order { displayFinancialStatus totalReceived { amount } totalOutstanding { amount } version }
    userErrors { field message code } } }"""
MARK_PAID = """mutation($id: ID!) { orderMarkAsPaid(id: $id) {
    transaction { kind amount { amount } }
    order { displayFinancialStatus totalOutstanding { amount } customer { amountSpent { amount } } }
    userErrors { field code } } }"""
CANCEL = """mutation($id: ID!, $restock: Boolean!, $refund: Boolean!, $version: Int) {
  orderCancel(orderId: $id, reason: CUSTOMER, restock: $restock, refund: $refund,
              staffNote: "asked by phone", expectedVersion: $version) {
    order { status cancelReason cancelledAt displayFinancialStatus displayFulfillmentStatus
      totalOutstanding { amount } totalRefunded { amount } currentTotalPrice { amount } version
      transactions { kind amount { amount } }
      lineItems(first: 5) { nodes { currentQuantity unfulfilledQuantity } }
      fulfillmentOrders(first: 5) { nodes { status
        lineItems(first: 5) { nodes { remainingQuantity } } } } }
    userErrors { field message code } } }"""
CLOSE = """mutation($id: ID!) { orderClose(id: $id) {
  order { status closedAt version } userErrors { code } } }"""
OPEN = """mutation($id: ID!) { orderOpen(id: $id) {
  order { status closedAt version } userErrors { code } } }"""
UPDATE = """mutation($input: OrderUpdateInput!, $version: Int) {
  orderUpdate(input: $input, expectedVersion: $version) {
    order { email note tags version shippingAddress { city zip countryCode } }
    userErrors { field message code } } }"""
TAGS_ADD = """mutation($id: ID!, $tags: [String!]!, $version: Int) {
  tagsAdd(id: $id, tags: $tags, expectedVersion: $version) {
    node { id ... on Order { tags version } ... on Customer { tags } } userErrors { code } } }"""
TAGS_REMOVE = """mutation($id: ID!, $tags: [String!]!) { tagsRemove(id: $id, tags: $tags) {
    node { ... on Order { tags version } } userErrors { code } } }"""


def errors(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e.get("field")) for e in payload["userErrors"]]


async def test_an_authorization_is_captured_in_parts_never_beyond_what_it_holds(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    order = await create_order(api, ("TEE", 1), financialStatus="AUTHORIZED")
    (authorization,) = order["transactions"]
    assert (authorization["kind"], order["displayFinancialStatus"]) == (
        "AUTHORIZATION",
        "AUTHORIZED",
    )
    total = order["totalPrice"]["amount"]  # 19.90 + 22% = 24.28
    assert total == "24.28"
    capture = {"id": order["id"], "parentTransactionId": authorization["id"]}

    first = await api.gql(CAPTURE, {"input": {**capture, "amount": "10.00"}, "version": 1})
    payload = first.ok()["orderCapture"]
    assert payload["userErrors"] == []
    assert payload["transaction"]["kind"] == "CAPTURE"
    assert payload["transaction"]["parentTransactionId"] == authorization["id"]
    assert payload["order"]["displayFinancialStatus"] == "PARTIALLY_PAID"
    assert payload["order"]["totalOutstanding"]["amount"] == "14.28"
    assert payload["order"]["version"] == 2

    before = table_counts(sync_engine)
    too_much = (await api.gql(CAPTURE, {"input": {**capture, "amount": "14.29"}})).ok()
    stale = (await api.gql(CAPTURE, {"input": {**capture, "amount": "1"}, "version": 1})).ok()
    zero = (await api.gql(CAPTURE, {"input": {**capture, "amount": "0"}})).ok()
    assert errors(too_much["orderCapture"]) == [("CAPTURE_EXCEEDS_AUTHORIZED", ["input", "amount"])]
    assert errors(stale["orderCapture"]) == [("STALE", ["expectedVersion"])]
    assert errors(zero["orderCapture"]) == [("INVALID", ["input", "amount"])]
    assert table_counts(sync_engine) == before

    rest = (await api.gql(CAPTURE, {"input": capture})).ok()["orderCapture"]
    assert rest["transaction"]["amount"]["amount"] == "14.28"
    assert rest["order"]["displayFinancialStatus"] == "PAID"
    assert rest["order"]["totalOutstanding"]["amount"] == "0.00"
    nothing_left = (await api.gql(CAPTURE, {"input": capture})).ok()["orderCapture"]
    assert errors(nothing_left) == [
        ("CAPTURE_EXCEEDS_AUTHORIZED", ["input", "parentTransactionId"])
    ]


async def test_marking_as_paid_records_a_sale_of_what_is_outstanding(
    api: Api, database: Database
) -> None:
    await a_shop(database)
    order = await create_order(api, ("TEE", 2))

    paid = (await api.gql(MARK_PAID, {"id": order["id"]})).ok()["orderMarkAsPaid"]
    again = (await api.gql(MARK_PAID, {"id": order["id"]})).ok()["orderMarkAsPaid"]

    assert paid["transaction"] == {"kind": "SALE", "amount": {"amount": "48.56"}}
    assert paid["order"]["displayFinancialStatus"] == "PAID"
    assert paid["order"]["totalOutstanding"]["amount"] == "0.00"
    assert paid["order"]["customer"]["amountSpent"]["amount"] == "48.56"
    assert errors(again) == [("ALREADY_PAID", ["id"])]


async def test_cancelling_with_restock_and_refund_releases_stock_and_returns_the_money(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    order = await create_order(api, ("TEE", 3), ("MUG", 1), financialStatus="PAID")
    tee = shop.levels[("TEE", "Milano")]
    assert quantities(sync_engine, tee)["committed"] == 3

    result = await api.gql(
        CANCEL, {"id": order["id"], "restock": True, "refund": True, "version": 1}
    )

    cancelled = result.ok()["orderCancel"]["order"]
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["cancelReason"] == "CUSTOMER"
    assert cancelled["cancelledAt"] is not None
    assert cancelled["displayFinancialStatus"] == "REFUNDED"
    assert cancelled["displayFulfillmentStatus"] == "RESTOCKED"
    assert cancelled["totalRefunded"]["amount"] == order["totalPrice"]["amount"]
    assert cancelled["currentTotalPrice"]["amount"] == "0.00"
    assert cancelled["totalOutstanding"]["amount"] == "0.00"
    assert [t["kind"] for t in cancelled["transactions"]] == ["SALE", "REFUND"]
    assert [n["currentQuantity"] for n in cancelled["lineItems"]["nodes"]] == [0, 0]
    (fulfillment_order,) = cancelled["fulfillmentOrders"]["nodes"]
    assert fulfillment_order["status"] == "CANCELLED"
    assert quantities(sync_engine, tee)["committed"] == 0
    assert quantities(sync_engine, tee)["available"] == 10
    assert quantities(sync_engine, tee)["on_hand"] == 10
    customer = (await api.gql(ORDER, {"id": order["id"]})).ok()["order"]["customer"]
    assert customer["amountSpent"]["amount"] == "0.00"

    before = table_counts(sync_engine)
    twice = await api.gql(CANCEL, {"id": order["id"], "restock": True, "refund": True})
    assert errors(twice.ok()["orderCancel"]) == [("ALREADY_CANCELLED", ["orderId"])]
    assert table_counts(sync_engine) == before


async def test_cancelling_without_restock_writes_the_units_off_and_voids_authorizations(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    order = await create_order(api, ("TEE", 2), financialStatus="AUTHORIZED")

    cancelled = (await api.gql(CANCEL, {"id": order["id"], "restock": False, "refund": True})).ok()[
        "orderCancel"
    ]["order"]

    assert cancelled["displayFinancialStatus"] == "VOIDED"
    assert cancelled["displayFulfillmentStatus"] == "UNFULFILLED"
    assert [t["kind"] for t in cancelled["transactions"]] == ["AUTHORIZATION", "VOID"]
    tee = quantities(sync_engine, shop.levels[("TEE", "Milano")])
    assert (tee["committed"], tee["on_hand"], tee["available"]) == (0, 8, 8)


async def test_a_cancelled_paid_order_without_refund_shows_what_the_merchant_owes(
    api: Api, database: Database
) -> None:
    await a_shop(database)
    order = await create_order(api, ("TEE", 1), financialStatus="PAID")

    cancelled = (await api.gql(CANCEL, {"id": order["id"], "restock": True, "refund": False})).ok()[
        "orderCancel"
    ]["order"]

    assert cancelled["displayFinancialStatus"] == "PAID"
    assert cancelled["totalOutstanding"]["amount"] == "-24.28"


async def test_closing_and_reopening_step_the_status_and_the_version(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    order = await create_order(api, ("TEE", 1))

    closed = (await api.gql(CLOSE, {"id": order["id"]})).ok()["orderClose"]
    closed_again = (await api.gql(CLOSE, {"id": order["id"]})).ok()["orderClose"]
    reopened = (await api.gql(OPEN, {"id": order["id"]})).ok()["orderOpen"]

    assert (closed["order"]["status"], closed["order"]["version"]) == ("CLOSED", 2)
    assert closed["order"]["closedAt"] is not None
    assert [e["code"] for e in closed_again["userErrors"]] == ["INVALID_STATE"]
    assert (reopened["order"]["status"], reopened["order"]["closedAt"]) == ("OPEN", None)
    types = [e["type"] for e in events_of(sync_engine) if e["subject_type"] == "Order"]
    assert types.count("order.status_changed") == 2
    assert "order.closed" in types
    assert "order.reopened" in types


async def test_an_order_update_changes_details_and_refuses_a_stale_version(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    order = await create_order(api, ("TEE", 1))
    change = {
        "id": order["id"],
        "email": "New@Example.com",
        "note": "leave at the door",
        "tags": ["Gift", "gift", "rush"],
        "shippingAddress": {"city": "Torino", "zip": "10121"},
    }

    updated = (await api.gql(UPDATE, {"input": change, "version": 1})).ok()["orderUpdate"]
    before = table_counts(sync_engine)
    stale = (await api.gql(UPDATE, {"input": {"id": order["id"], "note": "x"}, "version": 1})).ok()
    bad = (
        await api.gql(UPDATE, {"input": {"id": order["id"], "email": "nope", "note": "x" * 5001}})
    ).ok()

    assert updated["userErrors"] == []
    assert updated["order"] == {
        "email": "new@example.com",
        "note": "leave at the door",
        "tags": ["Gift", "rush"],
        "version": 2,
        "shippingAddress": {"city": "Torino", "zip": "10121", "countryCode": "IT"},
    }
    assert errors(stale["orderUpdate"]) == [("STALE", ["expectedVersion"])]
    assert sorted(errors(bad["orderUpdate"])) == [
        ("INVALID", ["input", "email"]),
        ("TOO_LONG", ["input", "note"]),
    ]
    assert table_counts(sync_engine) == before


async def test_tags_are_added_and_removed_ignoring_case_on_orders_and_customers(
    api: Api, database: Database
) -> None:
    await a_shop(database)
    order = await create_order(api, ("TEE", 1), tags=["vip"])

    added = (await api.gql(TAGS_ADD, {"id": order["id"], "tags": ["VIP", "rush"]})).ok()
    removed = (await api.gql(TAGS_REMOVE, {"id": order["id"], "tags": ["RUSH"]})).ok()
    unchanged = (await api.gql(TAGS_REMOVE, {"id": order["id"], "tags": ["absent"]})).ok()
    customer_id = (await api.gql(ORDER, {"id": order["id"]})).ok()["order"]["customer"]
    stale = (await api.gql(TAGS_ADD, {"id": order["id"], "tags": ["x"], "version": 1})).ok()

    assert added["tagsAdd"]["node"] == {"id": order["id"], "tags": ["rush", "vip"], "version": 2}
    assert removed["tagsRemove"]["node"] == {"tags": ["vip"], "version": 3}
    assert unchanged["tagsRemove"]["node"]["version"] == 3
    assert [e["code"] for e in stale["tagsAdd"]["userErrors"]] == ["STALE"]
    assert customer_id is not None
    read_only = await api.gql(
        TAGS_ADD, {"id": order["id"], "tags": ["x"]}, token=api.token("read_orders")
    )
    assert read_only.error_codes == ["FORBIDDEN"]


async def test_tags_add_works_on_customers_with_their_own_scope(
    api: Api, database: Database
) -> None:
    await a_shop(database)
    await create_order(api, ("TEE", 1))
    customers = await api.gql("{ customers(first: 1) { nodes { id } } }")
    (customer,) = customers.ok()["customers"]["nodes"]

    tagged = await api.gql(TAGS_ADD, {"id": customer["id"], "tags": ["wholesale"]})
    refused = await api.gql(
        TAGS_ADD, {"id": customer["id"], "tags": ["x"]}, token=api.token("write_orders")
    )

    assert tagged.ok()["tagsAdd"]["node"]["tags"] == ["wholesale"]
    assert refused.error_codes == ["FORBIDDEN"]


async def test_a_whole_journey_keeps_stock_and_money_in_agreement(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    """Reserve, order against the reservation, find it, capture in part, cancel with
    restock: after every step the level and the totals say the same thing."""
    from tests.test_reservations import reserve

    shop = await a_shop(database)
    tee = shop.levels[("TEE", "Milano")]
    held = await reserve(api, ("TEE", 4))
    assert quantities(sync_engine, tee)["reserved"] == 4

    order = await create_order(
        api,
        ("TEE", 4),
        reservationId=held["reservation"]["id"],
        financialStatus="AUTHORIZED",
        tags=["journey"],
    )
    level = quantities(sync_engine, tee)
    assert (level["reserved"], level["committed"], level["available"]) == (0, 4, 6)
    assert order["totalPrice"]["amount"] == "97.11"  # 4 x 19.90 = 79.60 + 22% (17.51)

    query = "tag:journey sku:TEE status:open email:maria@example.com created_at:>2020-01-01"
    found = await api.gql(
        "query($q: String) { orders(first: 5, query: $q) { nodes { id } } }", {"q": query}
    )
    assert found.ok()["orders"]["nodes"] == [{"id": order["id"]}]

    capture = {
        "id": order["id"],
        "parentTransactionId": order["transactions"][0]["id"],
        "amount": "50.00",
    }
    captured = (await api.gql(CAPTURE, {"input": capture})).ok()["orderCapture"]["order"]
    assert captured["displayFinancialStatus"] == "PARTIALLY_PAID"
    assert captured["totalOutstanding"]["amount"] == "47.11"

    cancelled = (await api.gql(CANCEL, {"id": order["id"], "restock": True, "refund": True})).ok()[
        "orderCancel"
    ]["order"]
    assert cancelled["displayFinancialStatus"] == "REFUNDED"
    assert [t["kind"] for t in cancelled["transactions"]] == [
        "AUTHORIZATION",
        "CAPTURE",
        "VOID",
        "REFUND",
    ]
    assert cancelled["totalOutstanding"]["amount"] == "0.00"
    level = quantities(sync_engine, tee)
    assert (level["reserved"], level["committed"], level["available"]) == (0, 0, 10)


async def test_an_order_paid_another_way_can_not_be_captured_again(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    order = await create_order(api, ("TEE", 1), financialStatus="AUTHORIZED")
    (authorization,) = order["transactions"]
    half = {"id": order["id"], "parentTransactionId": authorization["id"], "amount": "20.00"}
    await api.gql(CAPTURE, {"input": half})
    await api.gql(MARK_PAID, {"id": order["id"]})
    before = table_counts(sync_engine)

    rest = await api.gql(
        CAPTURE, {"input": {"id": order["id"], "parentTransactionId": authorization["id"]}}
    )

    assert errors(rest.ok()["orderCapture"]) == [("ALREADY_PAID", ["input", "parentTransactionId"])]
    assert table_counts(sync_engine) == before
