"""Reading orders: search fields, sort keys, counts, customers' statistics, the timeline,
partner tokens limited to their channels, and a constant number of SQL statements."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from oms_graphql.db import Database
from oms_graphql.settings import Settings
from tests.api import Api
from tests.factories import a_channel
from tests.orders_support import CREATE, ORDER, a_shop, create_order, order_input

SEARCH = """query($q: String, $sort: OrderSortKeys, $reverse: Boolean) {
  orders(first: 50, query: $q, sortKey: $sort, reverse: $reverse) { nodes { name } }
  ordersCount(query: $q) { count } }"""


async def names(api: Api, query: str | None = None, **variables: Any) -> list[str]:
    result = (await api.gql(SEARCH, {"q": query, **variables})).ok()
    found = [node["name"] for node in result["orders"]["nodes"]]
    assert result["ordersCount"]["count"] == len(found)
    return found


def days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


async def test_orders_are_found_by_every_search_field(api: Api, database: Database) -> None:
    shop = await a_shop(database)
    await a_channel(database, handle="pos")
    await create_order(api, ("TEE", 1), tags=["vip"], processedAt=days_ago(40))  # 1001
    await create_order(
        api,
        ("MUG", 2),
        channel="pos",
        customer={"email": "luca@example.com", "firstName": "Luca", "lastName": "Bianchi"},
        financialStatus="PAID",
    )  # 1002
    third = await create_order(
        api,
        ("TEE", 1),
        deliveryMethod="PICKUP",
        pickupLocationId=f"gid://oms/Location/{shop.roma.id}",
    )  # 1003
    await api.gql(
        "mutation($id: ID!) { orderCancel(orderId: $id, reason: OTHER) { userErrors { code } } }",
        {"id": third["id"]},
    )

    assert await names(api, "tag:VIP") == ["#1001"]
    assert await names(api, "-tag:vip") == ["#1002", "#1003"]
    assert await names(api, "sku:MUG") == ["#1002"]
    assert await names(api, "sku:TE*") == ["#1001", "#1003"]
    assert await names(api, "status:open") == ["#1001", "#1002"]
    assert await names(api, "status:cancelled") == ["#1003"]
    assert await names(api, "financial_status:paid") == ["#1002"]
    assert await names(api, "fulfillment_status:restocked") == ["#1003"]
    assert await names(api, "email:luca@example.com") == ["#1002"]
    assert await names(api, "channel:pos") == ["#1002"]
    assert await names(api, "name:#1002") == ["#1002"]
    assert await names(api, f"created_at:<{days_ago(30)[:10]}") == ["#1001"]
    assert await names(api, f"created_at:>={days_ago(1)[:10]} created_at:<={days_ago(0)[:10]}") == [
        "#1002",
        "#1003",
    ]
    assert await names(api, f"location_id:{shop.roma.id}") == ["#1003"]
    assert await names(api, "delivery_method:pickup") == ["#1003"]
    assert await names(api, "bianchi") == ["#1002"]
    assert await names(api, "total_price:>30") == ["#1002"]
    unknown = await api.gql(SEARCH, {"q": "colour:red"})
    assert set(unknown.error_codes) == {"BAD_USER_INPUT"}
    assert "colour" in unknown.errors[0]["message"]


async def test_orders_sort_by_number_total_and_customer_name(api: Api, database: Database) -> None:
    await a_shop(database)
    for email, first, quantity in (
        ("zoe@example.com", "Zoe", 1),
        ("anna@example.com", "Anna", 3),
        ("marco@example.com", "Marco", 2),
    ):
        await create_order(
            api,
            ("TEE", quantity),
            customer={"email": email, "firstName": first, "lastName": "X"},
        )

    assert await names(api, sort="ORDER_NUMBER", reverse=True) == ["#1003", "#1002", "#1001"]
    assert await names(api, sort="TOTAL_PRICE") == ["#1001", "#1003", "#1002"]
    assert await names(api, sort="CUSTOMER_NAME") == ["#1002", "#1003", "#1001"]
    assert await names(api, sort="CREATED_AT", reverse=True) == ["#1003", "#1002", "#1001"]
    page = await api.gql(
        "{ orders(first: 2, sortKey: TOTAL_PRICE) { pageInfo { endCursor hasNextPage } } }"
    )
    info = page.ok()["orders"]["pageInfo"]
    rest = await api.gql(
        "query($after: String) { orders(first: 2, after: $after, sortKey: TOTAL_PRICE) "
        "{ nodes { name } } }",
        {"after": info["endCursor"]},
    )
    assert info["hasNextPage"] is True
    assert [n["name"] for n in rest.ok()["orders"]["nodes"]] == ["#1002"]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A page of 100 orders with all their relations costs 18,202."""
    return replace(settings, max_query_cost=20_000)


