"""Exchanges: items a return gives the buyer instead of (or besides) money.

Exchange lines are checked and stored with the return (at the item's catalog price). Once
every returned unit of the return was disposed (or when the return opens, with
``OMS_EXCHANGES_FULFILL_AT_ONCE``), they become order lines, routed and committed through
the placement code edits use. Once every returned unit was disposed, the returned units
leave the order's total as refund lines of type RETURN do (counted on the return lines, so
they can't be refunded as well). What is left shows as ``totalOutstanding``: positive, a
balance to collect; negative, a refund owed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.currencies import MINOR_UNITS
from oms_graphql.errors import DomainError, Problem
from oms_graphql.events import EventType
from oms_graphql.fulfillment import work
from oms_graphql.ids import encode_gid
from oms_graphql.inventory import repository as inventory
from oms_graphql.inventory.items import QUANTITY_MAX
from oms_graphql.models import (
    ExchangeLine,
    InventoryItem,
    Order,
    OrderLine,
    Return,
    ReturnStatus,
)
from oms_graphql.orders import payments
from oms_graphql.orders import repository as orders
from oms_graphql.orders.editing import Removal, place, take_off, tax_rate_of
from oms_graphql.orders.events import Statuses
from oms_graphql.orders.pricing import quantum, tax_of
from oms_graphql.returns import refund_repository, repository
from oms_graphql.returns.common import announce
from oms_graphql.returns.refunds import share, take_money_off

LINES_MAX = 250
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class ItemToExchange:
    sku: str
    quantity: int


async def check(
    session: AsyncSession, order: Order, given: Sequence[ItemToExchange], root: str
) -> list[tuple[ItemToExchange, InventoryItem]]:
    """The items asked for, or ``DomainError``: an unknown SKU, a quantity below 1, an item
    without a price in the order's currency, more than 250 lines, a cancelled order."""
    path = (root, "exchangeLineItems")
    if len(given) > LINES_MAX:
        raise DomainError.single("INVALID", f"at most {LINES_MAX} exchange lines", path)
    if given and order.cancelled_at is not None:
        # Nothing is owed for a cancelled order: its exchange items would ship for free.
        raise DomainError.single(
            "INVALID_STATE", "a cancelled order takes no exchange; refund the return", path
        )
    items = await inventory.items_by_sku(session, sorted({line.sku for line in given}))
    problems: list[Problem] = []
    checked = []
    for index, line in enumerate(given):
        at = (*path, str(index))
        item = items.get(line.sku)
        if not 0 < line.quantity <= QUANTITY_MAX:
            problems.append(
                Problem(
                    "INVALID_QUANTITY",
                    f"quantity must be between 1 and {QUANTITY_MAX}",
                    (*at, "quantity"),
                )
            )
        if item is None:
            problems.append(Problem("NOT_FOUND", f"no item has SKU {line.sku!r}", (*at, "sku")))
        elif item.unit_price is None or item.currency_code != order.currency_code:
            problems.append(
                Problem(
                    "INVALID",
                    f"{line.sku} has no price in {order.currency_code}",
                    (*at, "sku"),
                )
            )
        elif not problems:
            checked.append((line, item))
    if problems:
        raise DomainError(problems)
    return checked


def add(
    session: AsyncSession, row: Return, checked: list[tuple[ItemToExchange, InventoryItem]]
) -> None:
    for given, item in checked:
        assert item.unit_price is not None
        assert item.sku is not None
        session.add(
            ExchangeLine(
                return_id=row.id,
                item_id=item.id,
                sku=item.sku,
                title=item.title,
                quantity=given.quantity,
                unit_price=item.unit_price,
                currency_code=item.currency_code,
            )
        )


def data(checked: list[tuple[ItemToExchange, InventoryItem]]) -> dict[str, object]:
    if not checked:
        return {}
    return {
        "exchangeLineItems": [
            {"sku": given.sku, "quantity": given.quantity} for given, _ in checked
        ]
    }


