"""Inventory items, levels and the three quantity mutations, with the ledger behind them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine

from oms_graphql.db import Database
from oms_graphql.ids import encode_gid
from oms_graphql.models import InventoryPolicy
from tests.api import Api
from tests.factories import a_location, an_item, count_rows, events_of, quantities, stocked

pytestmark = pytest.mark.usefixtures("ledger_checked")

ITEM_FIELDS = """id sku title unitPrice { amount currencyCode } tracked inventoryPolicy
lowStockThreshold weight { value unit } totalAvailable"""
CREATE = f"""mutation($input: InventoryItemInput!, $key: String) {{
  inventoryItemCreate(input: $input, idempotencyKey: $key) {{
    inventoryItem {{ {ITEM_FIELDS} }} userErrors {{ field message code }} }} }}"""
UPDATE = f"""mutation($id: ID!, $input: InventoryItemInput!) {{
  inventoryItemUpdate(id: $id, input: $input) {{
    inventoryItem {{ {ITEM_FIELDS} }} userErrors {{ field message code }} }} }}"""
GROUP = """inventoryAdjustmentGroup { id reason referenceDocumentUri
  changes { name delta quantityAfterChange item { sku } location { name } } }
  userErrors { field message code }"""
ADJUST = f"""mutation($input: InventoryAdjustQuantitiesInput!) {{
  inventoryAdjustQuantities(input: $input) {{ {GROUP} }} }}"""
SET = f"""mutation($input: InventorySetQuantitiesInput!) {{
  inventorySetQuantities(input: $input) {{ {GROUP} }} }}"""
MOVE = f"""mutation($input: InventoryMoveQuantitiesInput!) {{
  inventoryMoveQuantities(input: $input) {{ {GROUP} }} }}"""
ACTIVATE = """mutation($item: ID!, $location: ID!, $onHand: Int) {
  inventoryActivate(inventoryItemId: $item, locationId: $location, onHand: $onHand) {
    inventoryLevel { id quantities(names: ["on_hand", "available"]) { name quantity }
      item { sku } location { name } }
    userErrors { field message code } } }"""


def gid(type_name: str, pk: int) -> str:
    return encode_gid(type_name, pk)


def line(item: Any, location: Any, **values: Any) -> dict[str, Any]:
    return {
        "inventoryItemId": gid("InventoryItem", item.id),
        "locationId": gid("Location", location.id),
        **values,
    }


def changes(group: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {c["name"]: (c["delta"], c["quantityAfterChange"]) for c in group["changes"]}


# --- items --------------------------------------------------------------------------------


async def test_an_item_is_created_with_its_price_and_policy(api: Api) -> None:
    result = await api.gql(
        CREATE,
        {
            "input": {
                "sku": " TEE-BLK-M ",
                "title": "Classic tee",
                "unitPrice": {"amount": "19.90", "currencyCode": "EUR"},
                "inventoryPolicy": "CONTINUE",
                "lowStockThreshold": 5,
                "weight": {"value": 180, "unit": "GRAMS"},
            }
        },
    )
    item = result.ok()["inventoryItemCreate"]["inventoryItem"]
    assert item["sku"] == "TEE-BLK-M"
    assert item["unitPrice"] == {"amount": "19.90", "currencyCode": "EUR"}
    assert (item["tracked"], item["inventoryPolicy"], item["lowStockThreshold"]) == (
        True,
        "CONTINUE",
        5,
    )
    assert item["weight"] == {"value": 180.0, "unit": "GRAMS"}
    assert item["totalAvailable"] == 0
    found = await api.gql('{ inventoryItems(query: "sku:TEE-*") { nodes { sku } } }')
    assert found.ok()["inventoryItems"]["nodes"] == [{"sku": "TEE-BLK-M"}]


@pytest.mark.parametrize(
    ("given", "field", "code"),
    [
        ({"sku": "", "title": "x"}, ["input", "sku"], "BLANK"),
        ({"sku": "has space", "title": "x"}, ["input", "sku"], "INVALID"),
        ({"sku": "A-1", "title": " "}, ["input", "title"], "BLANK"),
        ({"title": "no sku"}, ["input", "sku"], "BLANK"),
        (
            {"sku": "A-1", "title": "x", "lowStockThreshold": -1},
            ["input", "lowStockThreshold"],
            "OUT_OF_RANGE",
        ),
        (
            {"sku": "A-1", "title": "x", "unitPrice": {"amount": "1.999", "currencyCode": "EUR"}},
            ["input", "unitPrice", "amount"],
            "INVALID",
        ),
        (
            {"sku": "A-1", "title": "x", "unitPrice": {"amount": "-1", "currencyCode": "EUR"}},
            ["input", "unitPrice", "amount"],
            "INVALID",
        ),
    ],
)
async def test_bad_items_are_refused_and_nothing_is_written(
    api: Api, sync_engine: Engine, given: dict[str, Any], field: list[str], code: str
) -> None:
    result = await api.gql(CREATE, {"input": given})
    payload = result.ok()["inventoryItemCreate"]
    assert payload["inventoryItem"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    assert count_rows(sync_engine, "inventory_items") == 0
    assert count_rows(sync_engine, "events") == 0


async def test_a_duplicate_sku_is_taken(api: Api, database: Database, sync_engine: Engine) -> None:
    await an_item(database, sku="MUG-1")
    result = await api.gql(CREATE, {"input": {"sku": "MUG-1", "title": "Mug"}})
    assert result.ok()["inventoryItemCreate"]["userErrors"][0]["code"] == "TAKEN"
    assert count_rows(sync_engine, "inventory_items") == 1


async def test_an_item_update_changes_only_what_is_given(api: Api, database: Database) -> None:
    item = await an_item(database, sku="MUG-2", title="Mug")
    result = await api.gql(
        UPDATE,
        {"id": gid("InventoryItem", item.id), "input": {"title": "Big mug", "unitPrice": None}},
    )
    updated = result.ok()["inventoryItemUpdate"]["inventoryItem"]
    assert (updated["sku"], updated["title"], updated["unitPrice"]) == ("MUG-2", "Big mug", None)
    missing = await api.gql(UPDATE, {"id": gid("InventoryItem", 999), "input": {"title": "x"}})
    assert missing.ok()["inventoryItemUpdate"]["userErrors"][0]["code"] == "NOT_FOUND"


# --- levels -------------------------------------------------------------------------------


async def test_activation_stocks_an_item_with_a_ledger_row(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    item = await an_item(database, sku="TEE-1")
    location = await a_location(database, name="Milano")
    result = await api.gql(
        ACTIVATE,
        {
            "item": gid("InventoryItem", item.id),
            "location": gid("Location", location.id),
            "onHand": 12,
        },
    )
    level = result.ok()["inventoryActivate"]["inventoryLevel"]
    assert level["quantities"] == [
        {"name": "on_hand", "quantity": 12},
        {"name": "available", "quantity": 12},
    ]
    assert (level["item"]["sku"], level["location"]["name"]) == ("TEE-1", "Milano")
    again = await api.gql(
        ACTIVATE,
        {
            "item": gid("InventoryItem", item.id),
            "location": gid("Location", location.id),
            "onHand": 3,
        },
    )
    assert again.ok()["inventoryActivate"]["userErrors"][0]["code"] == "ALREADY_ACTIVE"
    assert count_rows(sync_engine, "inventory_levels") == 1
    quiet = await api.gql(
        ACTIVATE, {"item": gid("InventoryItem", item.id), "location": gid("Location", location.id)}
    )
    assert quiet.ok()["inventoryActivate"]["inventoryLevel"]["id"] == level["id"]


async def test_activation_of_unknown_things_is_refused(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    result = await api.gql(
        ACTIVATE, {"item": gid("InventoryItem", 7), "location": gid("Location", 8), "onHand": -1}
    )
    errors = result.ok()["inventoryActivate"]["userErrors"]
    assert {(tuple(e["field"]), e["code"]) for e in errors} == {
        (("inventoryItemId",), "NOT_FOUND"),
        (("locationId",), "NOT_FOUND"),
        (("onHand",), "OUT_OF_RANGE"),
    }
    assert count_rows(sync_engine, "inventory_levels") == 0


async def test_adjusting_available_moves_on_hand_and_writes_both_to_the_ledger(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    item = await an_item(database)
    location = await a_location(database, name="Roma")
    level = await stocked(database, item, location, 10)
    result = await api.gql(
        ADJUST,
        {
            "input": {
                "name": "available",
                "reason": "SHRINKAGE",
                "referenceDocumentUri": "gid://oms/Count/1",
                "changes": [line(item, location, delta=-4)],
            }
        },
    )
    group = result.ok()["inventoryAdjustQuantities"]["inventoryAdjustmentGroup"]
    assert (group["reason"], group["referenceDocumentUri"]) == ("SHRINKAGE", "gid://oms/Count/1")
    assert changes(group) == {"on_hand": (-4, 6), "available": (-4, 6)}
    ledger = await api.gql(
        """query($id: ID!) { inventoryLevel(id: $id) { changes(first: 10) { nodes {
          quantityName delta quantityAfter reason referenceDocumentUri actor } } } }""",
        {"id": gid("InventoryLevel", level.id)},
    )
    rows = ledger.ok()["inventoryLevel"]["changes"]["nodes"]
    assert [(r["quantityName"], r["delta"], r["quantityAfter"], r["reason"]) for r in rows] == [
        ("on_hand", 10, 10, "RECEIVED"),
        ("available", 10, 10, "RECEIVED"),
        ("on_hand", -4, 6, "SHRINKAGE"),
        ("available", -4, 6, "SHRINKAGE"),
    ]
    assert rows[-1]["actor"] == "test-user"
    assert rows[-1]["referenceDocumentUri"] == "gid://oms/Count/1"
    assert "inventory.level_changed" in [e["type"] for e in events_of(sync_engine)]


async def test_adjusting_a_held_back_state_keeps_available(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    item = await an_item(database)
    location = await a_location(database)
    level = await stocked(database, item, location, 10)
    result = await api.gql(
        ADJUST,
        {
            "input": {
                "name": "damaged",
                "reason": "DAMAGED",
                "changes": [line(item, location, delta=2)],
            }
        },
    )
    assert changes(result.ok()["inventoryAdjustQuantities"]["inventoryAdjustmentGroup"]) == {
        "damaged": (2, 2),
        "on_hand": (2, 12),
    }
    assert quantities(sync_engine, level.id)["available"] == 10


async def test_a_batch_with_one_bad_line_changes_nothing(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    item = await an_item(database)
    other = await an_item(database)
    location = await a_location(database)
    level = await stocked(database, item, location, 5)
    await stocked(database, other, location, 1)
    ledger_rows = count_rows(sync_engine, "inventory_changes")
    events = count_rows(sync_engine, "events")
    result = await api.gql(
        ADJUST,
        {
            "input": {
                "name": "available",
                "reason": "CORRECTION",
                "changes": [line(item, location, delta=3), line(other, location, delta=-2)],
            }
        },
    )
    payload = result.ok()["inventoryAdjustQuantities"]
    assert payload["inventoryAdjustmentGroup"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "changes", "1", "delta"], "INSUFFICIENT_STOCK")
    ]
    assert quantities(sync_engine, level.id)["on_hand"] == 5
    assert count_rows(sync_engine, "inventory_changes") == ledger_rows
    assert count_rows(sync_engine, "events") == events


@pytest.mark.parametrize(
    ("name", "delta", "field", "code"),
    [
        ("committed", 1, ["input", "name"], "INVALID_QUANTITY_NAME"),
        ("nonsense", 1, ["input", "name"], "INVALID_QUANTITY_NAME"),
        ("available", 0, ["input", "changes", "0", "delta"], "INVALID_QUANTITY"),
        ("damaged", -1, ["input", "changes", "0", "delta"], "INSUFFICIENT_QUANTITY"),
    ],
)
async def test_bad_adjustments_are_refused(
    api: Api,
    database: Database,
    sync_engine: Engine,
    name: str,
    delta: int,
    field: list[str],
    code: str,
) -> None:
    item = await an_item(database)
    location = await a_location(database)
    level = await stocked(database, item, location, 5)
    before = quantities(sync_engine, level.id)
    result = await api.gql(
        ADJUST,
        {
            "input": {
                "name": name,
                "reason": "OTHER",
                "changes": [line(item, location, delta=delta)],
            }
        },
    )
    assert [
        (e["field"], e["code"]) for e in result.ok()["inventoryAdjustQuantities"]["userErrors"]
    ] == [(field, code)]
    assert quantities(sync_engine, level.id) == before


async def test_unknown_and_unstocked_lines_are_named(api: Api, database: Database) -> None:
    item = await an_item(database)
    location = await a_location(database)
    result = await api.gql(
        ADJUST,
        {
            "input": {
                "name": "available",
                "reason": "OTHER",
                "changes": [
                    line(item, location, delta=1),
                    {
                        "inventoryItemId": gid("InventoryItem", 99),
                        "locationId": gid("Location", location.id),
                        "delta": 1,
                    },
                    {
                        "inventoryItemId": gid("InventoryItem", item.id),
                        "locationId": gid("Location", 99),
                        "delta": 1,
                    },
                ],
            }
        },
    )
    errors = result.ok()["inventoryAdjustQuantities"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        (["input", "changes", "0", "locationId"], "NOT_STOCKED"),
        (["input", "changes", "1", "inventoryItemId"], "NOT_FOUND"),
        (["input", "changes", "2", "locationId"], "NOT_FOUND"),
    ]


async def test_backorder_items_may_go_below_zero_available(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    item = await an_item(database, policy=InventoryPolicy.CONTINUE)
    location = await a_location(database)
    level = await stocked(database, item, location, 2)
    result = await api.gql(
        ADJUST,
        {
            "input": {
                "name": "safety_stock",
                "reason": "OTHER",
                "changes": [line(item, location, delta=1)],
            }
        },
    )
    assert result.ok()["inventoryAdjustQuantities"]["userErrors"] == []
    moved = await api.gql(
        MOVE,
        {
            "input": {
                "reason": "OTHER",
                "changes": [
                    line(item, location, quantity=3, **{"from": "available", "to": "damaged"})
                ],
            }
        },
    )
    assert moved.ok()["inventoryMoveQuantities"]["userErrors"] == []
    assert quantities(sync_engine, level.id)["available"] == -1


async def test_set_quantities_compare_and_swap(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    item = await an_item(database)
    location = await a_location(database)
    level = await stocked(database, item, location, 7)
    stale = await api.gql(
        SET,
        {
            "input": {
                "name": "on_hand",
                "reason": "CYCLE_COUNT",
                "quantities": [line(item, location, quantity=20, compareQuantity=6)],
            }
        },
    )
    errors = stale.ok()["inventorySetQuantities"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        (["input", "quantities", "0", "compareQuantity"], "STALE_COMPARE_QUANTITY")
    ]
    assert quantities(sync_engine, level.id)["on_hand"] == 7
    fresh = await api.gql(
        SET,
        {
            "input": {
                "name": "on_hand",
                "reason": "CYCLE_COUNT",
                "quantities": [line(item, location, quantity=20, compareQuantity=7)],
            }
        },
    )
    group = fresh.ok()["inventorySetQuantities"]["inventoryAdjustmentGroup"]
    assert changes(group) == {"on_hand": (13, 20), "available": (13, 20)}
    as_available = await api.gql(
        SET,
        {
            "input": {
                "name": "available",
                "reason": "CORRECTION",
                "quantities": [line(item, location, quantity=15)],
            }
        },
    )
    assert changes(as_available.ok()["inventorySetQuantities"]["inventoryAdjustmentGroup"]) == {
        "on_hand": (-5, 15),
        "available": (-5, 15),
    }


async def test_moves_between_states(api: Api, database: Database, sync_engine: Engine) -> None:
    item = await an_item(database)
    location = await a_location(database)
    level = await stocked(database, item, location, 10)

    async def move(source: str, target: str, quantity: int) -> dict[str, Any]:
        result = await api.gql(
            MOVE,
            {
                "input": {
                    "reason": "OTHER",
                    "changes": [
                        line(item, location, quantity=quantity, **{"from": source, "to": target})
                    ],
                }
            },
        )
        return result.ok()["inventoryMoveQuantities"]  # type: ignore[no-any-return]

    assert changes((await move("available", "quality_control", 4))["inventoryAdjustmentGroup"]) == {
        "quality_control": (4, 4),
        "available": (-4, 6),
    }
    assert changes((await move("quality_control", "damaged", 1))["inventoryAdjustmentGroup"]) == {
        "quality_control": (-1, 3),
        "damaged": (1, 1),
    }
    assert changes((await move("quality_control", "available", 3))["inventoryAdjustmentGroup"]) == {
        "quality_control": (-3, 0),
        "available": (3, 9),
    }
    too_many = await move("damaged", "available", 2)
    assert [e["code"] for e in too_many["userErrors"]] == ["INSUFFICIENT_QUANTITY"]
    same = await move("damaged", "damaged", 1)
    assert "INVALID" in [e["code"] for e in same["userErrors"]]
    committed = await move("available", "committed", 1)
    assert [e["code"] for e in committed["userErrors"]] == ["INVALID_QUANTITY_NAME"]
    assert quantities(sync_engine, level.id) == {
        "on_hand": 10,
        "committed": 0,
        "reserved": 0,
        "incoming": 0,
        "damaged": 1,
        "safety_stock": 0,
        "quality_control": 0,
        "available": 9,
    }


async def test_low_stock_event_when_available_drops_below_the_threshold(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    item = await an_item(database, low_stock_threshold=5)
    location = await a_location(database)
    await stocked(database, item, location, 8)
    for delta in (-2, -2, -1):
        result = await api.gql(
            ADJUST,
            {
                "input": {
                    "name": "available",
                    "reason": "OTHER",
                    "changes": [line(item, location, delta=delta)],
                }
            },
        )
        assert result.ok()["inventoryAdjustQuantities"]["userErrors"] == []
    low = [e for e in events_of(sync_engine) if e["type"] == "inventory.low_stock"]
    assert len(low) == 1
    data = low[0]["data"]
    assert (json.loads(data) if isinstance(data, str) else data)["available"] == 4


async def test_levels_are_listed_per_item_and_location_without_n_plus_one(
    api: Api, database: Database
) -> None:
    locations = [await a_location(database) for _ in range(3)]
    for n in range(6):
        item = await an_item(database, sku=f"LIST-{n}")
        for location in locations[: 1 + n % 3]:
            await stocked(database, item, location, 5)
    query = """{ inventoryItems(first: 50) { nodes { sku totalAvailable
      inventoryLevels(first: 2) { pageInfo { hasNextPage endCursor }
        nodes { location { name } quantities(names: ["available"]) { quantity } } } } } }"""
    result = await api.gql(query)
    items = result.ok()["inventoryItems"]["nodes"]
    assert [i["totalAvailable"] for i in items] == [5, 10, 15, 5, 10, 15]
    assert [len(i["inventoryLevels"]["nodes"]) for i in items] == [1, 2, 2, 1, 2, 2]
    assert [i["inventoryLevels"]["pageInfo"]["hasNextPage"] for i in items] == [
        False,
        False,
        True,
    ] * 2
    statements = result.statements
    for n in range(6, 12):
        item = await an_item(database, sku=f"LIST-{n}")
        await stocked(database, item, locations[0], 5)
    assert (await api.gql(query)).statements == statements
    third = items[2]
    rest = await api.gql(
        """query($id: ID!, $after: String) { inventoryItem(id: $id) {
          inventoryLevels(first: 2, after: $after) { nodes { location { name } } } } }""",
        {
            "id": await _item_id(api, "LIST-2"),
            "after": third["inventoryLevels"]["pageInfo"]["endCursor"],
        },
    )
    assert [
        n["location"]["name"] for n in rest.ok()["inventoryItem"]["inventoryLevels"]["nodes"]
    ] == [locations[2].name]
    by_location = await api.gql(
        """query($id: ID!) { location(id: $id) { inventoryLevels(first: 50, query: "sku:LIST-1*") {
          nodes { item { sku } } } } }""",
        {"id": gid("Location", locations[0].id)},
    )
    skus = [n["item"]["sku"] for n in by_location.ok()["location"]["inventoryLevels"]["nodes"]]
    assert skus == ["LIST-1", "LIST-10", "LIST-11"]


async def _item_id(api: Api, sku: str) -> str:
    result = await api.gql(
        "query($q: String) { inventoryItems(query: $q) { nodes { id } } }", {"q": f"sku:{sku}"}
    )
    return str(result.ok()["inventoryItems"]["nodes"][0]["id"])


async def test_quantities_reject_unknown_names(api: Api, database: Database) -> None:
    item = await an_item(database)
    location = await a_location(database)
    level = await stocked(database, item, location, 1)
    result = await api.gql(
        'query($id: ID!) { inventoryLevel(id: $id) { quantities(names: ["on_hand", "bogus"]) {'
        " quantity } } }",
        {"id": gid("InventoryLevel", level.id)},
    )
    assert result.error_codes == ["BAD_USER_INPUT"]
    assert "bogus" in result.errors[0]["message"]


async def test_inventory_needs_its_scopes(api: Api, database: Database) -> None:
    item = await an_item(database)
    location = await a_location(database)
    level = await stocked(database, item, location, 1)
    reader = api.token("read_inventory")
    refused = await api.gql(
        ADJUST,
        {
            "input": {
                "name": "available",
                "reason": "OTHER",
                "changes": [line(item, location, delta=1)],
            }
        },
        token=reader,
    )
    assert refused.error_codes == ["FORBIDDEN"]
    storefront = api.token("storefront")
    assert (
        await api.gql("{ inventoryItems { nodes { sku } } }", token=storefront)
    ).error_codes == ["FORBIDDEN"]
    node = await api.gql(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": gid("InventoryLevel", level.id)},
        token=storefront,
    )
    assert node.error_codes == ["FORBIDDEN"]
    assert (await api.gql("{ inventoryItems { nodes { sku } } }", token=None)).error_codes == [
        "UNAUTHENTICATED"
    ]


async def test_idempotent_adjustments_apply_once(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    item = await an_item(database)
    location = await a_location(database)
    level = await stocked(database, item, location, 1)
    document = """mutation($input: InventoryAdjustQuantitiesInput!) {
      inventoryAdjustQuantities(input: $input, idempotencyKey: "count-7") {
        inventoryAdjustmentGroup { id } userErrors { code } } }"""
    variables = {
        "input": {
            "name": "available",
            "reason": "RECEIVED",
            "changes": [line(item, location, delta=5)],
        }
    }
    first = (await api.gql(document, variables)).ok()["inventoryAdjustQuantities"]
    again = (await api.gql(document, variables)).ok()["inventoryAdjustQuantities"]
    assert first == again
    assert quantities(sync_engine, level.id)["on_hand"] == 6


async def test_inventory_objects_resolve_as_nodes(api: Api, database: Database) -> None:
    item = await an_item(database, sku="NODE-1")
    level = await stocked(database, item, await a_location(database), 3)
    result = await api.gql(
        """query($ids: [ID!]!) { nodes(ids: $ids) { id
          ... on InventoryItem { sku }
          ... on InventoryLevel { quantities(names: ["available"]) { quantity } }
          ... on InventoryAdjustmentGroup { reason } } }""",
        {
            "ids": [
                gid("InventoryItem", item.id),
                gid("InventoryLevel", level.id),
                gid("InventoryAdjustmentGroup", 1),
                gid("InventoryItem", 999),
            ]
        },
    )
    first, second, third, missing = result.ok()["nodes"]
    assert first["sku"] == "NODE-1"
    assert second["quantities"] == [{"quantity": 3}]
    assert third["reason"] == "RECEIVED"
    assert missing is None
