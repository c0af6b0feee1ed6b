"""Order editing: a staged session (a "calculated order") that changes nothing until it is
committed, then applies everything in one transaction.

``begin`` copies the order's lines into an ``order_edits`` row and its lines (so any server
process can continue the session); ``add_variant``, ``set_quantity`` and
``add_line_discount`` change only those rows; ``commit`` applies the difference to the
order: units taken off leave their fulfillment orders (back to available, or written off
without ``restock``), units added are routed and committed through the same placement code
as ``orderCreate`` and join an open fulfillment order at the chosen location (or a new
one), the order is priced again as a whole (its discounts, the edit's line discounts, its
shipping and its tax rate), payments settle against the new total, and one
``order.edited`` event records what changed.

A session lives ``EDIT_TTL`` after its last change; it can be committed once, and only
while the order is still at the version it began at.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.actor import current_actor
from oms_graphql.currencies import MINOR_UNITS, amount_problem
from oms_graphql.db import utcnow
from oms_graphql.errors import DomainError, Problem
from oms_graphql.events import EventType, record_event
from oms_graphql.fulfillment import repository as fulfillment_repository
from oms_graphql.fulfillment import work
from oms_graphql.ids import GlobalId, encode_gid
from oms_graphql.inventory import repository as inventory
from oms_graphql.inventory.items import QUANTITY_MAX
from oms_graphql.inventory.stock import StockChange, change_stock
from oms_graphql.locations import repository as locations
from oms_graphql.mail import MailMessage
from oms_graphql.models import (
    DiscountApplication,
    DiscountValueType,
    FulfillmentOrder,
    FulfillmentOrderLine,
    FulfillmentOrderRequestStatus,
    FulfillmentOrderStatus,
    InventoryReason,
    Order,
    OrderEdit,
    OrderEditLine,
    OrderEditStatus,
    OrderLine,
    OrderStatus,
    ShippingLine,
)
from oms_graphql.orders import edit_repository as edits
from oms_graphql.orders import payments, placement
from oms_graphql.orders import repository as orders
from oms_graphql.orders import service as order_service
from oms_graphql.orders.create import DEFAULT_DISCOUNT_TITLE, PERCENT_MAX
from oms_graphql.orders.events import Statuses, record_order_event
from oms_graphql.orders.inputs import NOTE_MAX, TEXT_MAX, NewDiscount
from oms_graphql.orders.pricing import (
    DiscountToApply,
    LineToPrice,
    PricedOrder,
    price_order,
    quantum,
)

EDIT_TTL = timedelta(hours=24)
"""An edit session expires this long after it last changed."""
EXPIRED = "EXPIRED"
_OPEN_WORK = (
    FulfillmentOrderStatus.OPEN,
    FulfillmentOrderStatus.IN_PROGRESS,
    FulfillmentOrderStatus.ON_HOLD,
    FulfillmentOrderStatus.SCHEDULED,
)
_AT_THE_SERVICE = (
    FulfillmentOrderRequestStatus.SUBMITTED,
    FulfillmentOrderRequestStatus.ACCEPTED,
    FulfillmentOrderRequestStatus.CANCELLATION_REQUESTED,
    FulfillmentOrderRequestStatus.CANCELLATION_REJECTED,
)


@dataclass(frozen=True, slots=True)
class EditView:
    """A session with its lines and the order priced as it would be after committing."""

    edit: OrderEdit
    order: Order
    lines: list[OrderEditLine]
    priced: PricedOrder

    @property
    def status(self) -> str:
        return status_of(self.edit)

    @property
    def outstanding(self) -> Decimal:
        """What the buyer would owe after the edit (negative: the refund owed)."""
        return self.priced.total - self.order.total_captured + self.order.total_refunded


def status_of(edit: OrderEdit) -> str:
    if edit.status is OrderEditStatus.OPEN and edit.expires_at <= utcnow():
        return EXPIRED
    return edit.status.value


# --- pricing ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Pricing:
    priced: PricedOrder
    applications: list[tuple[DiscountApplication, int | None]]
    """The order's discounts, each with its index among the discounts priced (None when
    its line is no longer ordered)."""
    edit_discounts: dict[int, int]
    """Edit line index -> index of its staged discount among the discounts priced."""


async def _pricing(
    session: AsyncSession,
    order: Order,
    lines: Sequence[OrderEditLine],
    *,
    staged_discounts: bool = True,
    rate: tuple[Decimal, str | None] | None = None,
) -> _Pricing:
    """The order priced with the edit's lines; ``rate`` when the caller has it at hand."""
    applications = await orders.discount_applications_of(session, [order.id])
    shipping = await orders.shipping_lines_of(session, [order.id])
    if rate is None:
        rate = await _tax_rate(session, order)
    return _price(order, lines, applications, shipping, rate, staged_discounts=staged_discounts)


