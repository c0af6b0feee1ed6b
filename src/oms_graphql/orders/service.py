"""Rules for changing an order after it was placed: details, tags, payments, cancel,
close and reopen. Each function locks the order, checks ``expectedVersion``, and steps the
version once when anything changed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.addresses import ADDRESS_FIELDS, check_address, merge_address
from oms_graphql.customers import service as customer_service
from oms_graphql.db import utcnow
from oms_graphql.errors import DomainError, Problem
from oms_graphql.events import EventType
from oms_graphql.fulfillment import repository as fulfillment_repository
from oms_graphql.ids import encode_gid
from oms_graphql.inventory import repository as inventory
from oms_graphql.inventory.stock import StockChange, change_stock
from oms_graphql.models import (
    DeliveryMethod,
    FulfillmentOrderStatus,
    InventoryReason,
    Order,
    OrderStatus,
    OrderTransaction,
)
from oms_graphql.orders import payments, repository
from oms_graphql.orders.events import Statuses, record_order_event, record_status_change
from oms_graphql.orders.inputs import NOTE_MAX, Cancellation, Capture, OrderChanges
from oms_graphql.orders.state import fulfillment_status, next_status
from oms_graphql.tags import edit_tags, normalize_tags
from oms_graphql.unset import UNSET
from oms_graphql.versions import check_expected_version


async def locked(
    session: AsyncSession,
    order_id: int,
    *,
    expected_version: int | None = None,
    path: Sequence[str] = ("id",),
) -> Order:
    """The order, locked for this transaction; NOT_FOUND when it does not exist or the
    caller may not see it (the session's access hides it), STALE when it moved past
    ``expected_version``."""
    order = await repository.get(session, order_id, for_update=True)
    if order is None:
        raise DomainError.single("NOT_FOUND", "order not found", path)
    check_expected_version(order.version, expected_version)
    return order


async def locked_in_order(
    session: AsyncSession,
    order_ids: Iterable[int],
    *,
    path: Sequence[str],
) -> dict[int, Order]:
    """Several orders, each ``locked``, in id order so that concurrent callers never
    deadlock; NOT_FOUND before anything else when the caller may not see one of them."""
    return {
        order_id: await locked(session, order_id, path=path) for order_id in sorted(set(order_ids))
    }


def touch(order: Order) -> None:
    order.version += 1
    order.updated_at = utcnow()


def _address_of(order: Order) -> dict[str, object]:
    return {name: getattr(order, f"shipping_{name}") for name in ADDRESS_FIELDS}


async def update_order(
    session: AsyncSession,
    *,
    order_id: int,
    given: OrderChanges,
    expected_version: int | None = None,
) -> Order:
    """Change the email, note, tags or (until something shipped) the shipping address."""
    order = await locked(
        session,
        order_id,
        expected_version=expected_version,
        path=("input", "id"),
    )
    problems: list[Problem] = []
    values: dict[str, object] = {}
    if given.email is not UNSET:
        email = None
        if given.email is not None and given.email.strip():
            email = customer_service.normalize_email(given.email)
            if email is None:
                problems.append(
                    Problem(
                        "INVALID", f"{given.email!r} is not an email address", ("input", "email")
                    )
                )
        values["email"] = email
    if given.note is not UNSET:
        note = (given.note or "").strip() or None
        if note is not None and len(note) > NOTE_MAX:
            problems.append(
                Problem("TOO_LONG", f"at most {NOTE_MAX} characters", ("input", "note"))
            )
        values["note"] = note
    tags = None
    if given.tags is not UNSET:
        tags = normalize_tags(list(given.tags or []), ("input", "tags"), problems)
    if given.shipping_address is not UNSET:
        lines = await repository.lines_of(session, [order.id])
        if order.status is OrderStatus.CANCELLED or any(line.fulfilled_quantity for line in lines):
            problems.append(
                Problem(
                    "INVALID_STATE",
                    "the shipping address can't change once something shipped or the order "
                    "was cancelled",
                    ("input", "shippingAddress"),
                )
            )
        elif given.shipping_address is None:
            problems.append(
                Problem(
                    "BLANK", "the shipping address can't be removed", ("input", "shippingAddress")
                )
            )
        else:
            address = check_address(
                merge_address(_address_of(order), given.shipping_address),
                ("input", "shippingAddress"),
                problems,
                require_country=order.delivery_method is not DeliveryMethod.PICKUP,
            )
            values.update({f"shipping_{name}": value for name, value in address.items()})
    if problems:
        raise DomainError(problems)
    changed = sorted(
        "shippingAddress" if name.startswith("shipping_") else name
        for name, value in values.items()
        if getattr(order, name) != value
    )
    if tags is not None:
        current = (await repository.tags_of(session, [order.id])).get(order.id, [])
        if current != sorted(tags, key=str.lower):
            await repository.set_tags(session, order.id, tags)
            changed.append("tags")
    if not changed:
        return order
    for name, value in values.items():
        setattr(order, name, value)
    touch(order)
    await record_order_event(
        session, EventType.ORDER_UPDATED, order, {"changed": sorted(set(changed))}
    )
    return order


async def change_tags(
    session: AsyncSession,
    *,
    order_id: int,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    expected_version: int | None = None,
) -> Order:
    """Add or remove tags (ignoring case); the version moves only when the tags did."""
    order = await locked(session, order_id, expected_version=expected_version)
    problems: list[Problem] = []
    current = (await repository.tags_of(session, [order.id])).get(order.id, [])
    tags = edit_tags(current, add=add, remove=remove, path=("tags",), problems=problems)
    if problems:
        raise DomainError(problems)
    if sorted(tags, key=str.lower) != current:
        await repository.set_tags(session, order.id, tags)
        touch(order)
        await record_order_event(session, EventType.ORDER_UPDATED, order, {"changed": ["tags"]})
    return order


async def capture(
    session: AsyncSession,
    *,
    order_id: int,
    given: Capture,
    expected_version: int | None = None,
) -> tuple[Order, OrderTransaction]:
    order = await locked(
        session,
        order_id,
        expected_version=expected_version,
        path=("input", "id"),
    )
    before = Statuses.of(order)
    transaction = await payments.capture(session, order, given)
    touch(order)
    await record_status_change(session, order, before)
    return order, transaction


async def mark_as_paid(
    session: AsyncSession,
    *,
    order_id: int,
    expected_version: int | None = None,
) -> tuple[Order, OrderTransaction]:
    order = await locked(session, order_id, expected_version=expected_version)
    before = Statuses.of(order)
    transaction = await payments.mark_as_paid(session, order)
    touch(order)
    await record_status_change(session, order, before)
    return order, transaction


_STATUS_EVENTS = {"close": EventType.ORDER_CLOSED, "open": EventType.ORDER_REOPENED}


async def change_status(
    session: AsyncSession,
    action: str,
    *,
    order_id: int,
    expected_version: int | None = None,
) -> Order:
    """``close`` an open order (its work is done, or will not be done here) or ``open`` a
    closed one again."""
    order = await locked(session, order_id, expected_version=expected_version)
    before = Statuses.of(order)
    order.status = next_status(action, order.status, ("id",))
    order.closed_at = utcnow() if order.status is OrderStatus.CLOSED else None
    touch(order)
    await record_order_event(session, _STATUS_EVENTS[action], order, {})
    await record_status_change(session, order, before)
    return order


async def cancel(
    session: AsyncSession,
    *,
    order_id: int,
    given: Cancellation,
    expected_version: int | None = None,
) -> Order:
    """Cancel what is not fulfilled yet: committed stock is released (back to available
    with ``restock``, written off otherwise), open fulfillment orders are cancelled, and
    with ``refund`` every captured amount is refunded and open authorizations voided.

    A fully fulfilled order can't be cancelled: its goods left; that is a return.
    """
    note = (given.staff_note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise DomainError.single("TOO_LONG", f"at most {NOTE_MAX} characters", ("staffNote",))
    order = await locked(
        session,
        order_id,
        expected_version=expected_version,
        path=("orderId",),
    )
    before = Statuses.of(order)
    order.status = next_status("cancel", order.status, ("orderId",))
    lines = await repository.lines_of(session, [order.id])
    if all(line.fulfilled_quantity >= line.current_quantity for line in lines):
        raise DomainError.single(
            "ALREADY_FULFILLED", "everything was fulfilled; create a return instead", ("orderId",)
        )
    await _release_stock(session, order, restock=given.restock)
    for line in lines:
        line.current_quantity = line.fulfilled_quantity
    now = utcnow()
    order.cancelled_at, order.cancel_reason = now, given.reason
    fulfilled = sum(line.fulfilled_quantity for line in lines)
    order.fulfillment_status = fulfillment_status(
        [],
        fulfilled_units=fulfilled,
        current_units=sum(line.current_quantity for line in lines),
        restocked=given.restock,
    )
    if given.refund:
        await payments.refund_everything(session, order)
    else:
        await payments.settle(session, order)
    touch(order)
    await record_order_event(
        session,
        EventType.ORDER_CANCELLED,
        order,
        {
            "reason": given.reason.value,
            "restock": given.restock,
            "refund": given.refund,
            "staffNote": note,
        },
    )
    await record_status_change(session, order, before)
    return order


async def _release_stock(session: AsyncSession, order: Order, *, restock: bool) -> None:
    """Take back the committed units of every open fulfillment order of the order."""
    fulfillment_orders = await repository.fulfillment_orders_of(session, [order.id])
    open_ones = [
        fo
        for fo in fulfillment_orders
        if fo.status
        not in (
            FulfillmentOrderStatus.CLOSED,
            FulfillmentOrderStatus.CANCELLED,
            FulfillmentOrderStatus.INCOMPLETE,
        )
    ]
    fo_lines = await repository.fulfillment_order_lines_of(session, [fo.id for fo in open_ones])
    held = [line for line in fo_lines if line.level_id is not None and line.remaining_quantity]
    levels = await inventory.lock_levels(session, [line.level_id for line in held])  # type: ignore[misc]
    written_off: dict[int, int] = {}
    changes = []
    for line in held:
        assert line.level_id is not None
        deltas = {"committed": -line.remaining_quantity}
        if not restock:
            # Not back to sale: the units leave on_hand too (never below zero on backorders).
            on_hand = levels[line.level_id].quantities["on_hand"] - written_off.get(
                line.level_id, 0
            )
            gone = min(line.remaining_quantity, max(on_hand, 0))
            written_off[line.level_id] = written_off.get(line.level_id, 0) + gone
            if gone:
                deltas["on_hand"] = -gone
        changes.append(StockChange(line.level_id, deltas))
    if changes:
        await change_stock(
            session,
            changes,
            reason=InventoryReason.RESTOCK if restock else InventoryReason.ORDER,
            reference_document_uri=encode_gid("Order", order.id),
            release_expired=False,
        )
    shipped = {
        line.fulfillment_order_id
        for line in fo_lines
        if line.remaining_quantity < line.total_quantity
    }
    for line in fo_lines:
        line.remaining_quantity = 0
    now = utcnow()
    for fo in open_ones:
        # Work with shipments behind it did not vanish: it ended INCOMPLETE.
        fo.status = (
            FulfillmentOrderStatus.INCOMPLETE
            if fo.id in shipped
            else FulfillmentOrderStatus.CANCELLED
        )
        fo.held_from = None
        fo.version += 1
        fo.updated_at = now
        await fulfillment_repository.release_holds(session, fo.id, now)
