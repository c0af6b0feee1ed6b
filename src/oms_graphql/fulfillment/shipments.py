"""Fulfillments: units leaving a location against fulfillment orders, their tracking and
delivery events, and their cancellation.

Shipping ``q`` units takes ``q`` from both ``committed`` and ``on_hand`` at the location
(``available`` does not move); cancelling a fulfillment puts both back. Ledger rows carry
the fulfillment as their document.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import utcnow
from oms_graphql.errors import DomainError, Problem
from oms_graphql.events import EventType, record_event
from oms_graphql.fulfillment import lifecycle, repository
from oms_graphql.fulfillment.lifecycle import Action
from oms_graphql.fulfillment.work import lock_orders_of, refresh_order, touch
from oms_graphql.ids import GlobalId, encode_gid
from oms_graphql.inventory.stock import StockChange, change_stock
from oms_graphql.models import (
    Fulfillment,
    FulfillmentEvent,
    FulfillmentLine,
    FulfillmentOrder,
    FulfillmentOrderLine,
    FulfillmentOrderRequestStatus,
    FulfillmentOrderStatus,
    FulfillmentState,
    InventoryReason,
    Order,
    OrderStatus,
    ShipmentStatus,
)
from oms_graphql.orders import repository as orders
from oms_graphql.orders import service as order_service
from oms_graphql.orders.events import Statuses
from oms_graphql.returns import repository as returns

TEXT_MAX = 255
URL_MAX = 2048
MESSAGE_MAX = 1000
DELIVERED = (ShipmentStatus.DELIVERED, ShipmentStatus.PICKED_UP)


@dataclass(frozen=True, slots=True)
class Tracking:
    company: str | None = None
    number: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class LineToShip:
    fulfillment_order_line_id: int
    quantity: int


@dataclass(frozen=True, slots=True)
class WorkToShip:
    fulfillment_order_id: int
    lines: Sequence[LineToShip] | None = None
    """None: every unit still to fulfil."""


@dataclass(frozen=True, slots=True)
class NewFulfillment:
    work: Sequence[WorkToShip]
    tracking: Tracking = field(default_factory=Tracking)


def _checked_tracking(tracking: Tracking, path: tuple[str, ...]) -> Tracking:
    problems: list[Problem] = []
    cleaned = {}
    for name, limit in (("company", TEXT_MAX), ("number", TEXT_MAX), ("url", URL_MAX)):
        value = (getattr(tracking, name) or "").strip() or None
        if value is not None and len(value) > limit:
            problems.append(Problem("TOO_LONG", f"at most {limit} characters", (*path, name)))
        cleaned[name] = value
    url = cleaned["url"]
    if url is not None and not url.lower().startswith(("https://", "http://")):
        problems.append(
            Problem("INVALID", "the URL starts with https:// or http://", (*path, "url"))
        )
    if problems:
        raise DomainError(problems)
    return Tracking(**cleaned)


async def _lock_work(
    session: AsyncSession, given: NewFulfillment, channels: frozenset[str] | None
) -> tuple[Order, list[FulfillmentOrder]]:
    path = ("fulfillment", "lineItemsByFulfillmentOrder")
    ids = [work.fulfillment_order_id for work in given.work]
    if not ids:
        raise DomainError.single("BLANK", "name at least one fulfillment order", path)
    if len(set(ids)) != len(ids):
        raise DomainError.single("INVALID", "name each fulfillment order once", path)
    found = {fo.id: fo for fo in await orders.get_fulfillment_orders(session, ids)}
    missing = [
        Problem("NOT_FOUND", "fulfillment order not found", (*path, str(i), "fulfillmentOrderId"))
        for i, pk in enumerate(ids)
        if pk not in found
    ]
    if missing:
        raise DomainError(missing)
    locked_orders = await lock_orders_of(
        session, list(found.values()), channels=channels, field=(*path, "0", "fulfillmentOrderId")
    )
    if len(locked_orders) > 1:
        raise DomainError.single(
            "INVALID", "a fulfillment ships the fulfillment orders of one order", path
        )
    if len({fo.location_id for fo in found.values()}) > 1:
        raise DomainError.single("MIXED_LOCATIONS", "a fulfillment ships from one location", path)
    (order,) = locked_orders.values()
    locked = {
        fo.id: fo for fo in await orders.get_fulfillment_orders(session, ids, for_update=True)
    }
    return order, [locked[pk] for pk in ids]


async def create_fulfillment(
    session: AsyncSession, given: NewFulfillment, *, channels: frozenset[str] | None = None
) -> Fulfillment:
    """Ship some or all remaining units of one order's fulfillment orders at one location."""
    tracking = _checked_tracking(given.tracking, ("fulfillment", "trackingInfo"))
    order, fulfillment_orders = await _lock_work(session, given, channels)
    now = utcnow()
    path = ("fulfillment", "lineItemsByFulfillmentOrder")
    problems: list[Problem] = []
    fo_lines = await orders.fulfillment_order_lines_of(
        session, [fo.id for fo in fulfillment_orders]
    )
    by_fo: dict[int, list[FulfillmentOrderLine]] = defaultdict(list)
    for line in fo_lines:
        by_fo[line.fulfillment_order_id].append(line)
    shipping: list[tuple[FulfillmentOrderLine, int]] = []
    for index, (work, fulfillment_order) in enumerate(
        zip(given.work, fulfillment_orders, strict=True)
    ):
        here = (*path, str(index))
        try:
            lifecycle.check(
                Action.CREATE_FULFILLMENT, fulfillment_order, now, (*here, "fulfillmentOrderId")
            )
        except DomainError as error:
            problems.extend(error.problems)
            continue
        own = {line.id: line for line in by_fo[fulfillment_order.id]}
        if work.lines is None:
            shipping += [
                (line, line.remaining_quantity) for line in own.values() if line.remaining_quantity
            ]
            continue
        if not work.lines:
            problems.append(
                Problem(
                    "BLANK",
                    "name at least one line, or leave the list out",
                    (*here, "fulfillmentOrderLineItems"),
                )
            )
        seen: set[int] = set()
        for line_index, wanted in enumerate(work.lines):
            at = (*here, "fulfillmentOrderLineItems", str(line_index))
            target = own.get(wanted.fulfillment_order_line_id)
            if target is None or wanted.fulfillment_order_line_id in seen:
                problems.append(
                    Problem("NOT_FOUND", "no such line on this fulfillment order", (*at, "id"))
                )
                continue
            seen.add(target.id)
            if wanted.quantity < 1:
                problems.append(
                    Problem("INVALID_QUANTITY", "ship at least 1 unit", (*at, "quantity"))
                )
            elif wanted.quantity > target.remaining_quantity:
                problems.append(
                    Problem(
                        "OVER_FULFILLMENT",
                        f"only {target.remaining_quantity} units are left to fulfil",
                        (*at, "quantity"),
                    )
                )
            else:
                shipping.append((target, wanted.quantity))
    if not problems and not shipping:
        problems.append(Problem("INVALID_STATE", "nothing is left to fulfil", path))
    if problems:
        raise DomainError(problems)
    before = Statuses.of(order)
    count = await repository.count_fulfillments(session, order.id)
    fulfillment = Fulfillment(
        order_id=order.id,
        location_id=fulfillment_orders[0].location_id,
        name=f"{order.name}-F{count + 1}",
        status=FulfillmentState.SUCCESS,
        tracking_company=tracking.company,
        tracking_number=tracking.number,
        tracking_url=tracking.url,
        created_at=now,
        updated_at=now,
    )
    session.add(fulfillment)
    await session.flush()
    order_lines = {
        line.id: line
        for line in await orders.order_lines_by_id(
            session, [line.order_line_id for line, _ in shipping]
        )
    }
    changes = []
    for line, quantity in shipping:
        session.add(
            FulfillmentLine(
                fulfillment_id=fulfillment.id,
                fulfillment_order_line_id=line.id,
                order_line_id=line.order_line_id,
                level_id=line.level_id,
                quantity=quantity,
            )
        )
        line.remaining_quantity -= quantity
        order_lines[line.order_line_id].fulfilled_quantity += quantity
        if line.level_id is not None:
            changes.append(
                StockChange(line.level_id, {"committed": -quantity, "on_hand": -quantity}, path)
            )
    if changes:
        await change_stock(
            session,
            changes,
            reason=InventoryReason.FULFILLMENT,
            reference_document_uri=encode_gid("Fulfillment", fulfillment.id),
            release_expired=False,
        )
    for fulfillment_order in fulfillment_orders:
        left = sum(line.remaining_quantity for line in by_fo[fulfillment_order.id])
        _set_status(
            fulfillment_order,
            FulfillmentOrderStatus.CLOSED if left == 0 else FulfillmentOrderStatus.IN_PROGRESS,
            now,
        )
        if left == 0 and fulfillment_order.request_status in lifecycle.SERVICE_OWNED:
            fulfillment_order.request_status = FulfillmentOrderRequestStatus.CLOSED
    await session.flush()
    await _announce(
        session,
        EventType.FULFILLMENT_CREATED,
        order,
        fulfillment,
        {
            "fulfillmentOrderIds": [
                encode_gid("FulfillmentOrder", fo.id) for fo in fulfillment_orders
            ],
            "lineItems": [
                {"sku": order_lines[line.order_line_id].sku, "quantity": quantity}
                for line, quantity in shipping
            ],
        },
    )
    await refresh_order(session, order, before)
    return fulfillment