async def _tax_rate(session: AsyncSession, order: Order) -> tuple[Decimal, str | None]:
    return tax_rate_of(await orders.lines_of(session, [order.id]))


def tax_rate_of(lines: Sequence[OrderLine]) -> tuple[Decimal, str | None]:
    """The rate an order's lines were taxed at (every line of an order carries the same
    one) and its title; 0 when none was taxed."""
    for line in lines:
        if line.tax_rate:
            return line.tax_rate, line.tax_title
    return Decimal(0), None


def _price(
    order: Order,
    lines: Sequence[OrderEditLine],
    applications: Sequence[DiscountApplication],
    shipping: Sequence[ShippingLine],
    rate: tuple[Decimal, str | None],
    *,
    staged_discounts: bool = True,
) -> _Pricing:
    index_of = {line.order_line_id: i for i, line in enumerate(lines) if line.order_line_id}
    discounts: list[DiscountToApply] = []
    mapped: list[tuple[DiscountApplication, int | None]] = []
    for application in sorted(applications, key=lambda a: a.position):
        if application.line_id is not None and application.line_id not in index_of:
            mapped.append((application, None))
            continue
        target = index_of[application.line_id] if application.line_id is not None else None
        mapped.append((application, len(discounts)))
        discounts.append(DiscountToApply(application.value_type, application.value, target))
    staged: dict[int, int] = {}
    for index, line in enumerate(lines):
        if not staged_discounts:
            break  # a committed edit's discounts are the order's own now
        if line.discount_value_type is not None and line.discount_value is not None:
            staged[index] = len(discounts)
            discounts.append(DiscountToApply(line.discount_value_type, line.discount_value, index))
    priced = price_order(
        [LineToPrice(line.unit_price, line.quantity) for line in lines],
        discounts,
        [line.price for line in shipping],
        tax_rate=rate[0],
        taxes_included=order.taxes_included,
        minor_units=MINOR_UNITS[order.currency_code],
    )
    return _Pricing(priced, mapped, staged)


def _check_staged_discounts(lines: Sequence[OrderEditLine], pricing: _Pricing) -> None:
    """A fixed discount bigger than what its line has left is refused, not silently cut."""
    for index, discount_index in pricing.edit_discounts.items():
        line = lines[index]
        taken = pricing.priced.discount_amounts[discount_index]
        if line.discount_value_type is DiscountValueType.FIXED_AMOUNT and taken != (
            line.discount_value
        ):
            raise DomainError.single(
                "OUT_OF_RANGE",
                f"the discount is more than the {taken} left to discount on {line.title}",
                ("discount", "value"),
            )


async def view(session: AsyncSession, edit: OrderEdit, order: Order | None = None) -> EditView:
    order = order or await orders.get(session, edit.order_id)
    assert order is not None
    lines = await edits.lines_of(session, [edit.id])
    pricing = await _pricing(
        session, order, lines, staged_discounts=edit.status is OrderEditStatus.OPEN
    )
    return EditView(edit, order, lines, pricing.priced)


