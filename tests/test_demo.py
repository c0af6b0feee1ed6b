"""The demo dataset: a stocked catalog, orders in every state and returns in every status,
whose ledger adds up, read through the API.

The test loads 800 of the demo's 2,100 orders (every state shows in the smaller set; the
full set takes minutes per database): ``serve --demo`` loads them all, and the command line
test seeds through the same code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from oms_graphql.db import Database
from oms_graphql.demo import load_demo
from oms_graphql.models import FulfillmentOrderRequestStatus
from tests.api import Api
from tests.factories import ledger_disagreements

ORDERS = 800
CHANNELS = ("web", "pos", "amazon-it", "zalando-de", "draft")
FINANCIAL_STATUSES = ("pending", "authorized", "partially_paid", "paid", "refunded", "voided")
FULFILLMENT_STATUSES = ("unfulfilled", "restocked")


async def order_counts(api: Api, queries: dict[str, str]) -> dict[str, int]:
    """``ordersCount`` for each query, in one request."""
    fields = " ".join(
        f"c{index}: ordersCount(query: $q{index}) {{ count }}" for index in range(len(queries))
    )
    variables = ", ".join(f"$q{index}: String" for index in range(len(queries)))
    result = await api.gql(
        f"query({variables}) {{ {fields} }}",
        {f"q{index}": query for index, query in enumerate(queries.values())},
    )
    counted = result.ok()
    return {name: counted[f"c{index}"]["count"] for index, name in enumerate(queries)}


@pytest.mark.slow  # 800 orders through the services: about a minute per database
async def test_the_demo_loads_a_stocked_catalog_and_orders_in_every_state(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    assert await load_demo(database, order_count=ORDERS) is True
    since = (datetime.now(UTC) - timedelta(days=90)).date().isoformat()
    counts = await order_counts(
        api,
        {
            "all": "",
            "last 90 days": f"created_at:>={since}",
            "before": f"created_at:<{since}",
            "closed": "status:closed",
            "cancelled": "status:cancelled",
            "cancelled, not refunded": "status:cancelled financial_status:pending",
            "picked up": "delivery_method:pickup",
            **{channel: f"channel:{channel}" for channel in CHANNELS},
            **{status: f"financial_status:{status}" for status in FINANCIAL_STATUSES},
            **{status: f"fulfillment_status:{status}" for status in FULFILLMENT_STATUSES},
        },
    )
    assert counts["last 90 days"] >= ORDERS * 0.95  # a refused order is left out
    assert counts["last 90 days"] == counts["all"]
    assert counts["before"] == 0
    empty = [name for name, count in counts.items() if count == 0 and name != "before"]
    assert empty == [], counts
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
        undecided = connection.execute(
            text(
                "SELECT count(*) FROM orders o WHERE NOT EXISTS "
                "(SELECT 1 FROM routing_decisions d WHERE d.order_id = o.id)"
            )
        ).scalar_one()
        strategies = dict(
            connection.execute(
                text("SELECT strategy, count(*) FROM routing_decisions GROUP BY strategy")
            ).all()
        )
        work = {
            name: {
                row[0] for row in connection.execute(text(f"SELECT DISTINCT {column} FROM {table}"))
            }
            for name, column, table in (
                ("statuses", "status", "fulfillment_orders"),
                ("requests", "request_status", "fulfillment_orders"),
                ("shipments", "shipment_status", "fulfillments"),
                ("holds", "reason", "fulfillment_holds"),
            )
        }
    assert undecided == 0
    assert {"SINGLE_LOCATION", "SPLIT", "PICKUP"} <= set(strategies), strategies
    assert {"OPEN", "IN_PROGRESS", "ON_HOLD", "SCHEDULED", "CLOSED", "CANCELLED"} <= work[
        "statuses"
    ], work
    assert set(FulfillmentOrderRequestStatus) <= work["requests"], work
    assert {"IN_TRANSIT", "DELIVERED", "FAILURE", "READY_FOR_PICKUP", "PICKED_UP"} <= work[
        "shipments"
    ]
    assert {"AWAITING_PAYMENT", "INCORRECT_ADDRESS"} <= work["holds"], work
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
    drafts = await api.gql(
        '{ open: draftOrdersCount(query: "status:open") { count }'
        ' invoiced: draftOrdersCount(query: "status:invoice_sent") { count }'
        ' completed: draftOrders(first: 50, query: "status:completed") {'
        " nodes { order { name } } }"
        ' held: draftOrders(first: 50, query: "status:open") { nodes { reservation { status } } }'
        ' custom: draftOrders(first: 50, query: "gift OR engraving OR handling") { nodes { id } } }'
    )
    shown_drafts = drafts.ok()
    assert shown_drafts["open"]["count"] > 0
    assert shown_drafts["invoiced"]["count"] > 0
    completed = shown_drafts["completed"]["nodes"]
    assert completed
    assert all(node["order"]["name"] for node in completed)
    held = [node["reservation"] for node in shown_drafts["held"]["nodes"] if node["reservation"]]
    assert {hold["status"] for hold in held} == {"ACTIVE"}
    with sync_engine.connect() as connection:
        edits = dict(
            connection.execute(
                text("SELECT status, count(*) FROM order_edits GROUP BY status")
            ).all()
        )
        custom_lines = connection.execute(
            text("SELECT count(*) FROM draft_order_lines WHERE sku IS NULL")
        ).scalar_one()
    assert edits.get("COMMITTED", 0) >= 3, edits
    assert edits.get("OPEN") == 1, edits
    assert custom_lines > 0
    returns = (
        await api.gql(
            "{ returns(first: 12) { nodes { name status order { name }"
            " reverseFulfillmentOrders(first: 1) { nodes { status reverseDeliveries {"
            " tracking { number } label { publicFileUrl } }"
            " lineItems(first: 1) { nodes { dispositions { type quantity location { name } } } }"
            " } }"
            " exchangeLineItems(first: 1) { nodes { sku lineItem { id } } }"
            " refunds { totalRefunded { amount } } } } }"
        )
    ).ok()["returns"]["nodes"]
    assert {ret["status"] for ret in returns} == {
        "REQUESTED",
        "OPEN",
        "DECLINED",
        "CLOSED",
        "CANCELLED",
    }, returns
    assert "#1001" not in {ret["order"]["name"] for ret in returns}  # the README's example
    work = [rfo for ret in returns for rfo in ret["reverseFulfillmentOrders"]["nodes"]]
    dispositions = [
        disposition
        for rfo in work
        for line in rfo["lineItems"]["nodes"]
        for disposition in line["dispositions"]
    ]
    assert {d["type"] for d in dispositions} == {
        "RESTOCKED",
        "DAMAGED",
        "PROCESSING_REQUIRED",
        "NOT_RESTOCKED",
        "MISSING",
    }
    assert all(d["location"] for d in dispositions if d["type"] in ("RESTOCKED", "DAMAGED"))
    assert any(delivery["label"] for rfo in work for delivery in rfo["reverseDeliveries"])
    refunded = [refund for ret in returns for refund in ret["refunds"]]
    assert len(refunded) >= 2
    assert all(float(refund["totalRefunded"]["amount"]) > 0 for refund in refunded)
    exchanged = [line for ret in returns for line in ret["exchangeLineItems"]["nodes"]]
    assert exchanged
    assert all(line["lineItem"] for line in exchanged)  # units back: the new line is placed
    assert ledger_disagreements(sync_engine) == []
    assert await load_demo(database) is False
