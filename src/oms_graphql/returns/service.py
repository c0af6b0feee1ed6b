"""Requests, approvals and the life of a return; what of an order can still come back.

A return line names the fulfillment line it brings back (and that line's order line), so
that what is returnable is what was shipped minus what is on returns that were not
declined or cancelled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import utcnow
from oms_graphql.errors import DomainError, Problem
from oms_graphql.events import EventType
from oms_graphql.ids import encode_gid
from oms_graphql.models import (
    FulfillmentLine,
    Order,
    Return,
    ReturnDeclineReason,
    ReturnLine,
    ReturnReason,
    ReturnStatus,
    ReverseFulfillmentOrder,
    ReverseFulfillmentOrderLine,
    ReverseFulfillmentOrderStatus,
)
from oms_graphql.orders import service as order_service
from oms_graphql.returns import exchanges, repository
from oms_graphql.returns.common import NOTE_MAX, announce, locked, touch
from oms_graphql.returns.state import Action, check

RfoStatus = ReverseFulfillmentOrderStatus


@dataclass(frozen=True, slots=True)
class LineToReturn:
    fulfillment_line_id: int
    quantity: int
    reason: ReturnReason
    customer_note: str | None = None


@dataclass(frozen=True, slots=True)
class NewReturn:
    order_id: int
    lines: Sequence[LineToReturn]
    exchange_lines: Sequence[exchanges.ItemToExchange] = ()


@dataclass(frozen=True, slots=True)
class Returnable:
    line: FulfillmentLine
    quantity: int


async def returnable(session: AsyncSession, order_id: int) -> list[Returnable]:
    """Every shipped fulfillment line of the order with the units that can still come back
    (zero included)."""
    shipped = await repository.shipped_lines(session, order_id)
    returning = await repository.returning_units(session, order_id)
    return [Returnable(line, line.quantity - returning.get(line.id, 0)) for line in shipped]


async def _checked_lines(
    session: AsyncSession, order: Order, given: NewReturn, root: str
) -> list[tuple[LineToReturn, FulfillmentLine]]:
    path = (root, "returnLineItems")
    if not given.lines:
        raise DomainError.single("BLANK", "name at least one fulfillment line item", path)
    available = {entry.line.id: entry for entry in await returnable(session, order.id)}
    problems: list[Problem] = []
    asked: dict[int, int] = defaultdict(int)
    checked: list[tuple[LineToReturn, FulfillmentLine]] = []
    for index, line in enumerate(given.lines):
        at = (*path, str(index))
        entry = available.get(line.fulfillment_line_id)
        if entry is None:
            problems.append(
                Problem(
                    "NOT_FOUND",
                    "no shipped fulfillment line item of this order has this id",
                    (*at, "fulfillmentLineItemId"),
                )
            )
            continue
        if line.quantity < 1:
            problems.append(Problem("INVALID_QUANTITY", "at least 1", (*at, "quantity")))
            continue
        if line.customer_note is not None and len(line.customer_note) > NOTE_MAX:
            problems.append(
                Problem("TOO_LONG", f"at most {NOTE_MAX} characters", (*at, "customerNote"))
            )
        asked[line.fulfillment_line_id] += line.quantity
        if asked[line.fulfillment_line_id] > entry.quantity:
            problems.append(
                Problem(
                    "OVER_RETURN",
                    f"only {entry.quantity} of the {entry.line.quantity} shipped units can "
                    f"still be returned, {asked[line.fulfillment_line_id]} asked",
                    (*at, "quantity"),
                )
            )
        checked.append((line, entry.line))
    if problems:
        raise DomainError(problems)
    return checked


async def _open_reverse_work(session: AsyncSession, row: Return) -> None:
    """One reverse fulfillment order with a line per return line: the units to receive."""
    rfo = ReverseFulfillmentOrder(return_id=row.id, order_id=row.order_id, status=RfoStatus.OPEN)
    session.add(rfo)
    await session.flush()
    for line in await repository.lines_of(session, [row.id]):
        session.add(
            ReverseFulfillmentOrderLine(
                reverse_fulfillment_order_id=rfo.id,
                return_line_id=line.id,
                total_quantity=line.quantity,
                remaining_quantity=line.quantity,
            )
        )
    await session.flush()


async def _add(
    session: AsyncSession,
    order: Order,
    lines: list[tuple[LineToReturn, FulfillmentLine]],
    status: ReturnStatus,
) -> Return:
    now = utcnow()
    number = await repository.count_of_order(session, order.id) + 1
    row = Return(
        order_id=order.id,
        name=f"{order.name}-R{number}",
        status=status,
        requested_at=now,
        opened_at=now if status == ReturnStatus.OPEN else None,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    for given, shipped in lines:
        session.add(
            ReturnLine(
                return_id=row.id,
                fulfillment_line_id=shipped.id,
                order_line_id=shipped.order_line_id,
                quantity=given.quantity,
                return_reason=given.reason,
                customer_note=given.customer_note,
            )
        )
    await session.flush()
    if status == ReturnStatus.OPEN:
        await _open_reverse_work(session, row)
    return row


def _lines_data(lines: list[tuple[LineToReturn, FulfillmentLine]]) -> dict[str, object]:
    return {
        "returnLineItems": [
            {
                "fulfillmentLineItemId": encode_gid("FulfillmentLineItem", shipped.id),
                "quantity": given.quantity,
                "returnReason": given.reason.value,
            }
            for given, shipped in lines
        ]
    }


async def request_return(
    session: AsyncSession,
    *,
    given: NewReturn,
    root: str = "input",
) -> Return:
    """A buyer asks to send units back: REQUESTED, waiting for approval (a customer
    token's session sees only its own orders)."""
    order = await order_service.locked(session, given.order_id, path=(root, "orderId"))
    lines = await _checked_lines(session, order, given, root)
    exchanged = await exchanges.check(session, order, given.exchange_lines, root)
    row = await _add(session, order, lines, ReturnStatus.REQUESTED)
    exchanges.add(session, row, exchanged)
    await session.flush()
    await announce(
        session,
        EventType.RETURN_REQUESTED,
        order,
        row,
        {**_lines_data(lines), **exchanges.data(exchanged)},
    )
    return row


async def create_return(
    session: AsyncSession,
    *,
    given: NewReturn,
    root: str = "returnInput",
    exchanges_at_once: bool = False,
) -> Return:
    """Staff open a return at once, with its reverse fulfillment order."""
    order = await order_service.locked(session, given.order_id, path=(root, "orderId"))
    lines = await _checked_lines(session, order, given, root)
    exchanged = await exchanges.check(session, order, given.exchange_lines, root)
    row = await _add(session, order, lines, ReturnStatus.OPEN)
    exchanges.add(session, row, exchanged)
    await session.flush()
    await announce(
        session,
        EventType.RETURN_OPENED,
        order,
        row,
        {**_lines_data(lines), **exchanges.data(exchanged)},
    )
    await exchanges.advance(session, order, [row], at_once=exchanges_at_once)
    return row


async def approve(
    session: AsyncSession,
    return_id: int,
    *,
    expected_version: int | None = None,
    exchanges_at_once: bool = False,
) -> Return:
    order, row = await locked(
        session,
        return_id,
        expected_version=expected_version,
        field=("input", "id"),
    )
    row.status = check(Action.APPROVE, row.status, ("input", "id"))
    row.opened_at = utcnow()
    touch(row)
    await _open_reverse_work(session, row)
    await announce(session, EventType.RETURN_APPROVED, order, row)
    await exchanges.advance(session, order, [row], at_once=exchanges_at_once)
    return row


async def decline(
    session: AsyncSession,
    return_id: int,
    *,
    reason: ReturnDeclineReason,
    note: str | None,
    expected_version: int | None = None,
) -> Return:
    order, row = await locked(
        session,
        return_id,
        expected_version=expected_version,
        field=("input", "id"),
    )
    if note is not None and len(note) > NOTE_MAX:
        raise DomainError.single(
            "TOO_LONG", f"at most {NOTE_MAX} characters", ("input", "declineNote")
        )
    row.status = check(Action.DECLINE, row.status, ("input", "id"))
    row.decline_reason = reason
    row.decline_note = note
    row.declined_at = utcnow()
    touch(row)
    await announce(session, EventType.RETURN_DECLINED, order, row, {"declineReason": reason.value})
    return row


async def _set_work_status(
    session: AsyncSession, row: Return, status_of: dict[RfoStatus, RfoStatus], *, reopen: bool
) -> None:
    now = utcnow()
    for rfo in await repository.reverse_fulfillment_orders_of(session, [row.id]):
        if reopen:
            lines = await repository.rfo_lines_of(session, [rfo.id])
            if all(line.remaining_quantity == 0 for line in lines):
                continue
        if rfo.status in status_of:
            rfo.status = status_of[rfo.status]
            rfo.updated_at = now


async def cancel(
    session: AsyncSession,
    return_id: int,
    *,
    expected_version: int | None = None,
) -> Return:
    """Nothing comes back after all; refused once units were received."""
    order, row = await locked(session, return_id, expected_version=expected_version)
    status = check(Action.CANCEL, row.status, ("id",))
    works = await repository.reverse_fulfillment_orders_of(session, [row.id])
    lines = await repository.rfo_lines_of(session, [rfo.id for rfo in works])
    if any(line.remaining_quantity < line.total_quantity for line in lines):
        raise DomainError.single(
            "INVALID_STATE", "units of this return were already received; close it instead", ("id",)
        )
    await exchanges.call_off(session, order, row)
    row.status = status
    row.cancelled_at = utcnow()
    touch(row)
    await _set_work_status(session, row, {RfoStatus.OPEN: RfoStatus.CANCELLED}, reopen=False)
    await announce(session, EventType.RETURN_CANCELLED, order, row)
    return row


async def close(
    session: AsyncSession,
    return_id: int,
    *,
    expected_version: int | None = None,
) -> Return:
    order, row = await locked(session, return_id, expected_version=expected_version)
    row.status = check(Action.CLOSE, row.status, ("id",))
    row.closed_at = utcnow()
    touch(row)
    await _set_work_status(session, row, {RfoStatus.OPEN: RfoStatus.CLOSED}, reopen=False)
    await announce(session, EventType.RETURN_CLOSED, order, row)
    return row


async def reopen(
    session: AsyncSession,
    return_id: int,
    *,
    expected_version: int | None = None,
) -> Return:
    order, row = await locked(session, return_id, expected_version=expected_version)
    row.status = check(Action.REOPEN, row.status, ("id",))
    row.closed_at = None
    touch(row)
    await _set_work_status(session, row, {RfoStatus.CLOSED: RfoStatus.OPEN}, reopen=True)
    await announce(session, EventType.RETURN_REOPENED, order, row)
    return row
