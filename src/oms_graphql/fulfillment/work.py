"""What every operation on fulfillment orders shares: locking the work (its order first),
counting a change, and letting the order's fulfillment status follow."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import utcnow
from oms_graphql.errors import DomainError
from oms_graphql.events import EventType, record_event
from oms_graphql.fulfillment import lifecycle
from oms_graphql.ids import GlobalId, encode_gid
from oms_graphql.models import FulfillmentOrder, FulfillmentOrderStatus, Order
from oms_graphql.orders import repository as orders
from oms_graphql.orders import service as order_service
from oms_graphql.orders.events import Statuses, record_status_change
from oms_graphql.orders.state import fulfillment_status
from oms_graphql.versions import check_expected_version


async def locked(
    session: AsyncSession,
    fulfillment_order_id: int,
    *,
    expected_version: int | None = None,
    field: Sequence[str] = ("id",),
) -> tuple[Order, FulfillmentOrder]:
    """The fulfillment order and its order, both locked (the order first, as every order
    mutation locks it); NOT_FOUND when it does not exist or the caller may not see it."""
    (found,) = await orders.get_fulfillment_orders(session, [fulfillment_order_id]) or (None,)
    if found is None:
        raise DomainError.single("NOT_FOUND", "fulfillment order not found", field)
    order = await order_service.locked(session, found.order_id, path=field)
    (fulfillment_order,) = await orders.get_fulfillment_orders(
        session, [fulfillment_order_id], for_update=True
    )
    check_expected_version(fulfillment_order.version, expected_version)
    return order, fulfillment_order


async def lock_orders_of(
    session: AsyncSession,
    fulfillment_orders: Sequence[FulfillmentOrder],
    *,
    field: Sequence[str],
) -> dict[int, Order]:
    """The orders of these fulfillment orders, locked in id order, before anything else is
    said about them: NOT_FOUND when the caller may not see one, so a refusal never tells
    a partner about another channel's work."""
    return await order_service.locked_in_order(
        session, (fo.order_id for fo in fulfillment_orders), path=field
    )


def touch(fulfillment_order: FulfillmentOrder, now: datetime) -> None:
    fulfillment_order.version += 1
    fulfillment_order.updated_at = now


async def refresh_order(session: AsyncSession, order: Order, before: Statuses) -> None:
    """The order's fulfillment status from its fulfillment orders and lines, its version up,
    and ``order.status_changed`` when a status moved."""
    now = utcnow()
    fulfillment_orders = await orders.fulfillment_orders_of(session, [order.id])
    for fulfillment_order in fulfillment_orders:
        fulfillment_order.status = lifecycle.effective_status(fulfillment_order, now)
    lines = await orders.lines_of(session, [order.id])
    order.fulfillment_status = fulfillment_status(
        [fo for fo in fulfillment_orders if fo.status != FulfillmentOrderStatus.CANCELLED],
        fulfilled_units=sum(line.fulfilled_quantity for line in lines),
        current_units=sum(line.current_quantity for line in lines),
        restocked=False,
    )
    order_service.touch(order)
    await record_status_change(session, order, before)


async def announce(
    session: AsyncSession,
    type: EventType,
    order: Order,
    fulfillment_order: FulfillmentOrder,
    data: dict[str, object] | None = None,
) -> None:
    """A ``fulfillment_order.*`` event: the work's order, location and statuses, and
    ``data``; it carries the order's channel for channel-limited readers."""
    await record_event(
        session,
        type,
        GlobalId("FulfillmentOrder", fulfillment_order.id),
        {
            "orderId": encode_gid("Order", order.id),
            "locationId": encode_gid("Location", fulfillment_order.location_id),
            "status": fulfillment_order.status.value,
            "requestStatus": fulfillment_order.request_status.value,
            **(data or {}),
        },
        channel=(await orders.channel_of(session, order)).handle,
    )
