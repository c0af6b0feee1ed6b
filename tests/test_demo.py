"""The demo dataset: a stocked catalog whose ledger adds up, read through the API."""

from __future__ import annotations

from sqlalchemy import Engine, text

from oms_graphql.db import Database
from oms_graphql.demo import load_demo
from tests.api import Api
from tests.factories import ledger_disagreements


async def test_the_demo_stocks_a_catalog_with_every_kind_of_quantity(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    assert await load_demo(database) is True
    counted = await api.gql("{ inventoryItemsCount { count } }")
    assert counted.ok()["inventoryItemsCount"]["count"] >= 200
    with sync_engine.connect() as connection:
        kinds = connection.execute(
            text(
                "SELECT sum(CASE WHEN on_hand = 0 THEN 1 ELSE 0 END), "
                "sum(CASE WHEN damaged > 0 THEN 1 ELSE 0 END), "
                "sum(CASE WHEN incoming > 0 THEN 1 ELSE 0 END), "
                "sum(CASE WHEN quality_control > 0 THEN 1 ELSE 0 END) FROM inventory_levels"
            )
        ).one()
        low = connection.execute(
            text(
                "SELECT count(*) FROM inventory_levels l JOIN inventory_items i "
                "ON i.id = l.item_id WHERE l.on_hand > 0 AND l.on_hand < i.low_stock_threshold"
            )
        ).scalar_one()
        skus = list(connection.execute(text("SELECT sku FROM inventory_items")).scalars())
        active = connection.execute(
            text("SELECT count(*) FROM reservations WHERE status = 'ACTIVE'")
        ).scalar_one()
    assert all(count > 0 for count in kinds), kinds
    assert low > 0
    assert active > 0
    assert ledger_disagreements(sync_engine) == []
    shown = await api.gql(
        '{ availability(skus: ["TEE-CLASSIC-BLK-M", "GIFT-CARD-50"]) { sku known backorderable'
        " totalAvailable locations { location { name } } } }",
        token=api.token("storefront"),
    )
    tee, gift_card = shown.ok()["availability"]
    assert tee["known"]
    assert tee["locations"]
    assert (gift_card["known"], gift_card["backorderable"]) == (True, True)
    everything = await api.gql(
        "query($skus: [String!]!) { availability(skus: $skus) { sku known backorderable"
        " locations { available } } }",
        {"skus": skus},
        token=api.token("storefront"),
    )
    by_sku = {row["sku"]: row for row in everything.ok()["availability"]}
    assert all(row["known"] for row in by_sku.values())
    assert by_sku["JACKET-PRE-M"]["backorderable"]
    stocked_out = [
        place for row in by_sku.values() for place in row["locations"] if place["available"] == 0
    ]
    assert stocked_out
    assert await load_demo(database) is False
