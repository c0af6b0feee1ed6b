"""fulfillmentOrderCancel: stop the work left at a location and give its stock back.

The units still to fulfil there go back from ``committed`` to ``available``; the order
still holds them (unfulfilled, assigned nowhere) until the order is edited or cancelled.
Work with shipments behind it ends INCOMPLETE, other work CANCELLED.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import utcnow
from oms_graphql.events import EventType
from oms_graphql.fulfillment import lifecycle, repository
from oms_graphql.fulfillment.lifecycle import Action
from oms_graphql.fulfillment.work import announce, locked, refresh_order, touch
from oms_graphql.ids import encode_gid
from oms_graphql.inventory.stock import StockChange, change_stock
from oms_graphql.models import FulfillmentOrder, FulfillmentOrderStatus, InventoryReason
from oms_graphql.orders import repository as orders
from oms_graphql.orders.events import Statuses


async def cancel(
    session: AsyncSession,
    fulfillment_order_id: int,
    *,
    expected_version: int | None = None,
) -> FulfillmentOrder:
    order, fulfillment_order = await locked(
        session, fulfillment_order_id, expected_version=expected_version
    )
    now = utcnow()
    lifecycle.check(Action.CANCEL_FULFILLMENT_ORDER, fulfillment_order, now, ("id",))
    before = Statuses.of(order)
    lines = await orders.fulfillment_order_lines_of(session, [fulfillment_order.id])
    changes = [
        StockChange(line.level_id, {"committed": -line.remaining_quantity}, ("id",))
        for line in lines
        if line.level_id is not None and line.remaining_quantity > 0
    ]
    if changes:
        await change_stock(
            session,
            changes,
            reason=InventoryReason.RESTOCK,
            reference_document_uri=encode_gid("FulfillmentOrder", fulfillment_order.id),
            release_expired=False,
        )
    shipped = any(line.remaining_quantity < line.total_quantity for line in lines)
    released = {line.id: line.remaining_quantity for line in lines}
    for line in lines:
        line.remaining_quantity = 0
    await repository.release_holds(session, fulfillment_order.id, now)
    fulfillment_order.held_from = None
    fulfillment_order.status = (
        FulfillmentOrderStatus.INCOMPLETE if shipped else FulfillmentOrderStatus.CANCELLED
    )
    touch(fulfillment_order, now)
    await announce(
        session,
        EventType.FULFILLMENT_ORDER_CANCELLED,
        order,
        fulfillment_order,
        {"releasedUnits": sum(released.values())},
    )
    await refresh_order(session, order, before)
    return fulfillment_order
