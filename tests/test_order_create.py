"""orderCreate: exact prices, stock committed where routing says, fulfillment orders, refusals
that change nothing, and idempotent retries."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from oms_graphql.db import Database
from tests.api import Api
from tests.factories import events_of, quantities
from tests.orders_support import CREATE, a_shop, amounts, create_order, order_input, table_counts

pytestmark = pytest.mark.usefixtures("ledger_checked")


async def test_an_order_is_priced_exactly_and_commits_stock_at_the_best_location(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)

    order = await create_order(
        api,
        ("TEE", 3),
        ("MUG", 1),
        shippingLines=[{"title": "Standard", "price": "4.90"}],
        discounts=[
            {"valueType": "PERCENTAGE", "value": "10", "title": "Welcome"},
            {"valueType": "FIXED_AMOUNT", "value": "1.00", "lineItemIndex": 1, "title": "Chip"},
        ],
        tags=["vip", "gift"],
        note="ring twice",
    )

    assert order["name"] == "#1001"
    assert order["status"] == "OPEN"
    assert order["displayFinancialStatus"] == "PENDING"
    assert order["displayFulfillmentStatus"] == "UNFULFILLED"
    assert order["version"] == 1
    assert order["tags"] == ["gift", "vip"]
    assert order["channel"]["handle"] == "web"
    assert order["customer"]["email"] == "maria@example.com"
    lines = order["lineItems"]["nodes"]
    # TEE 3 x 19.90 = 59.70; MUG 19.90 - 1.00 = 18.90; then 10% of 78.60 = 7.86 spread
    # 59.70 : 18.90 -> 5.97 and 1.89.
    assert amounts(lines, "originalUnitPrice") == ["19.90", "19.90"]
    assert amounts(lines, "discountedTotal") == ["53.73", "17.01"]
    assert [
        [a["allocatedAmount"]["amount"] for a in line["discountAllocations"]] for line in lines
    ] == [["5.97"], ["1.00", "1.89"]]
    assert order["subtotalPrice"]["amount"] == "70.74"
    assert order["totalDiscounts"]["amount"] == "8.86"
    # 22% of 53.73 = 11.82, of 17.01 = 3.74, of 4.90 shipping = 1.08
    assert amounts(lines, "totalTax") == ["11.82", "3.74"]
    assert order["shippingLines"][0]["tax"]["amount"] == "1.08"
    assert order["totalTax"]["amount"] == "16.64"
    assert order["totalPrice"] == {"amount": "92.28", "currencyCode": "EUR"}
    assert order["totalOutstanding"]["amount"] == "92.28"
    (fulfillment_order,) = order["fulfillmentOrders"]["nodes"]
    assert fulfillment_order["assignedLocation"]["name"] == "Milano"
    assert fulfillment_order["status"] == "OPEN"
    assert [
        (n["sku"], n["remainingQuantity"]) for n in fulfillment_order["lineItems"]["nodes"]
    ] == [
        ("TEE", 3),
        ("MUG", 1),
    ]
    tee_milano = quantities(sync_engine, shop.levels[("TEE", "Milano")])
    assert (tee_milano["committed"], tee_milano["available"]) == (3, 7)
    assert quantities(sync_engine, shop.levels[("TEE", "Roma")])["committed"] == 0
    types = [event["type"] for event in events_of(sync_engine)]
    assert {"order.created", "fulfillment_order.created", "customer.created"} <= set(types)
    assert order["customer"]["numberOfOrders"] == 1


async def test_prices_that_include_tax_have_the_tax_extracted(api: Api, database: Database) -> None:
    await a_shop(database)

    order = await create_order(
        api,
        ("TEE", 1),
        taxesIncluded=True,
        lineItems=[{"sku": "TEE", "quantity": 1, "originalUnitPrice": "12.20"}],
    )

    assert order["totalTax"]["amount"] == "2.20"
    assert order["totalPrice"]["amount"] == "12.20"


async def test_an_order_no_single_location_can_fill_is_split_across_the_fewest(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database, tee_milano=1, tee_roma=4, mug_roma=0)

    order = await create_order(api, ("TEE", 3), ("MUG", 5))

    by_location = {
        fo["assignedLocation"]["name"]: [n["sku"] for n in fo["lineItems"]["nodes"]]
        for fo in order["fulfillmentOrders"]["nodes"]
    }
    assert by_location == {"Milano": ["MUG"], "Roma": ["TEE"]}
    assert quantities(sync_engine, shop.levels[("TEE", "Roma")])["committed"] == 3
    assert quantities(sync_engine, shop.levels[("MUG", "Milano")])["committed"] == 5


async def test_too_little_stock_refuses_the_whole_order_and_changes_nothing(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    before = table_counts(sync_engine)

    result = await api.gql(CREATE, order_input(("MUG", 1), ("TEE", 21)))

    payload = result.ok()["orderCreate"]
    assert payload["order"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INSUFFICIENT_STOCK", ["input", "lineItems", "1", "quantity"])
    ]
    assert table_counts(sync_engine) == before


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        (
            {"lineItems": [{"sku": "NOPE", "quantity": 1}]},
            "NOT_FOUND",
            ["input", "lineItems", "0", "sku"],
        ),
        (
            {"lineItems": [{"sku": "TEE", "quantity": 0}]},
            "INVALID_QUANTITY",
            ["input", "lineItems", "0", "quantity"],
        ),
        (
            {"lineItems": [{"sku": "TEE", "quantity": -2}]},
            "INVALID_QUANTITY",
            ["input", "lineItems", "0", "quantity"],
        ),
        (
            {"lineItems": [{"sku": "TEE", "quantity": 1, "originalUnitPrice": "-1.00"}]},
            "INVALID_PRICE",
            ["input", "lineItems", "0", "originalUnitPrice"],
        ),
        (
            {"lineItems": [{"sku": "TEE", "quantity": 1, "originalUnitPrice": "1.001"}]},
            "INVALID_PRICE",
            ["input", "lineItems", "0", "originalUnitPrice"],
        ),
        ({"lineItems": [{"sku": "TEE", "quantity": 1}] * 251}, "TOO_MANY", ["input", "lineItems"]),
        ({"lineItems": []}, "BLANK", ["input", "lineItems"]),
        ({"channel": "nowhere"}, "CHANNEL_NOT_FOUND", ["input", "channel"]),
        ({"shippingAddress": None}, "BLANK", ["input", "shippingAddress"]),
        (
            {"currencyCode": "USD"},
            "CURRENCY_MISMATCH",
            ["input", "lineItems", "0", "originalUnitPrice"],
        ),
        (
            {"discounts": [{"valueType": "PERCENTAGE", "value": "120"}]},
            "OUT_OF_RANGE",
            ["input", "discounts", "0", "value"],
        ),
        (
            {"discounts": [{"valueType": "FIXED_AMOUNT", "value": "500"}]},
            "OUT_OF_RANGE",
            ["input", "discounts", "0", "value"],
        ),
        (
            {"shippingLines": [{"title": "Fast", "price": "-3"}]},
            "INVALID_PRICE",
            ["input", "shippingLines", "0", "price"],
        ),
        ({"customer": {"email": "not-an-email"}}, "INVALID", ["input", "customer", "email"]),
        ({"deliveryMethod": "PICKUP"}, "BLANK", ["input", "pickupLocationId"]),
        (
            {"discounts": [{"valueType": "PERCENTAGE", "value": "NaN"}]},
            "OUT_OF_RANGE",
            ["input", "discounts", "0", "value"],
        ),
        (
            {"discounts": [{"valueType": "FIXED_AMOUNT", "value": "Infinity"}]},
            "OUT_OF_RANGE",
            ["input", "discounts", "0", "value"],
        ),
        (
            {"lineItems": [{"sku": "TEE", "quantity": 1, "originalUnitPrice": "NaN"}]},
            "INVALID_PRICE",
            ["input", "lineItems", "0", "originalUnitPrice"],
        ),
        ({"processedAt": "2026-01-01T00:00:00"}, "INVALID", ["input", "processedAt"]),
        ({"processedAt": "2999-01-01T00:00:00Z"}, "OUT_OF_RANGE", ["input", "processedAt"]),
    ],
)
async def test_bad_input_is_refused_with_a_coded_error_and_changes_nothing(
    api: Api,
    database: Database,
    sync_engine: Engine,
    change: dict[str, object],
    code: str,
    field: list[str],
) -> None:
    await a_shop(database)
    before = table_counts(sync_engine)
    variables = order_input(("TEE", 1))
    variables["input"].update(change)

    payload = (await api.gql(CREATE, variables)).ok()["orderCreate"]

    assert payload["order"] is None
    assert (code, field) in [(e["code"], e["field"]) for e in payload["userErrors"]]
    assert table_counts(sync_engine) == before


async def test_a_retry_with_the_same_key_creates_nothing_new(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    first = await api.gql(CREATE, {**order_input(("TEE", 2)), "key": "checkout-1"})
    after_first = table_counts(sync_engine)

    again = await api.gql(CREATE, {**order_input(("TEE", 2)), "key": "checkout-1"})
    other = await api.gql(CREATE, {**order_input(("TEE", 3)), "key": "checkout-1"})

    assert again.ok()["orderCreate"]["order"]["id"] == first.ok()["orderCreate"]["order"]["id"]
    assert [e["code"] for e in other.ok()["orderCreate"]["userErrors"]] == [
        "IDEMPOTENCY_KEY_MISMATCH"
    ]
    assert table_counts(sync_engine) == after_first


async def test_the_customer_is_upserted_by_email_and_given_names_replace_stored_ones(
    api: Api, database: Database
) -> None:
    await a_shop(database)
    read = "{ customers(first: 5) { nodes { email firstName lastName version numberOfOrders } } }"

    await create_order(api, ("TEE", 1), customer={"email": "Ada@Example.com", "firstName": "Ada"})
    await create_order(api, ("TEE", 1), customer={"email": "ada@example.com"})
    unchanged = (await api.gql(read)).ok()["customers"]["nodes"]
    await create_order(
        api, ("TEE", 1), customer={"email": "ada@example.com", "lastName": "Lovelace"}
    )
    renamed = (await api.gql(read)).ok()["customers"]["nodes"]

    assert unchanged == [
        {
            "email": "ada@example.com",
            "firstName": "Ada",
            "lastName": None,
            "version": 1,
            "numberOfOrders": 2,
        }
    ]
    assert renamed == [
        {
            "email": "ada@example.com",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "version": 2,
            "numberOfOrders": 3,
        }
    ]
