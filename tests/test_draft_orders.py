"""Draft orders through the API: priced like orders, custom lines, stock held while open
(released on expiry or delete, committed once on completion), invoices served as HTML,
completion through orderCreate's code path, search and sort, refusals that change nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text

from oms_graphql.db import Database
from oms_graphql.inventory.sweeper import sweep_once
from oms_graphql.settings import Settings
from tests.api import Api
from tests.factories import (
    a_channel,
    a_customer,
    a_location,
    an_item,
    count_rows,
    events_of,
    quantities,
    stocked,
)
from tests.orders_support import (
    ADDRESS,
    ORDER_FIELDS,
    Outbox,
    a_shop,
    amounts,
    outbox,
    table_counts,
)

pytestmark = pytest.mark.usefixtures("ledger_checked")
__all__ = ["outbox"]  # a fixture


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """These documents read a draft with its whole order: a cost of 1,021."""
    return replace(settings, max_query_cost=2_000)


DRAFT_FIELDS = (
    """
  id name status email version currencyCode note tags reserveInventoryUntil invoiceUrl
  channel { handle } customer { email }
  lineItems(first: 20) { nodes { id sku title quantity custom originalUnitPrice { amount }
    discountedTotal { amount } totalTax { amount } } }
  shippingLine { title price { amount } tax { amount } }
  discounts { title valueType value amount { amount } }
  subtotalPrice { amount } totalDiscounts { amount } totalShipping { amount }
  totalTax { amount } totalPrice { amount currencyCode }
  reservation { id status location { name } lineItems { sku quantity } }
  order {"""
    + ORDER_FIELDS
    + "}"
)
PAYLOAD = "draftOrder {" + DRAFT_FIELDS + "} userErrors { field message code }"
CREATE = (
    "mutation($input: DraftOrderInput!, $key: String) {"
    " draftOrderCreate(input: $input, idempotencyKey: $key) {" + PAYLOAD + "} }"
)
UPDATE = (
    "mutation($id: ID!, $input: DraftOrderInput!, $v: Int) {"
    " draftOrderUpdate(id: $id, input: $input, expectedVersion: $v) {" + PAYLOAD + "} }"
)
CALCULATE = """mutation($input: DraftOrderInput!) { draftOrderCalculate(input: $input) {
  calculatedDraftOrder { currencyCode subtotalPrice { amount } totalTax { amount }
    totalPrice { amount } lineItems { sku title custom discountedTotal { amount } } }
  userErrors { field message code } } }"""
INVOICE = (
    "mutation($id: ID!, $email: String) { draftOrderInvoiceSend(id: $id, email: $email) {"
    + PAYLOAD
    + "} }"
)
COMPLETE = (
    "mutation($id: ID!, $pending: Boolean!) {"
    " draftOrderComplete(id: $id, paymentPending: $pending) {" + PAYLOAD + "} }"
)
DELETE = """mutation($id: ID!) { draftOrderDelete(input: {id: $id}) {
  deletedId userErrors { field message code } } }"""
DUPLICATE = "mutation($id: ID!) { draftOrderDuplicate(id: $id) {" + PAYLOAD + "} }"
DRAFT = "query($id: ID!) { draftOrder(id: $id) {" + DRAFT_FIELDS + "} }"


def draft_input(**extra: Any) -> dict[str, Any]:
    return {
        "channel": "web",
        "customer": {"email": "anna@example.com", "firstName": "Anna", "lastName": "Bianchi"},
        "shippingAddress": ADDRESS,
        "lineItems": [
            {"sku": "TEE", "quantity": 2},
            {"title": "Gift wrapping", "quantity": 1, "originalUnitPrice": "5.00"},
        ],
        "shippingLine": {"title": "Express", "price": "9.90"},
        "discounts": [{"valueType": "PERCENTAGE", "value": "10", "title": "B2B"}],
        "tags": ["b2b"],
        "note": "call before delivery",
        **extra,
    }


async def create_draft(api: Api, **extra: Any) -> dict[str, Any]:
    payload = (await api.gql(CREATE, {"input": draft_input(**extra)})).ok()["draftOrderCreate"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload["draftOrder"]  # type: ignore[no-any-return]


def errors(result: Any, name: str) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in result.ok()[name]["userErrors"]]


def soon(hours: int = 24) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


async def test_a_draft_is_priced_like_its_order_and_calculate_saves_nothing(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    before = table_counts(sync_engine)

    calculated = (await api.gql(CALCULATE, {"input": draft_input()})).ok()["draftOrderCalculate"]

    assert calculated["userErrors"] == []
    assert table_counts(sync_engine) == before
    draft = await create_draft(api)
    # TEE 2 x 19.90 = 39.80, wrapping 5.00: 44.80 less 10% (4.48, spread 3.98 / 0.50)
    # = 40.32; 22% tax: 7.76 + 0.99 on the lines, 2.18 on 9.90 shipping.
    assert draft["name"] == "#D1"
    assert draft["status"] == "OPEN"
    assert draft["email"] == "anna@example.com"
    lines = draft["lineItems"]["nodes"]
    assert [(n["sku"], n["title"], n["custom"]) for n in lines] == [
        ("TEE", "Classic tee", False),
        (None, "Gift wrapping", True),
    ]
    assert amounts(lines, "discountedTotal") == ["35.82", "4.50"]
    assert amounts(lines, "totalTax") == ["7.88", "0.99"]
    assert draft["subtotalPrice"]["amount"] == "40.32"
    assert draft["totalDiscounts"]["amount"] == "4.48"
    assert draft["shippingLine"]["tax"]["amount"] == "2.18"
    assert draft["totalTax"]["amount"] == "11.05"
    assert draft["totalPrice"] == {"amount": "61.27", "currencyCode": "EUR"}
    summary = calculated["calculatedDraftOrder"]
    assert summary["totalPrice"]["amount"] == draft["totalPrice"]["amount"]
    assert amounts(summary["lineItems"], "discountedTotal") == ["35.82", "4.50"]
    assert draft["reservation"] is None
    assert draft["order"] is None
    assert "draft_order.created" in [e["type"] for e in events_of(sync_engine)]


async def test_draft_to_invoice_to_order_commits_the_held_stock_once(
    api: Api, database: Database, sync_engine: Engine, outbox: Outbox
) -> None:
    shop = await a_shop(database)
    level = shop.levels[("TEE", "Milano")]

    draft = await create_draft(api, reserveInventoryUntil=soon())

    held = quantities(sync_engine, level)
    assert (held["reserved"], held["committed"], held["available"]) == (2, 0, 8)
    assert draft["reservation"]["status"] == "ACTIVE"
    assert draft["reservation"]["lineItems"] == [{"sku": "TEE", "quantity": 2}]

    sent = (await api.gql(INVOICE, {"id": draft["id"]})).ok()["draftOrderInvoiceSend"]
    assert sent["userErrors"] == []
    invoiced = sent["draftOrder"]
    assert invoiced["status"] == "INVOICE_SENT"
    url = invoiced["invoiceUrl"]
    assert url.startswith("http://testserver/invoices/")
    assert [(m.to, url in m.text) for m in outbox.sent] == [("anna@example.com", True)]
    feed = """{ events(types: [DRAFT_ORDER_INVOICE_SENT]) {
      nodes { data subject { ... on DraftOrder { name } } } } }"""
    (event,) = (await api.gql(feed)).ok()["events"]["nodes"]
    assert event["subject"] == {"name": "#D1"}
    assert (event["data"]["email"], event["data"]["invoiceUrl"]) == ("anna@example.com", url)
    hidden = await api.gql(feed, token=api.token("read_orders"))
    assert hidden.ok()["events"]["nodes"] == []  # drafts' events need read_draft_orders
    page = await api.client.get(url.removeprefix("http://testserver"))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Invoice #D1" in page.text
    assert "61.27 EUR" in page.text
    assert "Gift wrapping" in page.text
    assert (await api.client.get("/invoices/not-a-token")).status_code == 404

    done = (await api.gql(COMPLETE, {"id": draft["id"], "pending": False})).ok()
    payload = done["draftOrderComplete"]
    assert payload["userErrors"] == []
    completed = payload["draftOrder"]
    assert completed["status"] == "COMPLETED"
    assert completed["reservation"]["status"] == "CONSUMED"
    order = completed["order"]
    assert order["totalPrice"]["amount"] == "61.27"
    assert order["subtotalPrice"]["amount"] == "40.32"
    assert order["totalDiscounts"]["amount"] == "4.48"
    assert order["displayFinancialStatus"] == "PAID"
    assert order["tags"] == ["b2b"]
    assert order["note"] == "call before delivery"
    assert order["customer"]["email"] == "anna@example.com"
    order_lines = order["lineItems"]["nodes"]
    assert [(n["sku"], n["quantity"]) for n in order_lines] == [("TEE", 2), (None, 1)]
    assert amounts(order_lines, "discountedTotal") == ["35.82", "4.50"]
    assert [
        d["discountApplication"]["title"] for n in order_lines for d in n["discountAllocations"]
    ] == ["B2B", "B2B"]
    (work,) = order["fulfillmentOrders"]["nodes"]
    assert work["assignedLocation"]["name"] == "Milano"
    after = quantities(sync_engine, level)
    # The held units became committed units: available did not move again.
    assert (after["reserved"], after["committed"], after["available"]) == (0, 2, 8)
    # The invoice still answers, now naming the order.
    page = await api.client.get(url.removeprefix("http://testserver"))
    assert order["name"] in page.text

    before = table_counts(sync_engine)
    again = await api.gql(COMPLETE, {"id": draft["id"], "pending": False})
    assert errors(again, "draftOrderComplete") == [("INVALID_STATE", ["id"])]
    changed = await api.gql(UPDATE, {"id": draft["id"], "input": {"note": "x"}})
    assert errors(changed, "draftOrderUpdate") == [("INVALID_STATE", ["id"])]
    assert table_counts(sync_engine) == before


async def test_the_hold_follows_updates_and_ends_on_delete_or_expiry(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    level = shop.levels[("TEE", "Milano")]
    draft = await create_draft(api, reserveInventoryUntil=soon())

    result = await api.gql(
        UPDATE,
        {
            "id": draft["id"],
            "v": draft["version"],
            "input": {"lineItems": [{"sku": "TEE", "quantity": 5}]},
        },
    )

    updated = result.ok()["draftOrderUpdate"]["draftOrder"]
    assert updated["version"] == 2
    assert quantities(sync_engine, level)["reserved"] == 5
    assert updated["note"] == "call before delivery"  # what was not given stays
    emailed = await api.gql(UPDATE, {"id": draft["id"], "input": {"email": "a.b@example.com"}})
    assert emailed.ok()["draftOrderUpdate"]["draftOrder"]["email"] == "a.b@example.com"
    stale = await api.gql(UPDATE, {"id": draft["id"], "v": 2, "input": {"note": "late"}})
    assert errors(stale, "draftOrderUpdate") == [("STALE", ["expectedVersion"])]

    released = await api.gql(UPDATE, {"id": draft["id"], "input": {"reserveInventoryUntil": None}})
    assert released.ok()["draftOrderUpdate"]["draftOrder"]["reservation"] is None
    assert quantities(sync_engine, level)["reserved"] == 0

    held = await api.gql(UPDATE, {"id": draft["id"], "input": {"reserveInventoryUntil": soon()}})
    hold_id = held.ok()["draftOrderUpdate"]["draftOrder"]["reservation"]["id"]
    assert quantities(sync_engine, level)["reserved"] == 5
    deleted = (await api.gql(DELETE, {"id": draft["id"]})).ok()["draftOrderDelete"]
    assert deleted == {"deletedId": draft["id"], "userErrors": []}
    assert quantities(sync_engine, level)["reserved"] == 0
    assert (await api.gql(DRAFT, {"id": draft["id"]})).ok()["draftOrder"] is None
    gone = await api.gql(
        "query($id: ID!) { node(id: $id) { ... on Reservation { status } } }", {"id": hold_id}
    )
    assert gone.ok()["node"] == {"status": "RELEASED"}
    # An expired hold gives its units back; completing then routes like any order.
    other = await create_draft(api, reserveInventoryUntil=soon())
    with sync_engine.begin() as connection:
        connection.execute(
            text("UPDATE reservations SET expires_at = :at"),
            {"at": datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)},
        )
    expired = (await api.gql(DRAFT, {"id": other["id"]})).ok()["draftOrder"]
    assert expired["reservation"]["status"] == "EXPIRED"
    await sweep_once(database)
    assert quantities(sync_engine, level)["reserved"] == 0
    done = (await api.gql(COMPLETE, {"id": other["id"], "pending": True})).ok()
    order = done["draftOrderComplete"]["draftOrder"]["order"]
    assert order["displayFinancialStatus"] == "PENDING"
    assert quantities(sync_engine, level)["committed"] == 2


async def test_repeating_a_create_whose_draft_was_deleted_since_is_not_found_not_a_crash(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    first = await api.gql(CREATE, {"input": draft_input(), "key": "draft-form-1"})
    draft = first.ok()["draftOrderCreate"]["draftOrder"]
    await api.gql(DELETE, {"id": draft["id"]})
    before = table_counts(sync_engine)

    repeat = await api.gql(CREATE, {"input": draft_input(), "key": "draft-form-1"})

    assert repeat.ok()["draftOrderCreate"]["draftOrder"] is None
    assert errors(repeat, "draftOrderCreate") == [("NOT_FOUND", ["idempotencyKey"])]
    assert table_counts(sync_engine) == before
    assert count_rows(sync_engine, "draft_orders") == 0
    # The same for an invoice sent before the draft was deleted.
    other = await create_draft(api)
    invoice = (
        'mutation($id: ID!) { draftOrderInvoiceSend(id: $id, idempotencyKey: "inv-1") {'
        " draftOrder { id } userErrors { field code } } }"
    )
    await api.gql(invoice, {"id": other["id"]})
    await api.gql(DELETE, {"id": other["id"]})

    resent = await api.gql(invoice, {"id": other["id"]})

    assert errors(resent, "draftOrderInvoiceSend") == [("NOT_FOUND", ["idempotencyKey"])]
    assert count_rows(sync_engine, "draft_orders") == 0


async def test_refused_drafts_change_nothing(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    await create_draft(api)
    before = table_counts(sync_engine)

    bad = await api.gql(
        CREATE,
        {
            "input": draft_input(
                email="not-an-email",
                lineItems=[
                    {"sku": "NOPE", "quantity": 1},
                    {"title": "Engraving", "quantity": 1},
                    {"sku": "TEE", "quantity": 0},
                ],
                shippingLine={"title": "Slow", "price": "1.001"},
                reserveInventoryUntil=soon(24 * 30),
            )
        },
    )
    too_many = await api.gql(
        CREATE,
        {
            "input": draft_input(
                lineItems=[{"sku": "TEE", "quantity": 99}], reserveInventoryUntil=soon()
            )
        },
    )
    partner = api.token("write_draft_orders", channels=["pos"])
    elsewhere = await api.gql(CREATE, {"input": draft_input()}, token=partner)

    assert sorted(errors(bad, "draftOrderCreate")) == sorted(
        [
            ("INVALID", ["input", "email"]),
            ("OUT_OF_RANGE", ["input", "reserveInventoryUntil"]),
            ("NOT_FOUND", ["input", "lineItems", "0", "sku"]),
            ("BLANK", ["input", "lineItems", "1", "originalUnitPrice"]),
            ("INVALID_QUANTITY", ["input", "lineItems", "2", "quantity"]),
            ("INVALID_PRICE", ["input", "shippingLine", "price"]),
        ]
    )
    assert errors(too_many, "draftOrderCreate") == [
        ("INSUFFICIENT_STOCK", ["input", "lineItems", "0", "quantity"])
    ]
    assert errors(elsewhere, "draftOrderCreate") == [("CHANNEL_NOT_FOUND", ["input", "channel"])]
    assert table_counts(sync_engine) == before
    nowhere = await create_draft(api, shippingAddress=None)
    before = table_counts(sync_engine)
    unshippable = await api.gql(COMPLETE, {"id": nowhere["id"], "pending": False})
    (problem,) = unshippable.ok()["draftOrderComplete"]["userErrors"]
    assert (problem["code"], problem["field"]) == ("BLANK", ["id"])
    assert problem["message"].startswith("shippingAddress: ")
    assert table_counts(sync_engine) == before
    reader = api.token("read_orders")
    forbidden = await api.gql("{ draftOrders(first: 1) { nodes { id } } }", token=reader)
    assert forbidden.error_codes == ["FORBIDDEN"]


async def test_draft_orders_search_sort_duplicate_and_cost_a_constant_number_of_statements(
    api: Api, database: Database, outbox: Outbox
) -> None:
    await a_shop(database)
    first = await create_draft(api)
    second = await create_draft(
        api, tags=["retail"], lineItems=[{"sku": "MUG", "quantity": 1}], discounts=[]
    )
    copy = (await api.gql(DUPLICATE, {"id": first["id"]})).ok()["draftOrderDuplicate"]
    assert copy["userErrors"] == []
    duplicate = copy["draftOrder"]
    assert (duplicate["name"], duplicate["totalPrice"]) == ("#D3", first["totalPrice"])
    assert duplicate["tags"] == ["b2b"]
    assert duplicate["reservation"] is None
    await api.gql(INVOICE, {"id": second["id"], "email": "buyer@example.com"})
    listing = """query($q: String, $first: Int, $key: DraftOrderSortKeys, $rev: Boolean) {
      draftOrders(first: $first, query: $q, sortKey: $key, reverse: $rev) {
        nodes { name status tags customer { email } channel { handle }
          lineItems(first: 5) { nodes { sku } } } }
      draftOrdersCount(query: $q) { count } }"""

    async def names(query: str, **args: Any) -> list[str]:
        data = (await api.gql(listing, {"q": query, **args})).ok()
        assert data["draftOrdersCount"]["count"] == len(data["draftOrders"]["nodes"])
        return [node["name"] for node in data["draftOrders"]["nodes"]]

    assert await names("tag:b2b") == ["#D1", "#D3"]
    assert await names("status:invoice_sent") == ["#D2"]
    assert await names("sku:MUG") == ["#D2"]
    assert await names("name:#D3") == ["#D3"]
    assert await names("", key="TOTAL_PRICE", rev=True) == ["#D3", "#D1", "#D2"]
    assert await names("anna") == ["#D1", "#D2", "#D3"]
    unknown = await api.gql(listing, {"q": "colour:red"})
    assert unknown.error_codes == ["BAD_USER_INPUT"]
    await a_customer(database, email="anna@example.com")
    await api.gql(UPDATE, {"id": first["id"], "input": {"note": "with a known customer"}})
    page = """query($first: Int) { draftOrders(first: $first) {
      nodes { name tags customer { email } channel { handle }
        lineItems(first: 5) { nodes { sku } } } } }"""
    one = await api.gql(page, {"first": 1})
    many = await api.gql(page, {"first": 50})
    assert one.ok()["draftOrders"]["nodes"][0]["customer"] == {"email": "anna@example.com"}
    assert one.statements == many.statements
    assert many.statements == 5, many.statements  # drafts, tags, customers, channels, lines


async def test_the_hold_is_where_routing_would_send_the_order(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_channel(database, handle="web")
    far = await a_location(
        database, name="Berlin", country_code="DE", latitude=52.52, longitude=13.40, priority=10
    )
    near = await a_location(database, name="Milano")
    tee = await an_item(database, sku="TEE")
    for location in (far, near):
        await stocked(database, tee, location, 5)

    draft = await create_draft(
        api,
        lineItems=[{"sku": "TEE", "quantity": 2}],
        discounts=[],
        reserveInventoryUntil=soon(),
    )

    # The highest priority would be Berlin; routing (closest first) sends it to Milano.
    assert draft["reservation"]["location"]["name"] == "Milano"
    done = (await api.gql(COMPLETE, {"id": draft["id"], "pending": True})).ok()
    order = done["draftOrderComplete"]["draftOrder"]["order"]
    (work,) = order["fulfillmentOrders"]["nodes"]
    assert work["assignedLocation"]["name"] == "Milano"
