"""Work at fulfillment services (3PLs): the merchant submits a fulfillment request, the
service accepts or rejects it; either side may ask to cancel, the service answers. A
rejection can send the work elsewhere at once (``reroute``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import utcnow
from oms_graphql.errors import DomainError
from oms_graphql.events import EventType
from oms_graphql.fulfillment import lifecycle, reroute
from oms_graphql.fulfillment.lifecycle import Action, Reply
from oms_graphql.fulfillment.work import announce, locked, refresh_order, touch
from oms_graphql.locations import repository as locations
from oms_graphql.models import (
    FulfillmentOrder,
    FulfillmentOrderRequestStatus,
    LocationKind,
)
from oms_graphql.orders.events import Statuses

MESSAGE_MAX = 1000
_EVENTS = {
    Reply.ACCEPT_FULFILLMENT: EventType.FULFILLMENT_REQUEST_ACCEPTED,
    Reply.REJECT_FULFILLMENT: EventType.FULFILLMENT_REQUEST_REJECTED,
    Reply.ACCEPT_CANCELLATION: EventType.CANCELLATION_REQUEST_ACCEPTED,
    Reply.REJECT_CANCELLATION: EventType.CANCELLATION_REQUEST_REJECTED,
}


def _message(message: str | None) -> str | None:
    text = (message or "").strip() or None
    if text is not None and len(text) > MESSAGE_MAX:
        raise DomainError.single("TOO_LONG", f"at most {MESSAGE_MAX} characters", ("message",))
    return text


async def submit(
    session: AsyncSession,
    fulfillment_order_id: int,
    *,
    message: str | None = None,
    cancellation: bool = False,
) -> FulfillmentOrder:
    """Ask the fulfillment service to do the work (or, with ``cancellation``, to give it
    back)."""
    text = _message(message)
    order, fulfillment_order = await locked(session, fulfillment_order_id)
    location = await locations.get(session, fulfillment_order.location_id)
    assert location is not None
    at_service = location.kind == LocationKind.FULFILLMENT_SERVICE
    if not cancellation and not at_service:
        raise DomainError.single(
            "INVALID", f"{location.name} is not a fulfillment service", ("id",)
        )
    now = utcnow()
    action = Action.REQUEST_CANCELLATION if cancellation else Action.REQUEST_FULFILLMENT
    lifecycle.check(action, fulfillment_order, now, ("id",), at_fulfillment_service=at_service)
    before = Statuses.of(order)
    fulfillment_order.request_status = (
        FulfillmentOrderRequestStatus.CANCELLATION_REQUESTED
        if cancellation
        else FulfillmentOrderRequestStatus.SUBMITTED
    )
    touch(fulfillment_order, now)
    await announce(
        session,
        EventType.CANCELLATION_REQUEST_SUBMITTED
        if cancellation
        else EventType.FULFILLMENT_REQUEST_SUBMITTED,
        order,
        fulfillment_order,
        {"message": text},
    )
    await refresh_order(session, order, before)
    return fulfillment_order


async def answer(
    session: AsyncSession,
    fulfillment_order_id: int,
    answer: Reply,
    *,
    message: str | None = None,
    reroute_after: bool = False,
) -> FulfillmentOrder:
    """The fulfillment service's answer to the pending request. A rejected fulfillment
    request with ``reroute_after`` is routed again, away from the service, at once."""
    text = _message(message)
    order, fulfillment_order = await locked(session, fulfillment_order_id)
    now = utcnow()
    request, status = lifecycle.reply(answer, fulfillment_order, ("id",))
    before = Statuses.of(order)
    fulfillment_order.request_status = request
    fulfillment_order.status = status
    touch(fulfillment_order, now)
    await announce(session, _EVENTS[answer], order, fulfillment_order, {"message": text})
    await refresh_order(session, order, before)
    if reroute_after and answer == Reply.REJECT_FULFILLMENT:
        await session.flush()
        await reroute.reroute(
            session,
            reroute.RerouteRequest(
                [fulfillment_order.id], excluded_location_ids=[fulfillment_order.location_id]
            ),
        )
    return fulfillment_order