def _set_status(
    fulfillment_order: FulfillmentOrder, status: FulfillmentOrderStatus, now: datetime
) -> None:
    if fulfillment_order.status != status:
        fulfillment_order.status = status
        touch(fulfillment_order, now)


async def _announce(
    session: AsyncSession,
    type: EventType,
    order: Order,
    fulfillment: Fulfillment,
    data: dict[str, object],
) -> None:
    channel = await orders.channel_of(session, order)
    await record_event(
        session,
        type,
        GlobalId("Fulfillment", fulfillment.id),
        {
            "orderId": encode_gid("Order", order.id),
            "locationId": encode_gid("Location", fulfillment.location_id),
            "name": fulfillment.name,
            "status": fulfillment.status.value,
            "shipmentStatus": fulfillment.shipment_status.value
            if fulfillment.shipment_status
            else None,
            **data,
        },
        channel=channel.handle,
    )


async def _locked_fulfillment(
    session: AsyncSession,
    fulfillment_id: int,
    channels: frozenset[str] | None,
    field: tuple[str, ...],
) -> tuple[Order, Fulfillment]:
    (found,) = await repository.fulfillments_by_id(session, [fulfillment_id]) or (None,)
    if found is None:
        raise DomainError.single("NOT_FOUND", "fulfillment not found", field)
    order = await order_service.locked(session, found.order_id, channels=channels, path=field)
    (fulfillment,) = await repository.fulfillments_by_id(session, [fulfillment_id], for_update=True)
    return order, fulfillment