async def views(session: AsyncSession, edit_ids: Sequence[int]) -> list[EditView | None]:
    """Sessions by id, priced (for ``node``); missing ones are None. A fixed number of
    queries however many sessions are asked for."""
    found = {edit.id: edit for edit in await edits.get_many(session, edit_ids)}
    order_ids = sorted({edit.order_id for edit in found.values()})
    order_of = {order.id: order for order in await orders.get_many(session, order_ids)}
    lines_of: dict[int, list[OrderEditLine]] = defaultdict(list)
    for line in await edits.lines_of(session, list(found)):
        lines_of[line.edit_id].append(line)
    applications: dict[int, list[DiscountApplication]] = defaultdict(list)
    for application in await orders.discount_applications_of(session, order_ids):
        applications[application.order_id].append(application)
    shipping: dict[int, list[ShippingLine]] = defaultdict(list)
    for shipping_line in await orders.shipping_lines_of(session, order_ids):
        shipping[shipping_line.order_id].append(shipping_line)
    order_lines: dict[int, list[OrderLine]] = defaultdict(list)
    for order_line in await orders.lines_of(session, order_ids):
        order_lines[order_line.order_id].append(order_line)

    def priced(edit: OrderEdit) -> EditView:
        order, lines = order_of[edit.order_id], lines_of[edit.id]
        pricing = _price(
            order,
            lines,
            applications[order.id],
            shipping[order.id],
            tax_rate_of(order_lines[order.id]),
            staged_discounts=edit.status is OrderEditStatus.OPEN,
        )
        return EditView(edit, order, lines, pricing.priced)

    return [priced(found[i]) if i in found else None for i in edit_ids]


# --- staging ------------------------------------------------------------------------------


def _refuse_state(order: Order, path: Sequence[str]) -> None:
    if order.status is OrderStatus.CANCELLED:
        raise DomainError.single("INVALID_STATE", "a cancelled order can't be edited", path)
    if order.status is OrderStatus.CLOSED:
        raise DomainError.single(
            "INVALID_STATE", "a closed order can't be edited; reopen it first", path
        )


async def begin(
    session: AsyncSession,
    *,
    order_id: int,
    expected_version: int | None = None,
) -> EditView:
    """Start editing an open order: a session with the lines still ordered; the order
    itself does not change."""
    order = await order_service.locked(session, order_id, expected_version=expected_version)
    _refuse_state(order, ("id",))
    now = utcnow()
    edit = OrderEdit(
        order_id=order.id,
        status=OrderEditStatus.OPEN,
        base_version=order.version,
        expires_at=now + EDIT_TTL,
        actor=current_actor(),
        created_at=now,
        updated_at=now,
    )
    session.add(edit)
    await session.flush()
    session.add_all(
        OrderEditLine(
            edit_id=edit.id,
            position=line.position,
            order_line_id=line.id,
            item_id=line.item_id,
            sku=line.sku,
            title=line.title,
            unit_price=line.original_unit_price,
            # Refunded units are no longer billed: the edit sees the units still billed.
            original_quantity=line.current_quantity - line.refunded_quantity,
            fulfilled_quantity=line.fulfilled_quantity - line.refunded_quantity,
            quantity=line.current_quantity - line.refunded_quantity,
            restock=True,
        )
        for line in await orders.lines_of(session, [order.id])
        if line.current_quantity - line.refunded_quantity > 0
    )
    await session.flush()
    return await view(session, edit, order)


async def _open_edit(session: AsyncSession, edit_id: int) -> tuple[OrderEdit, Order]:
    """The session (locked) and its order: NOT_FOUND when the caller may not see it,
    ALREADY_COMMITTED, EXPIRED, or INVALID_STATE when the order was cancelled meanwhile."""
    edit = await edits.get(session, edit_id, for_update=True)
    order = await orders.get(session, edit.order_id) if edit is not None else None
    if edit is None or order is None:
        raise DomainError.single("NOT_FOUND", "order edit not found", ("id",))
    status = status_of(edit)
    if status == OrderEditStatus.COMMITTED.value:
        raise DomainError.single(
            "ALREADY_COMMITTED", "this edit was committed; begin a new one", ("id",)
        )
    if status == EXPIRED:
        raise DomainError.single("EXPIRED", "this edit expired; begin a new one", ("id",))
    _refuse_state(order, ("id",))
    return edit, order


def _touch(edit: OrderEdit) -> None:
    edit.updated_at = utcnow()
    edit.expires_at = edit.updated_at + EDIT_TTL