async def advance(
    session: AsyncSession, order: Order, returns: Sequence[Return], *, at_once: bool
) -> None:
    """Place the exchange lines of these (OPEN) returns that are due, and take their
    returned units out of the order once every one of them was received. A cancelled
    order takes no exchange (``check`` refuses new ones; those opened before the order
    was cancelled stay unplaced): its returned units are refunded instead."""
    if order.cancelled_at is not None:
        return
    rows = [row for row in returns if row.status is ReturnStatus.OPEN]
    exchange = await repository.exchange_lines_of(session, [row.id for row in rows])
    if not exchange:
        return
    before = Statuses.of(order)
    received = {
        entry.line.id: entry for entry in await refund_repository.received_lines(session, order.id)
    }
    return_lines = await repository.lines_of(session, [row.id for row in rows])
    # The order's lines, read once: placement appends the lines it adds.
    current = await orders.lines_of(session, [order.id])
    changed = False
    minor = MINOR_UNITS[order.currency_code]
    for row in rows:
        mine = [line for line in exchange if line.return_id == row.id]
        if not mine:
            continue
        lines = [line for line in return_lines if line.return_id == row.id]
        all_in = all(
            line.id in received and received[line.id].disposed >= line.quantity for line in lines
        )
        placed = [line for line in mine if line.order_line_id is None and (at_once or all_in)]
        if placed:
            await _place(session, order, current, placed)
        taken: list[dict[str, object]] = []
        if all_in:
            taken = _take_out_returned(order, current, [received[line.id] for line in lines])
        if placed or taken:
            changed = True
            await payments.settle(session, order)
            await announce(
                session,
                EventType.RETURN_EXCHANGED,
                order,
                row,
                {
                    "exchangeLineItems": [
                        {
                            "sku": line.sku,
                            "quantity": line.quantity,
                            "lineItemId": encode_gid("LineItem", line.order_line_id or 0),
                        }
                        for line in placed
                    ],
                    "returnedUnitsTakenOut": taken,
                    "totalOutstanding": str(payments.outstanding(order).quantize(quantum(minor))),
                    "currencyCode": order.currency_code,
                },
            )
    if changed:
        await work.refresh_order(session, order, before)


async def _place(
    session: AsyncSession, order: Order, current: list[OrderLine], lines: Sequence[ExchangeLine]
) -> None:
    """New order lines at the exchange price, taxed at the order's rate, placed as an
    edit places added units; they join ``current``, the order's lines."""
    tax_rate, tax_title = tax_rate_of(current)
    minor = MINOR_UNITS[order.currency_code]
    position = max((line.position for line in current), default=-1)
    new: list[OrderLine] = []
    for exchange in lines:
        position += 1
        total = exchange.unit_price * exchange.quantity
        tax = tax_of(total, tax_rate, included=order.taxes_included, minor_units=minor)
        ordered = OrderLine(
            order_id=order.id,
            position=position,
            item_id=exchange.item_id,
            sku=exchange.sku,
            title=exchange.title,
            quantity=exchange.quantity,
            current_quantity=exchange.quantity,
            fulfilled_quantity=0,
            refunded_quantity=0,
            original_unit_price=exchange.unit_price,
            total_discount=ZERO,
            discounted_total=total,
            tax_amount=tax,
            tax_rate=tax_rate,
            tax_title=tax_title,
        )
        session.add(ordered)
        new.append(ordered)
        order.subtotal_price += total
        order.total_tax += tax
        order.total_price += total + (ZERO if order.taxes_included else tax)
    await session.flush()
    current.extend(new)
    for exchange, ordered in zip(lines, new, strict=True):
        exchange.order_line_id = ordered.id
    await place(session, order, [(line, line.quantity) for line in new])


def _take_out_returned(
    order: Order, current: Sequence[OrderLine], received: Sequence[refund_repository.Received]
) -> list[dict[str, object]]:
    """Returned units not refunded yet leave the order's total, as RETURN refund lines."""
    minor = MINOR_UNITS[order.currency_code]
    by_id = {line.id: line for line in current}
    taken = []
    for entry in received:
        line = by_id[entry.line.order_line_id]
        billed = line.current_quantity - line.refunded_quantity
        units = min(
            entry.disposed - entry.line.refunded_quantity,
            line.fulfilled_quantity - line.refunded_quantity,
        )
        if units <= 0:
            continue
        subtotal = share(line.discounted_total, units, billed, minor)
        tax = share(line.tax_amount, units, billed, minor)
        take_money_off(order, line, subtotal, tax, share(line.total_discount, units, billed, minor))
        line.refunded_quantity += units
        entry.line.refunded_quantity += units
        taken.append(
            {
                "lineItemId": encode_gid("LineItem", line.id),
                "quantity": units,
                "subtotal": str(subtotal),
                "totalTax": str(tax),
            }
        )
    return taken


async def call_off(session: AsyncSession, order: Order, row: Return) -> None:
    """A cancelled return's exchange: lines already placed leave the order (their units go
    back to available, their money leaves the total); refused once some of them shipped."""
    placed_ids = {
        line.order_line_id
        for line in await repository.exchange_lines_of(session, [row.id])
        if line.order_line_id is not None
    }
    if not placed_ids:
        return
    lines = [line for line in await orders.lines_of(session, [order.id]) if line.id in placed_ids]
    if any(line.fulfilled_quantity > 0 for line in lines):
        raise DomainError.single(
            "INVALID_STATE",
            "items of this return's exchange were already fulfilled; close it instead",
            ("id",),
        )
    before = Statuses.of(order)
    await take_off(
        session,
        order,
        [
            Removal(line, line.current_quantity, restock=True)
            for line in lines
            if line.current_quantity
        ],
    )
    for line in lines:
        take_money_off(order, line, line.discounted_total, line.tax_amount, line.total_discount)
        line.current_quantity = 0
    await payments.settle(session, order)
    await work.refresh_order(session, order, before)