async def update_tracking(
    session: AsyncSession,
    fulfillment_id: int,
    tracking: Tracking,
    *,
    channels: frozenset[str] | None = None,
) -> Fulfillment:
    """Replace the tracking company, number and URL."""
    cleaned = _checked_tracking(tracking, ("trackingInfoInput",))
    order, fulfillment = await _locked_fulfillment(
        session, fulfillment_id, channels, ("fulfillmentId",)
    )
    if fulfillment.status == FulfillmentState.CANCELLED:
        raise DomainError.single(
            "INVALID_STATE", "the fulfillment was cancelled", ("fulfillmentId",)
        )
    fulfillment.tracking_company = cleaned.company
    fulfillment.tracking_number = cleaned.number
    fulfillment.tracking_url = cleaned.url
    fulfillment.version += 1
    fulfillment.updated_at = utcnow()
    await _announce(
        session,
        EventType.FULFILLMENT_TRACKING_UPDATED,
        order,
        fulfillment,
        {
            "trackingInfo": {
                "company": cleaned.company,
                "number": cleaned.number,
                "url": cleaned.url,
            }
        },
    )
    return fulfillment


async def add_event(
    session: AsyncSession,
    fulfillment_id: int,
    status: ShipmentStatus,
    *,
    happened_at: datetime | None = None,
    message: str | None = None,
    channels: frozenset[str] | None = None,
) -> FulfillmentEvent:
    """Record a step of the shipment; the fulfillment's shipment status follows."""
    path = ("fulfillmentEvent",)
    now = utcnow()
    text = (message or "").strip() or None
    if text is not None and len(text) > MESSAGE_MAX:
        raise DomainError.single(
            "TOO_LONG", f"at most {MESSAGE_MAX} characters", (*path, "message")
        )
    when = happened_at or now
    if when.tzinfo is None:
        raise DomainError.single(
            "INVALID", "happenedAt needs a UTC offset, e.g. Z", (*path, "happenedAt")
        )
    if when > now + timedelta(minutes=5):
        raise DomainError.single(
            "OUT_OF_RANGE", "happenedAt can't be in the future", (*path, "happenedAt")
        )
    order, fulfillment = await _locked_fulfillment(
        session, fulfillment_id, channels, (*path, "fulfillmentId")
    )
    if fulfillment.status == FulfillmentState.CANCELLED:
        raise DomainError.single(
            "INVALID_STATE", "the fulfillment was cancelled", (*path, "fulfillmentId")
        )
    event = FulfillmentEvent(
        fulfillment_id=fulfillment.id, status=status, message=text, happened_at=when, created_at=now
    )
    session.add(event)
    fulfillment.shipment_status = status
    if status in DELIVERED:
        fulfillment.delivered_at = when
    fulfillment.version += 1
    fulfillment.updated_at = now
    await session.flush()
    await _announce(
        session,
        EventType.FULFILLMENT_EVENT_CREATED,
        order,
        fulfillment,
        {"event": status.value, "happenedAt": when.isoformat(), "message": text},
    )
    return event


