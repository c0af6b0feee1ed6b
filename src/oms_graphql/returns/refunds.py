"""Refunds: units and shipping taken out of an order's total, and money given back.

A refund line is worth its share of what the line still bills: its discounted total and
tax, prorated per unit (``share``) on what is left, so refunding every unit of a line in
any number of refunds gives back exactly what the line cost. The units leave the order's
total the way an edit takes them off (the line's money, the order's totals), so
``totalOutstanding = totalPrice - captured + refunded`` stays right:

- ``CANCEL``: unfulfilled units leave their open fulfillment orders and go back to
  available (``orders.editing.take_off``, as edits do); ``current_quantity`` goes down.
- ``RETURN``: units that came back on a return of the order and were disposed (the
  disposal already moved the stock); counted on the return lines, never refunded twice.
- ``NO_RESTOCK``: shipped units the buyer keeps first; beyond those, unfulfilled units
  leave their work with their committed stock written off (as an edit with
  ``restock: false``): nothing comes back to sell.

Money goes back as REFUND transactions against captures and sales (never more than each
has left), never more than was paid minus refunded, and never more than what the refund
takes out of the order plus what the merchant already owed: a refund never creates a
balance due. A refund of money only pays back a negative outstanding (after an edit).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.actor import current_actor
from oms_graphql.currencies import MINOR_UNITS, amount_problem
from oms_graphql.errors import DomainError, Problem
from oms_graphql.events import EventType
from oms_graphql.fulfillment import work
from oms_graphql.ids import encode_gid
from oms_graphql.locations import repository as locations
from oms_graphql.models import (
    Order,
    OrderLine,
    OrderTransaction,
    Refund,
    RefundLine,
    RestockType,
    ShippingLine,
    TransactionKind,
)
from oms_graphql.orders import payments
from oms_graphql.orders import repository as orders
from oms_graphql.orders import service as order_service
from oms_graphql.orders.editing import Removal, take_off
from oms_graphql.orders.events import Statuses, record_order_event
from oms_graphql.orders.pricing import round_money
from oms_graphql.returns import refund_repository as repository

NOTE_MAX = 1000
LINES_MAX = 250
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class LineToRefund:
    line_id: int
    quantity: int
    restock_type: RestockType = RestockType.NO_RESTOCK
    location_id: int | None = None


@dataclass(frozen=True, slots=True)
class ShippingToRefund:
    full_refund: bool = False
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class MoneyBack:
    parent_id: int
    amount: Decimal
    currency_code: str


@dataclass(frozen=True, slots=True)
class RefundRequest:
    order_id: int
    lines: Sequence[LineToRefund] = ()
    shipping: ShippingToRefund | None = None
    note: str | None = None
    transactions: Sequence[MoneyBack] = ()


@dataclass(slots=True)
class LineShare:
    line: OrderLine
    quantity: int
    restock_type: RestockType
    location_id: int | None
    subtotal: Decimal
    tax: Decimal
    discount: Decimal
    shipped: int = 0
    """Of ``quantity``, the fulfilled units (RETURN, and NO_RESTOCK's kept units)."""
    index: int = 0
    """Its position in the request's ``refundLineItems``."""


@dataclass(slots=True)
class Plan:
    """What a refund would take out of the order and the money it may give back."""

    order: Order
    lines: list[LineShare] = field(default_factory=list)
    shipping_amount: Decimal = ZERO
    shipping_tax: Decimal = ZERO
    shipping_left: Decimal = ZERO
    value: Decimal = ZERO
    """What the lines and shipping are worth (tax included)."""
    refundable: Decimal = ZERO
    """The most money this refund may give back."""
    parents: dict[int, Decimal] = field(default_factory=dict)
    """Captures and sales with what is left to refund on each."""

    @property
    def subtotal(self) -> Decimal:
        return sum((line.subtotal for line in self.lines), ZERO)

    @property
    def total_tax(self) -> Decimal:
        return sum((line.tax for line in self.lines), ZERO) + self.shipping_tax

    def suggested_transactions(self) -> list[tuple[int, Decimal]]:
        """The refundable money spread over captures and sales, oldest first."""
        wanted, found = self.refundable, []
        for parent_id, left in self.parents.items():
            if wanted <= 0:
                break
            taken = min(wanted, left)
            if taken > 0:
                found.append((parent_id, taken))
                wanted -= taken
        return found


def share(amount: Decimal, quantity: int, of: int, minor_units: int) -> Decimal:
    """The part of ``amount`` (worth ``of`` units) that ``quantity`` units carry; all of it
    for all units, so refunds of a line add up to the cent."""
    if quantity >= of:
        return amount
    return round_money(amount * quantity / of, minor_units)


def take_money_off(
    order: Order, line: OrderLine, subtotal: Decimal, tax: Decimal, discount: Decimal
) -> None:
    """Part of a line's money (refunded, or returned units exchanged) leaves the line and
    the order's totals; tax leaves the total too unless prices include it."""
    line.discounted_total -= subtotal
    line.tax_amount -= tax
    line.total_discount -= discount
    order.subtotal_price -= subtotal
    order.total_tax -= tax
    order.total_discounts -= discount
    order.total_price -= subtotal + (ZERO if order.taxes_included else tax)


@dataclass(slots=True)
class _LineState:
    billed: int
    unfulfilled: int
    shipped: int
    returned: int
    subtotal: Decimal
    tax: Decimal
    discount: Decimal


def _plan(
    order: Order,
    order_lines: Sequence[OrderLine],
    shipping_lines: Sequence[ShippingLine],
    transactions: Sequence[OrderTransaction],
    returned: dict[int, int],
    request: RefundRequest,
    *,
    clamp: bool,
) -> tuple[Plan, list[Problem]]:
    """The refund's lines, shipping and money bounds; with ``clamp`` (a suggestion) a line
    or shipping asking too much is cut to what is refundable instead of refused."""
    minor = MINOR_UNITS[order.currency_code]
    included = order.taxes_included
    problems: list[Problem] = []
    by_id = {line.id: line for line in order_lines}
    state = {
        line.id: _LineState(
            billed=line.current_quantity - line.refunded_quantity,
            unfulfilled=line.current_quantity - line.fulfilled_quantity,
            shipped=line.fulfilled_quantity - line.refunded_quantity,
            returned=returned.get(line.id, 0),
            subtotal=line.discounted_total,
            tax=line.tax_amount,
            discount=line.total_discount,
        )
        for line in order_lines
    }
    plan = Plan(order)
    if len(request.lines) > LINES_MAX:
        problems.append(
            Problem("INVALID", f"at most {LINES_MAX} lines", ("input", "refundLineItems"))
        )
        return plan, problems
    for index, given in enumerate(request.lines):
        path = ("input", "refundLineItems", str(index))
        line = by_id.get(given.line_id)
        if line is None:
            if not clamp:
                problems.append(
                    Problem("NOT_FOUND", "no such line on this order", (*path, "lineItemId"))
                )
            continue
        now = state[line.id]
        if given.quantity < 1:
            if not clamp:
                problems.append(
                    Problem("INVALID_QUANTITY", "quantity must be 1 or more", (*path, "quantity"))
                )
            continue
        if given.restock_type is RestockType.CANCEL:
            bound, code, why = now.unfulfilled, "ALREADY_FULFILLED", "unfulfilled"
        elif given.restock_type is RestockType.RETURN:
            bound = min(now.returned, now.shipped)
            code, why = "NOT_RETURNED", "returned, received and not yet refunded"
        else:
            bound, code, why = now.billed, "OVER_REFUND", "refundable"
        quantity = given.quantity
        if quantity > now.billed and not clamp:
            problems.append(
                Problem(
                    "OVER_REFUND",
                    f"only {now.billed} units of {line.title} can be refunded",
                    (*path, "quantity"),
                )
            )
            continue
        if quantity > bound:
            if not clamp:
                problems.append(
                    Problem(
                        code,
                        f"only {bound} units of {line.title} are {why}",
                        (*path, "quantity"),
                    )
                )
                continue
            quantity = bound
        if quantity < 1:
            continue
        shipped = {
            RestockType.CANCEL: 0,
            RestockType.RETURN: quantity,
            RestockType.NO_RESTOCK: min(quantity, now.shipped),
        }[given.restock_type]
        part = LineShare(
            line=line,
            quantity=quantity,
            restock_type=given.restock_type,
            location_id=given.location_id,
            subtotal=share(now.subtotal, quantity, now.billed, minor),
            tax=share(now.tax, quantity, now.billed, minor),
            discount=share(now.discount, quantity, now.billed, minor),
            shipped=shipped,
            index=index,
        )
        now.subtotal -= part.subtotal
        now.tax -= part.tax
        now.discount -= part.discount
        now.billed -= quantity
        now.shipped -= shipped
        now.unfulfilled -= quantity - shipped
        if given.restock_type is RestockType.RETURN:
            now.returned -= quantity
        plan.lines.append(part)

    shipping_price = sum((s.price for s in shipping_lines), ZERO)
    shipping_tax = sum((s.tax_amount for s in shipping_lines), ZERO)
    plan.shipping_left = shipping_price
    if request.shipping is not None:
        path = ("input", "shipping", "amount")
        amount = shipping_price if request.shipping.full_refund else request.shipping.amount
        if amount is not None:
            problem = (
                None
                if request.shipping.full_refund
                else amount_problem(amount, order.currency_code, path, code="INVALID")
            )
            if problem is not None and not clamp:
                problems.append(problem)
            elif amount > shipping_price and not clamp:
                problems.append(
                    Problem(
                        "OVER_REFUND",
                        f"only {shipping_price} {order.currency_code} of shipping is left",
                        path,
                    )
                )
            elif problem is None:
                amount = min(amount, shipping_price)
                plan.shipping_amount = amount
                plan.shipping_tax = (
                    shipping_tax
                    if amount == shipping_price
                    else round_money(shipping_tax * amount / shipping_price, minor)
                )

    plan.value = (
        plan.subtotal
        + plan.shipping_amount
        + (ZERO if included else sum((line.tax for line in plan.lines), ZERO) + plan.shipping_tax)
    )
    plan.parents = payments.refundable_by_parent(transactions)
    paid_left = order.total_captured - order.total_refunded
    owed_back = plan.value - payments.outstanding(order)
    plan.refundable = max(ZERO, min(paid_left, owed_back))
    return plan, problems


async def _facts(
    session: AsyncSession, order: Order
) -> tuple[list[OrderLine], list[ShippingLine], list[OrderTransaction], list[repository.Received]]:
    received = await repository.received_lines(session, order.id)
    return (
        await orders.lines_of(session, [order.id]),
        await orders.shipping_lines_of(session, [order.id]),
        await orders.transactions_of(session, [order.id]),
        received,
    )


def _returned_units(received: Sequence[repository.Received]) -> dict[int, int]:
    """Order line id -> units received back and not yet refunded or exchanged."""
    units: dict[int, int] = defaultdict(int)
    for entry in received:
        units[entry.line.order_line_id] += entry.disposed - entry.line.refunded_quantity
    return units


async def suggest(session: AsyncSession, order: Order, request: RefundRequest) -> Plan:
    """What a refund of these lines and shipping would give back, cut to what is
    refundable, with REFUND transactions to send."""
    lines, shipping, transactions, received = await _facts(session, order)
    plan, _ = _plan(
        order, lines, shipping, transactions, _returned_units(received), request, clamp=True
    )
    return plan


def _check_money(plan: Plan, request: RefundRequest) -> list[Problem]:
    order = plan.order
    problems: list[Problem] = []
    left = dict(plan.parents)
    total = ZERO
    for index, given in enumerate(request.transactions):
        path = ("input", "transactions", str(index))
        if given.parent_id not in left:
            problems.append(
                Problem(
                    "NOT_FOUND",
                    "no successful CAPTURE or SALE with this id on this order",
                    (*path, "parentId"),
                )
            )
            continue
        if given.currency_code != order.currency_code:
            problems.append(
                Problem(
                    "CURRENCY_MISMATCH",
                    f"the order is in {order.currency_code}",
                    (*path, "amount", "currencyCode"),
                )
            )
            continue
        problem = amount_problem(
            given.amount,
            order.currency_code,
            (*path, "amount", "amount"),
            code="INVALID",
            positive=True,
        )
        if problem is not None:
            problems.append(problem)
            continue
        if given.amount > left[given.parent_id]:
            problems.append(
                Problem(
                    "REFUND_EXCEEDS_PAID",
                    f"only {left[given.parent_id]} {order.currency_code} is left to refund on "
                    "this transaction",
                    (*path, "amount", "amount"),
                )
            )
            continue
        left[given.parent_id] -= given.amount
        total += given.amount
    if problems:
        return problems
    paid_left = order.total_captured - order.total_refunded
    whole = ("input", "transactions")
    if total > paid_left:
        problems.append(
            Problem(
                "REFUND_EXCEEDS_PAID",
                f"only {paid_left} {order.currency_code} was paid and not refunded",
                whole,
            )
        )
    elif total > plan.refundable:
        problems.append(
            Problem(
                "REFUND_EXCEEDS_REFUNDABLE",
                f"this refund can give back at most {plan.refundable} {order.currency_code} "
                "(its lines and shipping, and what is owed back already)",
                whole,
            )
        )
    return problems


async def create(session: AsyncSession, request: RefundRequest) -> tuple[Order, Refund]:
    order = await order_service.locked(session, request.order_id, path=("input", "orderId"))
    note = (request.note or "").strip() or None
    problems: list[Problem] = []
    if note is not None and len(note) > NOTE_MAX:
        problems.append(Problem("TOO_LONG", f"at most {NOTE_MAX} characters", ("input", "note")))
    if not request.lines and request.shipping is None and not request.transactions:
        raise DomainError.single(
            "BLANK", "a refund needs lines, shipping or transactions", ("input",)
        )
    before = Statuses.of(order)
    lines, shipping, transactions, received = await _facts(session, order)
    plan, found = _plan(
        order, lines, shipping, transactions, _returned_units(received), request, clamp=False
    )
    problems += found
    wanted = sorted({given.location_id for given in request.lines if given.location_id})
    known = {location.id for location in await locations.get_many(session, wanted)}
    for index, given in enumerate(request.lines):
        if given.location_id is not None and given.location_id not in known:
            problems.append(
                Problem(
                    "NOT_FOUND",
                    "no such location",
                    ("input", "refundLineItems", str(index), "locationId"),
                )
            )
    if not problems:
        problems += _check_money(plan, request)
    if problems:
        raise DomainError(problems)

    came_off = await take_off(
        session,
        order,
        [
            Removal(
                part.line,
                part.quantity - part.shipped,
                restock=part.restock_type is RestockType.CANCEL,
                location_id=part.location_id if part.restock_type is RestockType.CANCEL else None,
                field=("input", "refundLineItems", str(part.index)),
            )
            for part in plan.lines
            if part.quantity > part.shipped
        ],
    )
    returned_by_line: dict[int, list[repository.Received]] = defaultdict(list)
    for entry in received:
        returned_by_line[entry.line.order_line_id].append(entry)
    return_id: int | None = None
    for part in plan.lines:
        line = part.line
        line.current_quantity -= part.quantity - part.shipped
        line.refunded_quantity += part.shipped
        take_money_off(order, line, part.subtotal, part.tax, part.discount)
        if part.location_id is None and part.restock_type is RestockType.CANCEL:
            part.location_id = came_off.get(line.id)
        if part.restock_type is RestockType.RETURN:
            units = part.quantity
            for entry in returned_by_line[line.id]:
                taken = min(units, entry.disposed - entry.line.refunded_quantity)
                if taken <= 0:
                    continue
                entry.line.refunded_quantity += taken
                units -= taken
                if return_id is None:
                    return_id = entry.line.return_id
                if units == 0:
                    break
    _take_shipping(shipping, plan.shipping_amount, plan.shipping_tax)
    order.total_shipping -= plan.shipping_amount
    order.total_tax -= plan.shipping_tax
    order.total_price -= plan.shipping_amount + (
        ZERO if order.taxes_included else plan.shipping_tax
    )

    money = sum((given.amount for given in request.transactions), ZERO)
    refund = Refund(
        order_id=order.id,
        return_id=return_id,
        note=note,
        shipping_amount=plan.shipping_amount,
        shipping_tax=plan.shipping_tax,
        total_refunded=money,
        currency_code=order.currency_code,
        actor=current_actor(),
    )
    session.add(refund)
    await session.flush()
    session.add_all(
        RefundLine(
            refund_id=refund.id,
            order_line_id=part.line.id,
            quantity=part.quantity,
            restock_type=part.restock_type,
            location_id=part.location_id,
            subtotal=part.subtotal,
            total_tax=part.tax,
        )
        for part in plan.lines
    )
    recorded = [
        await payments.record(
            session,
            order,
            TransactionKind.REFUND,
            money_back.amount,
            parent_id=money_back.parent_id,
            refund_id=refund.id,
        )
        for money_back in request.transactions
    ]
    await session.flush()
    await payments.settle(session, order, [*transactions, *recorded])
    await record_order_event(
        session,
        EventType.REFUND_CREATED,
        order,
        {
            "refundId": encode_gid("Refund", refund.id),
            "returnId": encode_gid("Return", return_id) if return_id is not None else None,
            "lineItems": [
                {
                    "lineItemId": encode_gid("LineItem", part.line.id),
                    "sku": part.line.sku,
                    "quantity": part.quantity,
                    "restockType": part.restock_type.value,
                    "subtotal": str(part.subtotal),
                    "totalTax": str(part.tax),
                }
                for part in plan.lines
            ],
            "shipping": str(plan.shipping_amount),
            "totalRefunded": str(money),
            "currencyCode": order.currency_code,
        },
    )
    await work.refresh_order(session, order, before)
    return order, refund


def _take_shipping(shipping: Sequence[ShippingLine], amount: Decimal, tax: Decimal) -> None:
    """Shipping refunded leaves the shipping lines (the first ones first), so an edit
    that prices the order again does not charge it back."""
    for line in shipping:
        taken = min(amount, line.price)
        taken_tax = min(tax, line.tax_amount)
        line.price -= taken
        line.tax_amount -= taken_tax
        amount -= taken
        tax -= taken_tax
