"""Holding, releasing and rescheduling fulfillment orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.actor import current_actor
from oms_graphql.db import utcnow
from oms_graphql.errors import DomainError
from oms_graphql.events import EventType
from oms_graphql.fulfillment import lifecycle, repository
from oms_graphql.fulfillment.lifecycle import Action
from oms_graphql.fulfillment.work import announce, locked, refresh_order, touch
from oms_graphql.models import (
    FulfillmentHold,
    FulfillmentHoldReason,
    FulfillmentOrder,
    FulfillmentOrderStatus,
)
from oms_graphql.orders.events import Statuses
from oms_graphql.values import fits_utc

NOTES_MAX = 1000
RESCHEDULE_HORIZON_DAYS = 366


@dataclass(frozen=True, slots=True)
class NewHold:
    reason: FulfillmentHoldReason
    reason_notes: str | None = None


async def hold(
    session: AsyncSession,
    fulfillment_order_id: int,
    given: NewHold,
    *,
    expected_version: int | None = None,
) -> FulfillmentOrder:
    """Put the work on hold for a reason; holding a held one adds a reason."""
    notes = (given.reason_notes or "").strip() or None
    if notes is not None and len(notes) > NOTES_MAX:
        raise DomainError.single(
            "TOO_LONG", f"at most {NOTES_MAX} characters", ("fulfillmentHold", "reasonNotes")
        )
    order, fulfillment_order = await locked(
        session, fulfillment_order_id, expected_version=expected_version
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
    await announce(
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
    expected_version: int | None = None,
) -> FulfillmentOrder:
    """Release every hold: the work goes back to where it was."""
    order, fulfillment_order = await locked(
        session, fulfillment_order_id, expected_version=expected_version
    )
    now = utcnow()
    lifecycle.check(Action.RELEASE_HOLD, fulfillment_order, now, ("id",))
    before = Statuses.of(order)
    await repository.release_holds(session, fulfillment_order.id, now)
    fulfillment_order.status = fulfillment_order.held_from or FulfillmentOrderStatus.OPEN
    fulfillment_order.held_from = None
    fulfillment_order.status = lifecycle.effective_status(fulfillment_order, now)
    touch(fulfillment_order, now)
    await announce(session, EventType.FULFILLMENT_ORDER_HOLD_RELEASED, order, fulfillment_order, {})
    await refresh_order(session, order, before)
    return fulfillment_order


async def reschedule(
    session: AsyncSession,
    fulfillment_order_id: int,
    fulfill_at: datetime,
    *,
    expected_version: int | None = None,
) -> FulfillmentOrder:
    """SCHEDULED until ``fulfill_at``, then OPEN on its own (a time already past opens it)."""
    if fulfill_at.tzinfo is None:
        raise DomainError.single("INVALID", "fulfillAt needs a UTC offset, e.g. Z", ("fulfillAt",))
    if not fits_utc(fulfill_at):
        raise DomainError.single("OUT_OF_RANGE", "fulfillAt is out of range", ("fulfillAt",))
    now = utcnow()
    if (fulfill_at - now).days > RESCHEDULE_HORIZON_DAYS:
        raise DomainError.single(
            "OUT_OF_RANGE",
            f"fulfillAt is at most {RESCHEDULE_HORIZON_DAYS} days ahead",
            ("fulfillAt",),
        )
    order, fulfillment_order = await locked(
        session, fulfillment_order_id, expected_version=expected_version
    )
    lifecycle.check(Action.RESCHEDULE, fulfillment_order, now, ("id",))
    before = Statuses.of(order)
    fulfillment_order.fulfill_at = fulfill_at
    fulfillment_order.status = (
        FulfillmentOrderStatus.SCHEDULED if fulfill_at > now else FulfillmentOrderStatus.OPEN
    )
    touch(fulfillment_order, now)
    await announce(
        session,
        EventType.FULFILLMENT_ORDER_RESCHEDULED,
        order,
        fulfillment_order,
        {"fulfillAt": fulfill_at.isoformat()},
    )
    await refresh_order(session, order, before)
    return fulfillment_order