async def add_variant(
    session: AsyncSession,
    *,
    edit_id: int,
    sku: str,
    quantity: int,
) -> EditView:
    """Stage units of an item at its catalog price (a line the edit adds; adding the same
    item again adds to that line)."""
    edit, order = await _open_edit(session, edit_id)
    problems: list[Problem] = []
    if not 0 < quantity <= QUANTITY_MAX:
        problems.append(
            Problem(
                "INVALID_QUANTITY", f"quantity must be between 1 and {QUANTITY_MAX}", ("quantity",)
            )
        )
    item = (await inventory.items_by_sku(session, [sku])).get(sku)
    if item is None:
        problems.append(Problem("NOT_FOUND", f"no inventory item has SKU {sku!r}", ("sku",)))
    elif item.unit_price is None:
        problems.append(Problem("INVALID_PRICE", f"{sku} has no catalog price", ("sku",)))
    elif item.currency_code != order.currency_code:
        problems.append(
            Problem(
                "CURRENCY_MISMATCH",
                f"{sku} is priced in {item.currency_code}, the order is in {order.currency_code}",
                ("sku",),
            )
        )
    if problems:
        raise DomainError(problems)
    assert item is not None
    assert item.unit_price is not None
    lines = await edits.lines_of(session, [edit.id])
    added = next(
        (line for line in lines if line.order_line_id is None and line.item_id == item.id), None
    )
    if added is not None:
        if added.quantity + quantity > QUANTITY_MAX:
            raise DomainError.single("INVALID_QUANTITY", "too many units", ("quantity",))
        added.quantity += quantity
    else:
        session.add(
            OrderEditLine(
                edit_id=edit.id,
                position=max((line.position for line in lines), default=-1) + 1,
                order_line_id=None,
                item_id=item.id,
                sku=item.sku,
                title=item.title,
                unit_price=item.unit_price,
                original_quantity=0,
                fulfilled_quantity=0,
                quantity=quantity,
                restock=True,
            )
        )
    _touch(edit)
    await session.flush()
    return await view(session, edit, order)


async def _line(session: AsyncSession, edit: OrderEdit, line_id: int) -> OrderEditLine:
    (line,) = await edits.lines_by_id(session, [line_id]) or (None,)
    if line is None or line.edit_id != edit.id:
        raise DomainError.single("NOT_FOUND", "no such line in this edit", ("lineItemId",))
    return line


async def set_quantity(
    session: AsyncSession,
    *,
    edit_id: int,
    line_id: int,
    quantity: int,
    restock: bool = True,
) -> EditView:
    """Stage a line's new quantity: never below what was fulfilled; 0 removes an added
    line; ``restock`` says whether units taken off go back to available."""
    edit, order = await _open_edit(session, edit_id)
    line = await _line(session, edit, line_id)
    if not 0 <= quantity <= QUANTITY_MAX:
        raise DomainError.single(
            "INVALID_QUANTITY", f"quantity must be between 0 and {QUANTITY_MAX}", ("quantity",)
        )
    if quantity < line.fulfilled_quantity:
        raise DomainError.single(
            "QUANTITY_BELOW_FULFILLED",
            f"{line.fulfilled_quantity} units of {line.title} were fulfilled: the quantity "
            f"can't go below {line.fulfilled_quantity} (a return takes fulfilled units back)",
            ("quantity",),
        )
    if line.order_line_id is None and quantity == 0:
        await edits.remove_line(session, line.id)
    else:
        line.quantity = quantity
        line.restock = restock
    _touch(edit)
    await session.flush()
    return await view(session, edit, order)


async def add_line_discount(
    session: AsyncSession,
    *,
    edit_id: int,
    line_id: int,
    discount: NewDiscount,
) -> EditView:
    """Stage a discount on one line (it applies after the order's own line discounts, then
    the order's discounts apply to what is left); a second one replaces the first."""
    edit, order = await _open_edit(session, edit_id)
    line = await _line(session, edit, line_id)
    problems: list[Problem] = []
    title = (discount.title or "").strip() or None
    if title is not None and len(title) > TEXT_MAX:
        problems.append(
            Problem("TOO_LONG", f"at most {TEXT_MAX} characters", ("discount", "title"))
        )
    path = ("discount", "value")
    if discount.value_type is DiscountValueType.PERCENTAGE:
        exponent = discount.value.as_tuple().exponent
        if (
            not discount.value.is_finite()
            or not isinstance(exponent, int)
            or exponent < -2
            or not Decimal(0) < discount.value <= PERCENT_MAX
        ):
            problems.append(
                Problem(
                    "OUT_OF_RANGE",
                    "a percentage is more than 0 and at most 100, with at most 2 decimals",
                    path,
                )
            )
    else:
        problem = amount_problem(
            discount.value, order.currency_code, path, code="OUT_OF_RANGE", positive=True
        )
        if problem is not None:
            problems.append(problem)
    if problems:
        raise DomainError(problems)
    line.discount_title = title or DEFAULT_DISCOUNT_TITLE
    line.discount_value_type = discount.value_type
    line.discount_value = discount.value
    _touch(edit)
    await session.flush()
    lines = await edits.lines_of(session, [edit.id])
    _check_staged_discounts(lines, await _pricing(session, order, lines))
    return await view(session, edit, order)


