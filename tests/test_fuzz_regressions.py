"""Documents the schema fuzzer (tests/test_fuzz_schema.py) once answered with an internal
error, each pinned down to the answer it must get."""

from __future__ import annotations

from sqlalchemy import Engine

from oms_graphql.db import Database
from tests.api import Api
from tests.factories import an_item, count_rows
from tests.orders_support import CREATE, ORDER, a_shop, create_order, order_input, shipped_order


async def test_an_item_created_with_null_required_fields_gets_user_errors(
    api: Api, sync_engine: Engine
) -> None:
    result = await api.gql(
        """mutation { inventoryItemCreate(input: {sku: null, title: "Tee", tracked: null,
          inventoryPolicy: null, unitPrice: {amount: "1.00", currencyCode: EUR}}) {
          inventoryItem { id } userErrors { field code } } }"""
    )

    payload = result.ok()["inventoryItemCreate"]
    assert payload["inventoryItem"] is None
    assert sorted((e["code"], e["field"]) for e in payload["userErrors"]) == [
        ("BLANK", ["input", "sku"]),
        ("INVALID", ["input", "inventoryPolicy"]),
        ("INVALID", ["input", "tracked"]),
    ]
    assert count_rows(sync_engine, "inventory_items") == 0


async def test_an_item_update_to_a_null_title_gets_a_user_error(
    api: Api, database: Database
) -> None:
    item = await an_item(database, title="Tee")

    result = await api.gql(
        "mutation($id: ID!) { inventoryItemUpdate(id: $id, input: {title: null}) {"
        " inventoryItem { id } userErrors { field code } } }",
        {"id": f"gid://oms/InventoryItem/{item.id}"},
    )

    assert result.ok()["inventoryItemUpdate"]["userErrors"] == [
        {"field": ["input", "title"], "code": "BLANK"}
    ]
    title = await api.gql(
        "query($id: ID!) { inventoryItem(id: $id) { title } }",
        {"id": f"gid://oms/InventoryItem/{item.id}"},
    )
    assert title.ok()["inventoryItem"]["title"] == "Tee"


async def test_a_time_before_the_first_utc_instant_is_out_of_range_for_a_reschedule(
    api: Api, database: Database
) -> None:
    await a_shop(database)
    order = await create_order(api, ("TEE", 1))
    (work,) = order["fulfillmentOrders"]["nodes"]
    reschedule = """mutation($id: ID!) { fulfillmentOrderReschedule(id: $id,
      fulfillAt: "0001-01-01T00:00:00+14:00") {
        fulfillmentOrder { id } userErrors { field code } } }"""

    result = await api.gql(reschedule, {"id": work["id"]})

    assert result.ok()["fulfillmentOrderReschedule"] == {
        "fulfillmentOrder": None,
        "userErrors": [{"field": ["fulfillAt"], "code": "OUT_OF_RANGE"}],
    }
    after = await api.gql(ORDER, {"id": order["id"]})
    assert after.ok()["order"]["fulfillmentOrders"] == order["fulfillmentOrders"]


async def test_a_search_time_before_the_first_utc_instant_is_bad_user_input(api: Api) -> None:
    result = await api.gql(
        'query { orders(first: 5, query: "created_at:>0001-01-01T00:00:00+14:00") '
        "{ nodes { id } } }"
    )

    assert result.error_codes == ["BAD_USER_INPUT"]
    assert "0001-01-01T00:00:00+14:00" in result.errors[0]["message"]


async def test_an_order_processed_before_the_first_utc_instant_is_out_of_range(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)

    result = await api.gql(CREATE, order_input(("TEE", 1), processedAt="0001-01-01T00:00:00+14:00"))

    payload = result.ok()["orderCreate"]
    assert payload["order"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("OUT_OF_RANGE", ["input", "processedAt"])
    ]
    assert count_rows(sync_engine, "orders") == 0


async def test_a_shipment_step_before_the_first_utc_instant_is_out_of_range(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    order_id, _ = await shipped_order(api, ("TEE", 1))
    fulfillment = (
        await api.gql(
            "query($id: ID!) { order(id: $id) { fulfillments { id } } }", {"id": order_id}
        )
    ).ok()["order"]["fulfillments"][0]["id"]
    events_before = count_rows(sync_engine, "fulfillment_events")

    result = await api.gql(
        """mutation($id: ID!) { fulfillmentEventCreate(fulfillmentEvent: {fulfillmentId: $id,
          status: IN_TRANSIT, happenedAt: "0001-01-01T00:00:00+14:00"}) {
          fulfillmentEvent { status } userErrors { field code } } }""",
        {"id": fulfillment},
    )

    assert result.ok()["fulfillmentEventCreate"] == {
        "fulfillmentEvent": None,
        "userErrors": [{"field": ["fulfillmentEvent", "happenedAt"], "code": "OUT_OF_RANGE"}],
    }
    assert count_rows(sync_engine, "fulfillment_events") == events_before
