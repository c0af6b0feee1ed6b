"""A random walk of every kind of stock change: afterwards no quantity is negative, no DENY
item has negative availability, and the ledger adds up (the ``ledger_checked`` fixture)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import Engine, text

from oms_graphql.db import Database
from oms_graphql.ids import encode_gid
from oms_graphql.models import InventoryPolicy
from tests.api import Api
from tests.factories import a_location, an_item, stocked

pytestmark = pytest.mark.usefixtures("ledger_checked")

STATES = ["available", "damaged", "safety_stock", "quality_control"]


def _line(item: Any, location: Any, **values: Any) -> dict[str, Any]:
    return {
        "inventoryItemId": encode_gid("InventoryItem", item.id),
        "locationId": encode_gid("Location", location.id),
        **values,
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_a_random_walk_keeps_every_invariant(
    api: Api, database: Database, sync_engine: Engine, seed: int
) -> None:
    rng = random.Random(seed)
    locations = [await a_location(database, priority=n) for n in range(3)]
    items = [
        await an_item(
            database,
            sku=f"WALK-{n}",
            policy=InventoryPolicy.CONTINUE if n == 3 else InventoryPolicy.DENY,
        )
        for n in range(4)
    ]
    for item in items:
        for location in locations:
            await stocked(database, item, location, rng.randint(0, 6))
    reservations: list[str] = []
    for _ in range(60):
        item, other = rng.sample(items, 2)
        location = rng.choice(locations)
        kind = rng.choice(["adjust", "move", "set", "reserve", "release", "transfer"])
        if kind == "adjust":
            document = """mutation($input: InventoryAdjustQuantitiesInput!) {
              inventoryAdjustQuantities(input: $input) { userErrors { code } } }"""
            variables: dict[str, Any] = {
                "input": {
                    "name": rng.choice(["available", "on_hand", *STATES[1:]]),
                    "reason": "CORRECTION",
                    "changes": [
                        _line(item, location, delta=rng.choice([-3, -1, 1, 2])),
                        _line(other, location, delta=rng.choice([-2, 1])),
                    ],
                }
            }
        elif kind == "move":
            source, target = rng.sample(STATES, 2)
            document = """mutation($input: InventoryMoveQuantitiesInput!) {
              inventoryMoveQuantities(input: $input) { userErrors { code } } }"""
            variables = {
                "input": {
                    "reason": "OTHER",
                    "changes": [
                        _line(
                            item,
                            location,
                            quantity=rng.randint(1, 3),
                            **{"from": source, "to": target},
                        )
                    ],
                }
            }
        elif kind == "set":
            document = """mutation($input: InventorySetQuantitiesInput!) {
              inventorySetQuantities(input: $input) { userErrors { code } } }"""
            variables = {
                "input": {
                    "name": rng.choice(["available", "on_hand", "safety_stock"]),
                    "reason": "CYCLE_COUNT",
                    "quantities": [_line(item, location, quantity=rng.randint(0, 8))],
                }
            }
        elif kind == "reserve":
            document = """mutation($input: InventoryReserveInput!) {
              inventoryReserve(input: $input) { reservation { id } userErrors { code } } }"""
            variables = {
                "input": {
                    "lineItems": [
                        {"sku": item.sku, "quantity": rng.randint(1, 3)},
                        {"sku": other.sku, "quantity": 1},
                    ],
                    "expiresInSeconds": 600,
                }
            }
        elif kind == "release" and reservations:
            document = (
                """mutation($id: ID!) { reservationRelease(id: $id) { userErrors { code } } }"""
            )
            variables = {"id": reservations.pop(rng.randrange(len(reservations)))}
        else:
            origin, destination = rng.sample(locations, 2)
            created = await api.gql(
                """mutation($input: InventoryTransferCreateInput!) {
                  inventoryTransferCreate(input: $input) { inventoryTransfer { id } } }""",
                {
                    "input": {
                        "originLocationId": encode_gid("Location", origin.id),
                        "destinationLocationId": encode_gid("Location", destination.id),
                        "lineItems": [
                            {
                                "inventoryItemId": encode_gid("InventoryItem", item.id),
                                "quantity": rng.randint(1, 4),
                            }
                        ],
                    }
                },
            )
            transfer = created.ok()["inventoryTransferCreate"]["inventoryTransfer"]
            await api.gql(
                "mutation($id: ID!) { inventoryTransferShip(id: $id) { userErrors { code } } }",
                {"id": transfer["id"]},
            )
            document = """mutation($id: ID!) {
              inventoryTransferReceive(id: $id) { userErrors { code } } }"""
            variables = {"id": transfer["id"]}
        result = await api.gql(document, variables)
        data = result.ok()
        if kind == "reserve" and data["inventoryReserve"]["reservation"]:
            reservations.append(data["inventoryReserve"]["reservation"]["id"])
    with sync_engine.connect() as connection:
        negative = connection.execute(
            text(
                "SELECT l.id FROM inventory_levels l JOIN inventory_items i ON i.id = l.item_id "
                "WHERE i.inventory_policy = 'DENY' AND l.on_hand - l.committed - l.reserved "
                "- l.damaged - l.safety_stock - l.quality_control < 0"
            )
        ).all()
    assert negative == []