LIST = """query($first: Int!) { orders(first: $first) { nodes {
  id name createdAt displayFinancialStatus totalPrice { amount }
  customer { email tags }
  lineItems(first: 10) { nodes { sku quantity originalUnitPrice { amount }
    discountAllocations { allocatedAmount { amount } } } }
  transactions { kind amount { amount } }
  fulfillmentOrders(first: 5) { nodes { status assignedLocation { name }
    routingDecision { strategy }
    lineItems(first: 10) { nodes { totalQuantity lineItem { sku } } } } }
  routingDecision { explanation assignments { location { name } lineItems { sku } }
    candidates { location { name } rank } }
  channel { handle } tags shippingLines { title } } } }"""


async def test_a_list_of_orders_costs_the_same_statements_for_10_or_100_orders(
    api: Api, database: Database
) -> None:
    await a_shop(database, tee_milano=500, tee_roma=500)
    for number in range(100):
        await create_order(
            api,
            ("TEE", 1),
            ("MUG", 1) if number % 50 == 0 else ("TEE", 1),
            customer={"email": f"buyer{number % 7}@example.com"},
            financialStatus="PAID" if number % 2 else "AUTHORIZED",
            discounts=[{"valueType": "PERCENTAGE", "value": "5"}],
            shippingLines=[{"title": "Standard", "price": "3.00"}],
            tags=["bulk"],
        )

    ten = await api.gql(LIST, {"first": 10})
    hundred = await api.gql(LIST, {"first": 100})

    assert len(ten.ok()["orders"]["nodes"]) == 10
    assert len(hundred.ok()["orders"]["nodes"]) == 100
    assert ten.statements == hundred.statements
    assert hundred.statements <= 18, hundred.statements  # one per relation selected


async def test_customers_carry_their_order_statistics(api: Api, database: Database) -> None:
    await a_shop(database)
    buyer = {"email": "anna@example.com", "firstName": "Anna", "lastName": "Verdi"}
    first = await create_order(api, ("TEE", 1), customer=buyer, financialStatus="PAID")
    await create_order(api, ("TEE", 2), customer=buyer, financialStatus="PAID")
    await create_order(api, ("MUG", 1), customer=buyer)
    await create_order(api, ("MUG", 1), customer={"email": "other@example.com"})

    found = await api.gql(
        """query($q: String) { customers(first: 5, query: $q) { nodes {
          email numberOfOrders amountSpent { amount currencyCode }
          averageOrderValue { amount } orders(first: 2) { nodes { name }
          pageInfo { hasNextPage endCursor } } } } }""",
        {"q": "orders_count:>=3 amount_spent:>70 aov:>24"},
    )
    (anna,) = found.ok()["customers"]["nodes"]
    assert anna["email"] == "anna@example.com"
    assert anna["numberOfOrders"] == 3
    assert anna["amountSpent"] == {"amount": "72.84", "currencyCode": "EUR"}  # 24.28 + 48.56
    assert anna["averageOrderValue"]["amount"] == "24.28"
    assert [n["name"] for n in anna["orders"]["nodes"]] == ["#1001", "#1002"]
    anna_id = (await api.gql(ORDER, {"id": first["id"]})).ok()["order"]["customer"]["id"]
    more = await api.gql(
        """query($id: ID!, $after: String) { customer(id: $id) {
          orders(first: 5, after: $after) { nodes { name } } } }""",
        {"id": anna_id, "after": anna["orders"]["pageInfo"]["endCursor"]},
    )
    assert [n["name"] for n in more.ok()["customer"]["orders"]["nodes"]] == ["#1003"]
    richer = await api.gql('{ customersCount(query: "aov:>24.28") { count } }')
    assert richer.ok()["customersCount"]["count"] == 0


