"""Transfers between locations: shipped, received in parts, never more than was shipped."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from oms_graphql.db import Database
from oms_graphql.ids import encode_gid
from tests.api import Api
from tests.factories import a_location, an_item, count_rows, events_of, quantities, stocked

pytestmark = pytest.mark.usefixtures("ledger_checked")

TRANSFER = "inventoryTransfer { id status lineItems { quantity receivedQuantity } }"
CREATE = f"""mutation($input: InventoryTransferCreateInput!) {{
  inventoryTransferCreate(input: $input) {{ {TRANSFER} userErrors {{ field message code }} }} }}"""
SHIP = f"""mutation($id: ID!) {{
  inventoryTransferShip(id: $id) {{ {TRANSFER} userErrors {{ field message code }} }} }}"""
RECEIVE = f"""mutation($id: ID!, $lines: [InventoryTransferLineInput!]) {{
  inventoryTransferReceive(id: $id, lineItems: $lines) {{
    {TRANSFER} userErrors {{ field message code }} }} }}"""


async def setup(database: Database, units: int = 10) -> tuple[Any, Any, Any, int]:
    item = await an_item(database, sku="BOX")
    origin = await a_location(database, name="Origin")
    destination = await a_location(database, name="Destination")
    level = await stocked(database, item, origin, units)
    return item, origin, destination, level.id


def transfer_input(item: Any, origin: Any, destination: Any, quantity: int) -> dict[str, Any]:
    return {
        "input": {
            "originLocationId": encode_gid("Location", origin.id),
            "destinationLocationId": encode_gid("Location", destination.id),
            "lineItems": [
                {"inventoryItemId": encode_gid("InventoryItem", item.id), "quantity": quantity}
            ],
        }
    }


def received(item: Any, quantity: int) -> list[dict[str, Any]]:
    return [{"inventoryItemId": encode_gid("InventoryItem", item.id), "quantity": quantity}]


async def test_a_transfer_ships_and_arrives_in_parts(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    item, origin, destination, origin_level = await setup(database)
    created = (await api.gql(CREATE, transfer_input(item, origin, destination, 6))).ok()
    transfer = created["inventoryTransferCreate"]["inventoryTransfer"]
    assert transfer["status"] == "PENDING"
    assert quantities(sync_engine, origin_level)["on_hand"] == 10
    shipped = (await api.gql(SHIP, {"id": transfer["id"]})).ok()["inventoryTransferShip"]
    assert shipped["inventoryTransfer"]["status"] == "IN_TRANSIT"
    assert quantities(sync_engine, origin_level)["on_hand"] == 4
    destination_level = 2
    assert quantities(sync_engine, destination_level)["incoming"] == 6
    assert quantities(sync_engine, destination_level)["available"] == 0
    part = (await api.gql(RECEIVE, {"id": transfer["id"], "lines": received(item, 4)})).ok()
    assert part["inventoryTransferReceive"]["inventoryTransfer"]["status"] == "PARTIALLY_RECEIVED"
    assert quantities(sync_engine, destination_level)["on_hand"] == 4
    assert quantities(sync_engine, destination_level)["incoming"] == 2
    rest = (await api.gql(RECEIVE, {"id": transfer["id"]})).ok()["inventoryTransferReceive"]
    assert rest["inventoryTransfer"] == {
        "id": transfer["id"],
        "status": "RECEIVED",
        "lineItems": [{"quantity": 6, "receivedQuantity": 6}],
    }
    assert quantities(sync_engine, destination_level)["available"] == 6
    activated = [e for e in events_of(sync_engine) if e["type"] == "inventory.level_activated"]
    assert [e["subject_id"] for e in activated] == [origin_level, destination_level]


async def test_receiving_more_than_shipped_is_refused(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    item, origin, destination, _ = await setup(database)
    transfer = (await api.gql(CREATE, transfer_input(item, origin, destination, 3))).ok()[
        "inventoryTransferCreate"
    ]["inventoryTransfer"]
    early = (await api.gql(RECEIVE, {"id": transfer["id"]})).ok()["inventoryTransferReceive"]
    assert [e["code"] for e in early["userErrors"]] == ["INVALID_STATE"]
    await api.gql(SHIP, {"id": transfer["id"]})
    before = quantities(sync_engine, 2), count_rows(sync_engine, "inventory_changes")
    over = (await api.gql(RECEIVE, {"id": transfer["id"], "lines": received(item, 4)})).ok()
    errors = over["inventoryTransferReceive"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        (["lineItems", "0", "quantity"], "OVER_RECEIPT")
    ]
    assert (quantities(sync_engine, 2), count_rows(sync_engine, "inventory_changes")) == before
    twice = (await api.gql(SHIP, {"id": transfer["id"]})).ok()["inventoryTransferShip"]
    assert [e["code"] for e in twice["userErrors"]] == ["INVALID_STATE"]


async def test_shipping_more_than_is_available_is_refused(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    item, origin, destination, origin_level = await setup(database, units=2)
    transfer = (await api.gql(CREATE, transfer_input(item, origin, destination, 5))).ok()[
        "inventoryTransferCreate"
    ]["inventoryTransfer"]
    refused = (await api.gql(SHIP, {"id": transfer["id"]})).ok()["inventoryTransferShip"]
    assert [e["code"] for e in refused["userErrors"]] == ["INSUFFICIENT_STOCK"]
    assert quantities(sync_engine, origin_level)["on_hand"] == 2
    assert count_rows(sync_engine, "inventory_levels") == 1
    status = await api.gql(
        "query($id: ID!) { inventoryTransfer(id: $id) { status } }", {"id": transfer["id"]}
    )
    assert status.ok()["inventoryTransfer"]["status"] == "PENDING"


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"quantity": 0}, ["input", "lineItems", "0", "quantity"], "INVALID_QUANTITY"),
        ({"same_place": True}, ["input", "destinationLocationId"], "INVALID"),
        ({"unstocked": True}, ["input", "lineItems", "0", "inventoryItemId"], "NOT_STOCKED"),
    ],
)
async def test_bad_transfers_are_refused(
    api: Api,
    database: Database,
    sync_engine: Engine,
    change: dict[str, Any],
    field: list[str],
    code: str,
) -> None:
    item, origin, destination, _ = await setup(database)
    source = destination if change.get("unstocked") else origin
    target = origin if change.get("same_place") else destination
    if change.get("unstocked"):
        target = origin
    variables = transfer_input(item, source, target, change.get("quantity", 1))
    result = (await api.gql(CREATE, variables)).ok()["inventoryTransferCreate"]
    assert [(e["field"], e["code"]) for e in result["userErrors"]] == [(field, code)]
    assert count_rows(sync_engine, "inventory_transfers") == 0
