"""Payments: transactions through the manual gateway, captures, and the order's money.

Every change of transactions ends with ``settle``, which recomputes what was captured and
refunded and the financial status from the transactions themselves, and moves the
customer's spending by the difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.actor import current_actor
from oms_graphql.currencies import amount_problem
from oms_graphql.errors import DomainError
from oms_graphql.events import EventType
from oms_graphql.ids import encode_gid
from oms_graphql.models import (
    FinancialStatus,
    Order,
    OrderTransaction,
    TransactionKind,
    TransactionStatus,
)
from oms_graphql.orders import repository
from oms_graphql.orders.events import record_order_event
from oms_graphql.orders.inputs import Capture
from oms_graphql.orders.state import capturable, financial_status, money_totals

MANUAL_GATEWAY = "manual"


def outstanding(order: Order) -> Decimal:
    """What the buyer still owes (negative: what the merchant owes back)."""
    return current_total(order) - order.total_captured + order.total_refunded


def current_total(order: Order) -> Decimal:
    """The order's total as it stands: nothing is owed for a cancelled order."""
    return Decimal(0) if order.cancelled_at is not None else order.total_price


async def record(
    session: AsyncSession,
    order: Order,
    kind: TransactionKind,
    amount: Decimal,
    *,
    parent_id: int | None = None,
    refund_id: int | None = None,
) -> OrderTransaction:
    transaction = OrderTransaction(
        order_id=order.id,
        parent_id=parent_id,
        refund_id=refund_id,
        kind=kind,
        status=TransactionStatus.SUCCESS,
        gateway=MANUAL_GATEWAY,
        amount=amount,
        currency_code=order.currency_code,
        actor=current_actor(),
    )
    session.add(transaction)
    await session.flush()
    await record_order_event(
        session,
        EventType.ORDER_TRANSACTION_CREATED,
        order,
        {
            "transactionId": encode_gid("OrderTransaction", transaction.id),
            "kind": kind.value,
            "amount": str(amount),
            "currencyCode": order.currency_code,
            "parentTransactionId": (
                encode_gid("OrderTransaction", parent_id) if parent_id is not None else None
            ),
        },
    )
    return transaction


async def settle(
    session: AsyncSession,
    order: Order,
    transactions: Sequence[OrderTransaction] | None = None,
) -> None:
    """Bring the order's money and financial status in line with its transactions (all of
    them: read here unless the caller has them at hand)."""
    if transactions is None:
        transactions = await repository.transactions_of(session, [order.id])
    captured, refunded = money_totals(transactions)
    paid_before = order.total_captured - order.total_refunded
    order.total_captured, order.total_refunded = captured, refunded
    order.financial_status = financial_status(transactions, order.total_price)
    if order.customer_id is not None:
        await repository.add_customer_spending(
            session, order.customer_id, order.currency_code, captured - refunded - paid_before
        )


async def open_payment(session: AsyncSession, order: Order, status: FinancialStatus) -> None:
    """The payment an order arrives with: nothing yet, authorized, or paid in full."""
    opening = {
        FinancialStatus.AUTHORIZED: TransactionKind.AUTHORIZATION,
        FinancialStatus.PAID: TransactionKind.SALE,
    }.get(status)
    transactions = []
    if order.total_price > 0 and opening is not None:
        transactions.append(await record(session, order, opening, order.total_price))
    await settle(session, order, transactions)


async def capture(session: AsyncSession, order: Order, given: Capture) -> OrderTransaction:
    """Capture part or all of an authorization: never more than is left on it, nor more than
    the order still owes."""
    if order.cancelled_at is not None:
        raise DomainError.single("INVALID_STATE", "the order is cancelled", ("input", "id"))
    transactions = await repository.transactions_of(session, [order.id])
    parent = next((t for t in transactions if t.id == given.parent_transaction_id), None)
    path = ("input", "parentTransactionId")
    if parent is None:
        raise DomainError.single("NOT_FOUND", "no such transaction on this order", path)
    if (
        parent.kind is not TransactionKind.AUTHORIZATION
        or parent.status != TransactionStatus.SUCCESS
    ):
        raise DomainError.single("INVALID", "only a successful AUTHORIZATION can be captured", path)
    left = capturable(parent, transactions)
    owed = outstanding(order)
    amount = min(left, owed) if given.amount is None else given.amount
    if given.amount is not None:
        problem = amount_problem(
            amount, order.currency_code, ("input", "amount"), code="INVALID", positive=True
        )
        if problem is not None:
            raise DomainError((problem,))
    if left <= 0:
        raise DomainError.single(
            "CAPTURE_EXCEEDS_AUTHORIZED", "nothing is left to capture on this authorization", path
        )
    if amount > left:
        raise DomainError.single(
            "CAPTURE_EXCEEDS_AUTHORIZED",
            f"at most {left} {order.currency_code} is left to capture on this authorization",
            ("input", "amount"),
        )
    if owed <= 0:
        raise DomainError.single("ALREADY_PAID", "nothing is outstanding on this order", path)
    if amount > owed:
        # An authorization can hold more than is owed once the order was paid another way.
        raise DomainError.single(
            "CAPTURE_EXCEEDS_OUTSTANDING",
            f"only {owed} {order.currency_code} is outstanding on this order",
            ("input", "amount"),
        )
    transaction = await record(session, order, TransactionKind.CAPTURE, amount, parent_id=parent.id)
    await settle(session, order, [*transactions, transaction])
    return transaction


async def mark_as_paid(session: AsyncSession, order: Order) -> OrderTransaction:
    """Record that the buyer paid what they owe, outside any gateway (cash, bank transfer)."""
    if order.cancelled_at is not None:
        raise DomainError.single("INVALID_STATE", "the order is cancelled", ("id",))
    owed = outstanding(order)
    if owed <= 0:
        raise DomainError.single("ALREADY_PAID", "nothing is outstanding on this order", ("id",))
    transaction = await record(session, order, TransactionKind.SALE, owed)
    await settle(session, order)
    return transaction


def refundable_by_parent(transactions: Sequence[OrderTransaction]) -> dict[int, Decimal]:
    """Captures and sales (by id, oldest first) with what is left to refund on each."""
    done = [t for t in transactions if t.status == TransactionStatus.SUCCESS]
    left = {
        t.id: t.amount for t in done if t.kind in (TransactionKind.CAPTURE, TransactionKind.SALE)
    }
    for t in done:
        if t.kind == TransactionKind.REFUND and t.parent_id in left:
            left[t.parent_id] -= t.amount
    return left


async def refund_everything(session: AsyncSession, order: Order) -> None:
    """Give back every captured amount and void every open authorization (on cancel)."""
    transactions = await repository.transactions_of(session, [order.id])
    done = [t for t in transactions if t.status == TransactionStatus.SUCCESS]
    refundable = refundable_by_parent(done)
    for transaction in done:
        if transaction.id in refundable:
            if refundable[transaction.id] > 0:
                await record(
                    session,
                    order,
                    TransactionKind.REFUND,
                    refundable[transaction.id],
                    parent_id=transaction.id,
                )
        elif transaction.kind == TransactionKind.AUTHORIZATION:
            left = capturable(transaction, done)
            if left > 0:
                await record(session, order, TransactionKind.VOID, left, parent_id=transaction.id)
    await settle(session, order)