async def test_the_order_timeline_lists_its_events_oldest_first(
    api: Api, database: Database
) -> None:
    await a_shop(database)
    order = await create_order(api, ("TEE", 1))
    await api.gql(
        "mutation($id: ID!) { orderMarkAsPaid(id: $id) { userErrors { code } } }",
        {"id": order["id"]},
    )

    timeline = await api.gql(
        "query($id: ID!) { order(id: $id) { events(first: 10) { nodes { type data } } } }",
        {"id": order["id"]},
    )

    events = timeline.ok()["order"]["events"]["nodes"]
    assert [e["type"] for e in events] == [
        "ORDER_CREATED",
        "ORDER_TRANSACTION_CREATED",
        "ORDER_STATUS_CHANGED",
    ]
    assert events[2]["data"]["displayFinancialStatus"] == "PAID"
    assert events[2]["data"]["previous"]["displayFinancialStatus"] == "PENDING"


async def test_a_partner_token_sees_and_changes_only_its_channels_orders(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    await a_channel(database, handle="amazon-it")
    web_order = await create_order(api, ("TEE", 1))
    amazon_order = await create_order(api, ("TEE", 1), channel="amazon-it")
    partner = api.token("write_orders", "read_fulfillments", channels=["amazon-it"])

    listed = await api.gql(SEARCH, {"q": None}, token=partner)
    hidden = await api.gql(ORDER, {"id": web_order["id"]}, token=partner)
    by_node = await api.gql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": [web_order["id"], amazon_order["id"]]},
        token=partner,
    )
    cancel = await api.gql(
        "mutation($id: ID!) { orderCancel(orderId: $id, reason: OTHER) { userErrors { code } } }",
        {"id": web_order["id"]},
        token=partner,
    )
    create_elsewhere = await api.gql(CREATE, order_input(("TEE", 1)), token=partner)

    assert [n["name"] for n in listed.ok()["orders"]["nodes"]] == [amazon_order["name"]]
    assert listed.ok()["ordersCount"]["count"] == 1
    assert hidden.ok()["order"] is None
    assert by_node.ok()["nodes"] == [None, {"id": amazon_order["id"]}]
    assert [e["code"] for e in cancel.ok()["orderCancel"]["userErrors"]] == ["NOT_FOUND"]
    assert [e["code"] for e in create_elsewhere.ok()["orderCreate"]["userErrors"]] == [
        "CHANNEL_NOT_FOUND"
    ]


async def test_reading_orders_needs_a_token_with_read_orders(api: Api) -> None:
    anonymous = await api.gql(SEARCH, token=None)
    wrong_scope = await api.gql(SEARCH, token=api.token("read_customers"))
    right = await api.gql(SEARCH, token=api.token("read_orders"))

    assert set(anonymous.error_codes) == {"UNAUTHENTICATED"}
    assert set(wrong_scope.error_codes) == {"FORBIDDEN"}
    assert right.ok()["orders"]["nodes"] == []


async def test_statement_counts_stay_small_for_one_order(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    order = await create_order(api, ("TEE", 1))

    read = await api.gql(ORDER, {"id": order["id"]})

    assert read.ok()["order"]["name"] == "#1001"
    assert read.statements <= 12


async def test_sorting_by_customer_name_follows_a_renamed_customer(
    api: Api, database: Database
) -> None:
    await a_shop(database)
    first = await create_order(
        api, ("TEE", 1), customer={"email": "a@example.com", "firstName": "Anna"}
    )
    await create_order(api, ("TEE", 1), customer={"email": "b@example.com", "firstName": "Bea"})

    renamed = await api.gql(
        """mutation($id: ID!) { customerUpdate(id: $id, input: {firstName: "Zita"}) {
          userErrors { code } } }""",
        {"id": first["customer"]["id"]},
    )

    assert renamed.ok()["customerUpdate"]["userErrors"] == []
    assert await names(api, sort="CUSTOMER_NAME") == ["#1002", "#1001"]
    assert await names(api, "zita") == ["#1001"]


async def test_a_customer_token_without_read_orders_does_not_see_their_orders(
    api: Api, database: Database
) -> None:
    await a_shop(database)
    await create_order(api, ("TEE", 1))

    result = await api.gql(
        "{ customers(first: 1) { nodes { email orders(first: 5) { nodes { name } } } } }",
        token=api.token("read_customers"),
    )

    assert result.error_codes == ["FORBIDDEN"]
