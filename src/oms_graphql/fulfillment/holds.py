"""Holding, releasing and rescheduling fulfillment orders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.actor import current_actor
from oms_graphql.db import utcnow
from oms_graphql.errors import DomainError
from oms_graphql.events import EventType, record_event
from oms_graphql.fulfillment import lifecycle, repository
from oms_graphql.fulfillment.lifecycle import Action
from oms_graphql.ids import GlobalId, encode_gid
from oms_graphql.models import (
    FulfillmentHold,
    FulfillmentHoldReason,
    FulfillmentOrder,
    FulfillmentOrderStatus,
    Order,
)
from oms_graphql.orders import repository as orders
from oms_graphql.orders import service as order_service
from oms_graphql.orders.events import Statuses, record_status_change
from oms_graphql.orders.state import fulfillment_status
from oms_graphql.versions import check_expected_version

NOTES_MAX = 1000
RESCHEDULE_HORIZON_DAYS = 366


@dataclass(frozen=True, slots=True)
class NewHold:
    reason: FulfillmentHoldReason
    reason_notes: str | None = None


async def locked(
    session: AsyncSession,
    fulfillment_order_id: int,
    *,
    channels: frozenset[str] | None,
    expected_version: int | None = None,
    field: Sequence[str] = ("id",),
) -> tuple[Order, FulfillmentOrder]:
    """The fulfillment order and its order, both locked (the order first, as every order
    mutation locks it); NOT_FOUND when it does not exist or the caller may not see it."""
    (found,) = await orders.get_fulfillment_orders(session, [fulfillment_order_id]) or (None,)
    if found is None:
        raise DomainError.single("NOT_FOUND", "fulfillment order not found", field)
    order = await order_service.locked(session, found.order_id, channels=channels, path=field)
    (fulfillment_order,) = await orders.get_fulfillment_orders(
        session, [fulfillment_order_id], for_update=True
    )
    check_expected_version(fulfillment_order.version, expected_version)
    return order, fulfillment_order


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


async def _announce(
    session: AsyncSession,
    type: EventType,
    order: Order,
    fulfillment_order: FulfillmentOrder,
    data: dict[str, object],
) -> None:
    channel = await orders.channel_of(session, order)
    await record_event(
        session,
        type,
        GlobalId("FulfillmentOrder", fulfillment_order.id),
        {
            "orderId": encode_gid("Order", order.id),
            "status": fulfillment_order.status.value,
            **data,
        },
        channel=channel.handle,
    )


async def hold(
    session: AsyncSession,
    fulfillment_order_id: int,
    given: NewHold,
    *,
    channels: frozenset[str] | None = None,
    expected_version: int | None = None,
) -> FulfillmentOrder:
    """Put the work on hold for a reason; holding a held one adds a reason."""
    notes = (given.reason_notes or "").strip() or None
    if notes is not None and len(notes) > NOTES_MAX:
        raise DomainError.single(
            "TOO_LONG", f"at most {NOTES_MAX} characters", ("fulfillmentHold", "reasonNotes")
        )
    order, fulfillment_order = await locked(
        session, fulfillment_order_id, channels=channels, expected_version=expected_version
    )
    now = utcnow()
    status = lifecycle.check(Action.HOLD, fulfillment_order, now, ("id",))
    before = Statuses.of(order)
    if status != FulfillmentOrderStatus.ON_HOLD:
        fulfillment_order.held_from = status
        fulfillment_order.status = FulfillmentOrderStatus.ON_HOLD
    session.add(
        FulfillmentHold(
            fulfillment_order_id=fulfillment_order.id,
            reason=given.reason,
            reason_notes=notes,
            actor=current_actor(),
            created_at=now,
        )
    )
    touch(fulfillment_order, now)
    await session.flush()
    await _announce(
        session,
        EventType.FULFILLMENT_ORDER_HELD,
        order,
        fulfillment_order,
        {"reason": given.reason.value, "reasonNotes": notes},
    )
    await refresh_order(session, order, before)
    return fulfillment_order


async def release_hold(
    session: AsyncSession,
    fulfillment_order_id: int,
    *,
    channels: frozenset[str] | None = None,
    expected_version: int | None = None,
) -> FulfillmentOrder:
    """Release every hold: the work goes back to where it was."""
    order, fulfillment_order = await locked(
        session, fulfillment_order_id, channels=channels, expected_version=expected_version
    )
    now = utcnow()
    lifecycle.check(Action.RELEASE_HOLD, fulfillment_order, now, ("id",))
    before = Statuses.of(order)
    await repository.release_holds(session, fulfillment_order.id, now)
    fulfillment_order.status = fulfillment_order.held_from or FulfillmentOrderStatus.OPEN
    fulfillment_order.held_from = None
    fulfillment_order.status = lifecycle.effective_status(fulfillment_order, now)
    touch(fulfillment_order, now)
    await _announce(
        session, EventType.FULFILLMENT_ORDER_HOLD_RELEASED, order, fulfillment_order, {}
    )
    await refresh_order(session, order, before)
    return fulfillment_order


async def reschedule(
    session: AsyncSession,
    fulfillment_order_id: int,
    fulfill_at: datetime,
    *,
    channels: frozenset[str] | None = None,
    expected_version: int | None = None,
) -> FulfillmentOrder:
    """SCHEDULED until ``fulfill_at``, then OPEN on its own (a time already past opens it)."""
    if fulfill_at.tzinfo is None:
        raise DomainError.single("INVALID", "fulfillAt needs a UTC offset, e.g. Z", ("fulfillAt",))
    now = utcnow()
    if (fulfill_at - now).days > RESCHEDULE_HORIZON_DAYS:
        raise DomainError.single(
            "OUT_OF_RANGE",
            f"fulfillAt is at most {RESCHEDULE_HORIZON_DAYS} days ahead",
            ("fulfillAt",),
        )
    order, fulfillment_order = await locked(
        session, fulfillment_order_id, channels=channels, expected_version=expected_version
    )
    lifecycle.check(Action.RESCHEDULE, fulfillment_order, now, ("id",))
    before = Statuses.of(order)
    fulfillment_order.fulfill_at = fulfill_at
    fulfillment_order.status = (
        FulfillmentOrderStatus.SCHEDULED if fulfill_at > now else FulfillmentOrderStatus.OPEN
    )
    touch(fulfillment_order, now)
    await _announce(
        session,
        EventType.FULFILLMENT_ORDER_RESCHEDULED,
        order,
        fulfillment_order,
        {"fulfillAt": fulfill_at.isoformat()},
    )
    await refresh_order(session, order, before)
    return fulfillment_order