async def cancel_fulfillment(
    session: AsyncSession, fulfillment_id: int, *, channels: frozenset[str] | None = None
) -> Fulfillment:
    """Undo a shipment that did not happen: units go back to committed and on hand, the
    fulfillment orders reopen."""
    order, fulfillment = await _locked_fulfillment(session, fulfillment_id, channels, ("id",))
    if fulfillment.status == FulfillmentState.CANCELLED:
        raise DomainError.single("INVALID_STATE", "the fulfillment is already cancelled", ("id",))
    if order.status == OrderStatus.CANCELLED:
        # Its open work was cancelled with the order: nothing could take the units back.
        raise DomainError.single(
            "INVALID_STATE", "the order was cancelled; create a return instead", ("id",)
        )
    if fulfillment.shipment_status in DELIVERED:
        raise DomainError.single(
            "INVALID_STATE", "the shipment was delivered; create a return instead", ("id",)
        )
    shipped = await repository.fulfillment_lines_of(session, [fulfillment.id])
    returning = await returns.returning_units(session, order.id)
    if any(returning.get(line.id) for line in shipped):
        # Units on a return came back through it; undoing the shipment would count them twice.
        raise DomainError.single(
            "INVALID_STATE",
            "units of this shipment are on a return; cancel the return first",
            ("id",),
        )
    now = utcnow()
    before = Statuses.of(order)
    fo_lines = {
        line.id: line
        for line in await orders.fulfillment_order_lines_by_id(
            session, [line.fulfillment_order_line_id for line in shipped]
        )
    }
    order_lines = {
        line.id: line
        for line in await orders.order_lines_by_id(
            session, [line.order_line_id for line in shipped]
        )
    }
    undone: dict[int, int] = {}
    for line in shipped:
        undone[line.order_line_id] = undone.get(line.order_line_id, 0) + line.quantity
    if any(
        order_lines[pk].fulfilled_quantity - units < order_lines[pk].refunded_quantity
        for pk, units in undone.items()
    ):
        # Refunded shipped units stay shipped: the buyer kept them, or they came back.
        raise DomainError.single(
            "INVALID_STATE", "units of this shipment were refunded; it can't be undone", ("id",)
        )
    fulfillment_orders = await orders.get_fulfillment_orders(
        session, sorted({line.fulfillment_order_id for line in fo_lines.values()}), for_update=True
    )
    changes = []
    for line in shipped:
        fo_lines[line.fulfillment_order_line_id].remaining_quantity += line.quantity
        order_lines[line.order_line_id].fulfilled_quantity -= line.quantity
        if line.level_id is not None:
            changes.append(
                StockChange(line.level_id, {"committed": line.quantity, "on_hand": line.quantity})
            )
    if changes:
        await change_stock(
            session,
            changes,
            reason=InventoryReason.FULFILLMENT,
            reference_document_uri=encode_gid("Fulfillment", fulfillment.id),
            release_expired=False,
        )
    all_lines = await orders.fulfillment_order_lines_of(
        session, [fo.id for fo in fulfillment_orders]
    )
    for fulfillment_order in fulfillment_orders:
        mine = [line for line in all_lines if line.fulfillment_order_id == fulfillment_order.id]
        shipped_some = any(line.remaining_quantity < line.total_quantity for line in mine)
        _set_status(
            fulfillment_order,
            FulfillmentOrderStatus.IN_PROGRESS if shipped_some else FulfillmentOrderStatus.OPEN,
            now,
        )
        if fulfillment_order.request_status == FulfillmentOrderRequestStatus.CLOSED:
            fulfillment_order.request_status = FulfillmentOrderRequestStatus.ACCEPTED
    fulfillment.status = FulfillmentState.CANCELLED
    fulfillment.version += 1
    fulfillment.updated_at = now
    await _announce(session, EventType.FULFILLMENT_CANCELLED, order, fulfillment, {})
    await refresh_order(session, order, before)
    return fulfillment
