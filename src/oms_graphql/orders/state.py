"""The order's statuses: transitions as data, and the display statuses derived from facts."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from oms_graphql.errors import DomainError
from oms_graphql.models import (
    FinancialStatus,
    FulfillmentOrder,
    FulfillmentOrderStatus,
    FulfillmentStatus,
    OrderStatus,
    OrderTransaction,
    TransactionKind,
    TransactionStatus,
)

TRANSITIONS: dict[str, dict[OrderStatus, OrderStatus]] = {
    "close": {OrderStatus.OPEN: OrderStatus.CLOSED},
    "open": {OrderStatus.CLOSED: OrderStatus.OPEN},
    "cancel": {OrderStatus.OPEN: OrderStatus.CANCELLED, OrderStatus.CLOSED: OrderStatus.CANCELLED},
}
"""Action -> (status before -> status after); an action absent for a status is refused."""

_REFUSALS = {
    ("cancel", OrderStatus.CANCELLED): ("ALREADY_CANCELLED", "the order is already cancelled"),
    ("close", OrderStatus.CLOSED): ("INVALID_STATE", "the order is already closed"),
    ("open", OrderStatus.OPEN): ("INVALID_STATE", "the order is already open"),
}


def next_status(action: str, current: OrderStatus, field: tuple[str, ...]) -> OrderStatus:
    """The status after ``action``, or ``DomainError`` (on ``field``, the order's id
    argument) when the action is not allowed now."""
    after = TRANSITIONS[action].get(current)
    if after is None:
        code, message = _REFUSALS.get(
            (action, current), ("INVALID_STATE", f"a {current.value.lower()} order can't {action}")
        )
        raise DomainError.single(code, message, field)
    return after


def _successful(transactions: Iterable[OrderTransaction]) -> list[OrderTransaction]:
    return [t for t in transactions if t.status == TransactionStatus.SUCCESS]


def capturable(
    authorization: OrderTransaction, transactions: Iterable[OrderTransaction]
) -> Decimal:
    """What is left to capture of an authorization: nothing once it was voided."""
    children = [t for t in _successful(transactions) if t.parent_id == authorization.id]
    if any(t.kind == TransactionKind.VOID for t in children):
        return Decimal(0)
    captured = sum((t.amount for t in children if t.kind == TransactionKind.CAPTURE), Decimal(0))
    return authorization.amount - captured


def money_totals(transactions: Iterable[OrderTransaction]) -> tuple[Decimal, Decimal]:
    """(captured, refunded): money received (captures and sales) and money given back."""
    done = _successful(transactions)
    captured = sum(
        (t.amount for t in done if t.kind in (TransactionKind.CAPTURE, TransactionKind.SALE)),
        Decimal(0),
    )
    refunded = sum((t.amount for t in done if t.kind == TransactionKind.REFUND), Decimal(0))
    return captured, refunded


def financial_status(transactions: Iterable[OrderTransaction], total: Decimal) -> FinancialStatus:
    """From the transactions: refunds first, then captures, then open authorizations."""
    done = _successful(transactions)
    captured, refunded = money_totals(done)
    if refunded > 0:
        return (
            FinancialStatus.REFUNDED if refunded >= captured else FinancialStatus.PARTIALLY_REFUNDED
        )
    if captured > 0 or total == 0:
        return FinancialStatus.PAID if captured >= total else FinancialStatus.PARTIALLY_PAID
    authorizations = [t for t in done if t.kind == TransactionKind.AUTHORIZATION]
    if any(capturable(auth, done) > 0 for auth in authorizations):
        return FinancialStatus.AUTHORIZED
    if any(t.kind == TransactionKind.VOID for t in done):
        return FinancialStatus.VOIDED
    return FinancialStatus.PENDING


_OPEN_WORK = {
    FulfillmentOrderStatus.IN_PROGRESS: FulfillmentStatus.IN_PROGRESS,
    FulfillmentOrderStatus.ON_HOLD: FulfillmentStatus.ON_HOLD,
    FulfillmentOrderStatus.SCHEDULED: FulfillmentStatus.SCHEDULED,
}


def fulfillment_status(
    fulfillment_orders: Iterable[FulfillmentOrder],
    *,
    fulfilled_units: int,
    current_units: int,
    restocked: bool,
) -> FulfillmentStatus:
    """From the fulfillment orders and the units shipped of the units still ordered."""
    if current_units > 0 and fulfilled_units >= current_units:
        return FulfillmentStatus.FULFILLED
    if fulfilled_units > 0:
        return FulfillmentStatus.PARTIALLY_FULFILLED
    if restocked:
        return FulfillmentStatus.RESTOCKED
    statuses = {fo.status for fo in fulfillment_orders}
    for work, display in _OPEN_WORK.items():
        if work in statuses:
            return display
    return FulfillmentStatus.UNFULFILLED