# --- committing ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Change:
    line: OrderLine
    staged: OrderEditLine
    before: int
    after: int


async def commit(
    session: AsyncSession,
    *,
    edit_id: int,
    notify_customer: bool = False,
    staff_note: str | None = None,
    expected_version: int | None = None,
) -> tuple[Order, MailMessage | None]:
    """Apply the staged changes to the order, all or nothing; the mail to the buyer (with
    ``notify_customer``), to send after the commit."""
    note = (staff_note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise DomainError.single("TOO_LONG", f"at most {NOTE_MAX} characters", ("staffNote",))
    found = await edits.get(session, edit_id)
    if found is None:
        raise DomainError.single("NOT_FOUND", "order edit not found", ("id",))
    # The order first, as every order mutation locks it, then the session.
    order = await order_service.locked(session, found.order_id, expected_version=expected_version)
    edit, _ = await _open_edit(session, edit_id)
    if order.version != edit.base_version:
        raise DomainError.single(
            "STALE",
            f"the order changed since this edit began (version {edit.base_version}, now "
            f"{order.version}); begin a new edit",
            ("id",),
        )
    before = Statuses.of(order)
    total_before = order.total_price
    staged = await edits.lines_of(session, [edit.id])
    current = {line.id: line for line in await orders.lines_of(session, [order.id])}
    changes: list[_Change] = []
    for line in staged:
        if line.order_line_id is None:
            continue
        ordered = current[line.order_line_id]
        billed = ordered.current_quantity - ordered.refunded_quantity
        if line.quantity < ordered.fulfilled_quantity - ordered.refunded_quantity:
            raise DomainError.single(
                "QUANTITY_BELOW_FULFILLED",
                f"{ordered.fulfilled_quantity - ordered.refunded_quantity} units of "
                f"{ordered.title} are fulfilled now: the quantity can't go below that",
                ("id",),
            )
        changes.append(_Change(ordered, line, billed, line.quantity))
    added = [line for line in staged if line.order_line_id is None and line.quantity > 0]
    discounted = [line for line in staged if line.discount_value_type is not None]
    if not added and not discounted and all(c.before == c.after for c in changes):
        raise DomainError.single("NO_CHANGES", "the edit changes nothing yet", ("id",))

    await _take_off(session, order, [c for c in changes if c.after < c.before])
    # Lines grow or are added; their new units are routed and committed like an order's.
    position = max((line.position for line in current.values()), default=-1)
    tax_rate, tax_title = rate = tax_rate_of(list(current.values()))
    for line in added:
        position += 1
        ordered = OrderLine(
            order_id=order.id,
            position=position,
            item_id=line.item_id,
            sku=line.sku,
            title=line.title,
            quantity=line.quantity,
            current_quantity=0,
            fulfilled_quantity=0,
            original_unit_price=line.unit_price,
            total_discount=Decimal(0),
            discounted_total=Decimal(0),
            tax_amount=Decimal(0),
            tax_rate=tax_rate,
            tax_title=tax_title,
        )
        session.add(ordered)
        changes.append(_Change(ordered, line, 0, line.quantity))
    await session.flush()
    for change in changes:
        # The session's added lines now edit the order lines they became.
        change.staged.order_line_id = change.line.id
    growing = [c for c in changes if c.after > c.before]
    for change in changes:
        change.line.current_quantity = change.after + change.line.refunded_quantity
        change.line.quantity = max(change.line.quantity, change.line.current_quantity)
    await session.flush()
    if growing:
        await place(session, order, [(c.line, c.after - c.before) for c in growing])

    # The order priced again as a whole, with the edit's line discounts.
    pricing = await _pricing(session, order, staged, rate=rate)
    _check_staged_discounts(staged, pricing)
    await _store_prices(session, order, staged, pricing, {c.staged.id: c.line for c in changes})
    priced = pricing.priced
    order.subtotal_price = priced.subtotal
    order.total_discounts = priced.total_discounts
    order.total_shipping = priced.total_shipping
    order.total_tax = priced.total_tax
    order.total_price = priced.total
    await payments.settle(session, order)
    edit.status = OrderEditStatus.COMMITTED
    edit.committed_at = edit.updated_at = utcnow()
    outstanding = payments.outstanding(order).quantize(quantum(MINOR_UNITS[order.currency_code]))
    await record_order_event(
        session,
        EventType.ORDER_EDITED,
        order,
        {
            "calculatedOrderId": encode_gid("CalculatedOrder", edit.id),
            "changes": [
                {
                    "lineItemId": encode_gid("LineItem", c.line.id),
                    "sku": c.line.sku,
                    "title": c.line.title,
                    "added": c.staged.original_quantity == 0,
                    "quantityBefore": c.before,
                    "quantityAfter": c.after,
                    "restock": c.staged.restock if c.after < c.before else None,
                    "discount": (
                        {
                            "title": c.staged.discount_title,
                            "valueType": c.staged.discount_value_type.value,
                            "value": str(c.staged.discount_value),
                        }
                        if c.staged.discount_value_type is not None
                        else None
                    ),
                }
                for c in changes
                if c.before != c.after or c.staged.discount_value_type is not None
            ],
            "totalPriceBefore": _amount(order, total_before),
            "totalPrice": _amount(order, order.total_price),
            "totalOutstanding": _amount(order, outstanding),
            "currencyCode": order.currency_code,
            "staffNote": note,
            "notifyCustomer": notify_customer,
        },
    )
    await work.refresh_order(session, order, before)
    message = None
    if notify_customer and order.email:
        owed = (
            f"Balance due: {outstanding} {order.currency_code}."
            if outstanding > 0
            else f"We owe you a refund of {-outstanding} {order.currency_code}."
            if outstanding < 0
            else "Nothing is due."
        )
        message = MailMessage(
            to=order.email,
            subject=f"Your order {order.name} was updated",
            text=f"Your order {order.name} now totals {_amount(order, order.total_price)} "
            f"{order.currency_code}. {owed}\n",
        )
    return order, message


def _amount(order: Order, amount: Decimal) -> str:
    return str(amount.quantize(quantum(MINOR_UNITS[order.currency_code])))


async def _take_off(session: AsyncSession, order: Order, shrinking: Sequence[_Change]) -> None:
    await take_off(
        session,
        order,
        [Removal(c.line, c.before - c.after, restock=c.staged.restock) for c in shrinking],
    )


@dataclass(frozen=True, slots=True)
class Removal:
    """Unfulfilled units of one line leaving the order (an edit, a refund of type CANCEL
    or NO_RESTOCK); with ``location_id``, only the work at that location gives them up."""

    line: OrderLine
    units: int
    restock: bool
    location_id: int | None = None
    field: tuple[str, ...] = ()
    """The input that asked for this removal (a refund's line), where a refusal points."""


async def take_off(
    session: AsyncSession, order: Order, removals: Sequence[Removal]
) -> dict[int, int]:
    """Units taken off lines leave the work not yet fulfilled: units assigned nowhere
    first, then the open fulfillment orders' (newest first); their committed stock goes
    back to available with ``restock``, else it is written off ``on_hand`` too. The
    caller lowers the lines' ``current_quantity``. Returns, per line, the location the
    first units came off."""
    if not removals:
        return {}
    work_orders = {fo.id: fo for fo in await orders.fulfillment_orders_of(session, [order.id])}
    fo_lines = await orders.fulfillment_order_lines_of(session, list(work_orders))
    open_lines = sorted(
        (
            line
            for line in fo_lines
            if line.remaining_quantity > 0
            and work_orders[line.fulfillment_order_id].status in _OPEN_WORK
        ),
        key=lambda line: -line.id,
    )
    levels = await inventory.lock_levels(
        session, [line.level_id for line in open_lines if line.level_id is not None]
    )
    written_off: dict[int, int] = {}
    restocked: list[StockChange] = []
    lost: list[StockChange] = []
    touched: set[int] = set()
    came_off: dict[int, int] = {}
    # Units earlier removals of the same line took (a refund may name a line twice): the
    # caller lowers ``current_quantity`` only afterwards.
    removed: dict[int, int] = defaultdict(int)
    for change in removals:
        units = change.units
        mine = [line for line in open_lines if line.order_line_id == change.line.id]
        unfulfilled = (
            change.line.current_quantity - change.line.fulfilled_quantity - removed[change.line.id]
        )
        removed[change.line.id] += units
        assigned = sum(line.remaining_quantity for line in mine)
        units -= min(units, max(unfulfilled - assigned, 0))
        if change.location_id is not None:
            mine = [
                line
                for line in mine
                if work_orders[line.fulfillment_order_id].location_id == change.location_id
            ]
            if sum(line.remaining_quantity for line in mine) < units:
                raise DomainError.single(
                    "INSUFFICIENT_QUANTITY",
                    f"fewer than {units} unfulfilled units of {change.line.title} are "
                    "assigned to that location",
                    (*change.field, "locationId"),
                )
        for line in mine:
            if units == 0:
                break
            work_order = work_orders[line.fulfillment_order_id]
            if work_order.request_status in _AT_THE_SERVICE:
                raise DomainError.single(
                    "INVALID_STATE",
                    f"units of {change.line.title} are with the fulfillment service; ask it "
                    "to cancel that work first",
                    ("id",),
                )
            taken = min(units, line.remaining_quantity)
            units -= taken
            line.remaining_quantity -= taken
            line.total_quantity -= taken
            touched.add(work_order.id)
            came_off.setdefault(change.line.id, work_order.location_id)
            if line.level_id is None:
                continue
            if change.restock:
                restocked.append(StockChange(line.level_id, {"committed": -taken}))
            else:
                on_hand = levels[line.level_id].quantities["on_hand"] - written_off.get(
                    line.level_id, 0
                )
                gone = min(taken, max(on_hand, 0))
                written_off[line.level_id] = written_off.get(line.level_id, 0) + gone
                deltas = {"committed": -taken} | ({"on_hand": -gone} if gone else {})
                lost.append(StockChange(line.level_id, deltas))
    for changes, reason in ((restocked, InventoryReason.RESTOCK), (lost, InventoryReason.ORDER)):
        if changes:
            await change_stock(
                session,
                changes,
                reason=reason,
                reference_document_uri=encode_gid("Order", order.id),
                release_expired=False,
            )
    now = utcnow()
    for work_order_id in sorted(touched):
        work_order = work_orders[work_order_id]
        mine = [line for line in fo_lines if line.fulfillment_order_id == work_order_id]
        if all(line.remaining_quantity == 0 for line in mine):
            # Nothing left to do there: done if some of it shipped, else called off.
            shipped = any(line.total_quantity > 0 for line in mine)
            work_order.status = (
                FulfillmentOrderStatus.CLOSED if shipped else FulfillmentOrderStatus.CANCELLED
            )
            work_order.held_from = None
            await fulfillment_repository.release_holds(session, work_order.id, now)
        work.touch(work_order, now)
    return came_off


async def place(
    session: AsyncSession, order: Order, growing: Sequence[tuple[OrderLine, int]]
) -> None:
    """Route the added units (line, units added), commit their stock and put them in an
    open, unsubmitted fulfillment order at each chosen location (a new one where there is
    none). The lines' ``current_quantity`` already counts the units."""
    channel = await orders.channel_of(session, order)
    pickup = (
        await locations.get(session, order.pickup_location_id)
        if order.pickup_location_id is not None
        else None
    )
    skus = [line.sku for line, _ in growing if line.sku is not None]
    items = {item.id: item for item in (await inventory.items_by_sku(session, skus)).values()}
    try:
        placed = await placement.route_and_commit(
            session,
            order=order,
            lines=[line for line, _ in growing],
            quantities=[units for _, units in growing],
            items=items,
            channel=channel,
            pickup=pickup,
        )
    except DomainError as error:
        raise DomainError(
            [
                Problem(
                    p.code,
                    f"{growing[int(p.field[2])][0].title}: {p.message}"
                    if len(p.field) > 2 and p.field[2].isdigit()
                    else p.message,
                    ("id",),
                )
                for p in error.problems
            ]
        ) from error
    work_orders = await orders.fulfillment_orders_of(session, [order.id])
    fo_lines = await orders.fulfillment_order_lines_of(session, [fo.id for fo in work_orders])
    now = utcnow()
    for assignment in placed.plan.decision.assignments:
        target = next(
            (
                fo
                for fo in work_orders
                if fo.location_id == assignment.location_id
                and fo.status is FulfillmentOrderStatus.OPEN
                and fo.request_status is FulfillmentOrderRequestStatus.UNSUBMITTED
            ),
            None,
        )
        created = target is None
        if target is None:
            target = placement.open_fulfillment_order(
                order, assignment.location_id, placed.decision_id
            )
            session.add(target)
            await session.flush()
            work_orders.append(target)
        else:
            work.touch(target, now)
        for index in assignment.line_indexes:
            (ordered, units), level_id = growing[index], placed.levels.get(index)
            existing = next(
                (
                    line
                    for line in fo_lines
                    if line.fulfillment_order_id == target.id
                    and line.order_line_id == ordered.id
                    and line.level_id == level_id
                ),
                None,
            )
            if existing is not None:
                existing.total_quantity += units
                existing.remaining_quantity += units
            else:
                fo_line = FulfillmentOrderLine(
                    fulfillment_order_id=target.id,
                    order_line_id=ordered.id,
                    level_id=level_id,
                    total_quantity=units,
                    remaining_quantity=units,
                )
                session.add(fo_line)
                fo_lines.append(fo_line)
        if created:
            await _announce_new_work(
                session, order, target, channel.handle, assignment.line_indexes, growing
            )
    await session.flush()


async def _announce_new_work(
    session: AsyncSession,
    order: Order,
    work_order: FulfillmentOrder,
    channel: str,
    indexes: Sequence[int],
    growing: Sequence[tuple[OrderLine, int]],
) -> None:
    await record_event(
        session,
        EventType.FULFILLMENT_ORDER_CREATED,
        GlobalId("FulfillmentOrder", work_order.id),
        {
            "orderId": encode_gid("Order", order.id),
            "locationId": encode_gid("Location", work_order.location_id),
            "lineItems": [{"sku": growing[i][0].sku, "quantity": growing[i][1]} for i in indexes],
        },
        channel=channel,
    )


async def _store_prices(
    session: AsyncSession,
    order: Order,
    staged: Sequence[OrderEditLine],
    pricing: _Pricing,
    ordered: dict[int, OrderLine],
) -> None:
    """Lines, discount amounts and allocations as priced after the edit."""
    line_of = [
        ordered.get(line.id) or await _order_line(session, line.order_line_id) for line in staged
    ]
    priced = pricing.priced
    for line, priced_line in zip(line_of, priced.lines, strict=True):
        line.total_discount = priced_line.total_discount
        line.discounted_total = priced_line.discounted_total
        line.tax_amount = priced_line.tax
    applications: dict[int, DiscountApplication] = {}
    for application, index in pricing.applications:
        application.amount = priced.discount_amounts[index] if index is not None else Decimal(0)
        if index is not None:
            applications[index] = application
    position = max((a.position for a, _ in pricing.applications), default=-1)
    for line_index, discount_index in pricing.edit_discounts.items():
        position += 1
        edit_line = staged[line_index]
        assert edit_line.discount_value_type is not None
        assert edit_line.discount_value is not None
        application = DiscountApplication(
            order_id=order.id,
            position=position,
            title=edit_line.discount_title or DEFAULT_DISCOUNT_TITLE,
            value_type=edit_line.discount_value_type,
            value=edit_line.discount_value,
            line_id=line_of[line_index].id,
            amount=priced.discount_amounts[discount_index],
        )
        session.add(application)
        applications[discount_index] = application
    await session.flush()
    every_line = await orders.lines_of(session, [order.id])
    await edits.delete_allocations(session, [line.id for line in every_line])
    await orders.add_discount_allocations(
        session,
        [
            (applications[index].id, line.id, amount)
            for line, priced_line in zip(line_of, priced.lines, strict=True)
            for index, amount in priced_line.allocations.items()
        ],
    )


async def _order_line(session: AsyncSession, line_id: int | None) -> OrderLine:
    assert line_id is not None
    (line,) = await orders.order_lines_by_id(session, [line_id])
    return line
