"""Scheduled fulfillment orders whose time came: reads already see them OPEN; this makes
the stored rows, the orders' fulfillment statuses and the events catch up."""

from __future__ import annotations

from oms_graphql.db import Database, utcnow
from oms_graphql.events import EventType
from oms_graphql.fulfillment import repository
from oms_graphql.fulfillment.work import announce, refresh_order
from oms_graphql.models import FulfillmentOrderStatus
from oms_graphql.orders import repository as orders
from oms_graphql.orders import service as order_service
from oms_graphql.orders.events import Statuses

BATCH = 100


async def open_due(database: Database) -> int:
    """Open every due SCHEDULED fulfillment order, one order per transaction; how many."""
    opened = 0
    async with database.reading() as session:
        due = await repository.due_fulfillment_orders(session, utcnow(), limit=BATCH)
    for order_id in sorted({fulfillment_order.order_id for fulfillment_order in due}):
        async with database.transaction() as session:
            order = await order_service.locked(session, order_id)
            before = Statuses.of(order)
            now = utcnow()
            for fulfillment_order in await orders.fulfillment_orders_of(session, [order_id]):
                if (
                    fulfillment_order.status != FulfillmentOrderStatus.SCHEDULED
                    or fulfillment_order.fulfill_at is None
                    or fulfillment_order.fulfill_at > now
                ):
                    continue
                fulfillment_order.status = FulfillmentOrderStatus.OPEN
                fulfillment_order.version += 1
                fulfillment_order.updated_at = now
                opened += 1
                await announce(
                    session, EventType.FULFILLMENT_ORDER_STATUS_CHANGED, order, fulfillment_order
                )
            await refresh_order(session, order, before)
    return opened
