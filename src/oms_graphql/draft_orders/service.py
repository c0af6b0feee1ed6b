"""Rules for draft orders: priced exactly like orders (``orders.create.quote``), holding
stock through a reservation while open, invoiced by a link, and completed into an order
through ``orders.create.create_order``, the code path of ``orderCreate`` itself.

Each function takes the session first and raises ``DomainError``; the draft is locked
before it changes, ``expectedVersion`` is checked, and every change steps ``version``.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.addresses import ADDRESS_FIELDS, AddressInput
from oms_graphql.currencies import MINOR_UNITS
from oms_graphql.customers import repository as customers
from oms_graphql.customers import service as customer_service
from oms_graphql.db import utcnow
from oms_graphql.draft_orders import repository
from oms_graphql.errors import DomainError, Problem
from oms_graphql.events import EventType, record_event
from oms_graphql.fulfillment import planning
from oms_graphql.ids import GlobalId, encode_gid
from oms_graphql.inventory import reservation_repository as holds
from oms_graphql.inventory import reservations
from oms_graphql.inventory.reservations import MAX_TTL_SECONDS, HoldLine, effective_status
from oms_graphql.mail import MailMessage
from oms_graphql.models import (
    DiscountValueType,
    DraftOrder,
    DraftOrderLine,
    DraftOrderStatus,
    FinancialStatus,
    ReservationStatus,
)
from oms_graphql.orders import create
from oms_graphql.orders.inputs import (
    NOTE_MAX,
    CustomerRef,
    NewDiscount,
    NewLine,
    NewOrder,
    NewShippingLine,
)
from oms_graphql.orders.pricing import quantum
from oms_graphql.routing import Destination
from oms_graphql.tags import normalize_tags
from oms_graphql.unset import UNSET, Unset
from oms_graphql.versions import check_expected_version

INVOICE_PATH = "/invoices/"


@dataclass(frozen=True, slots=True)
class DraftInput:
    """A whole draft as given (create, calculate) or as stored with changes applied."""

    channel: str | None
    lines: Sequence[NewLine] = ()
    email: str | None = None
    customer: CustomerRef | None = None
    shipping_address: AddressInput | None = None
    shipping_line: NewShippingLine | None = None
    discounts: Sequence[NewDiscount] = ()
    currency_code: str | None = None
    tags: Sequence[str] = ()
    note: str | None = None
    reserve_inventory_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class DraftChanges:
    """draftOrderUpdate's input: ``UNSET`` keeps a field, ``None`` clears it; lists given
    replace the stored ones."""

    channel: str | Unset = UNSET
    lines: Sequence[NewLine] | Unset = UNSET
    email: str | Unset | None = UNSET
    customer: CustomerRef | Unset | None = UNSET
    shipping_address: AddressInput | Unset | None = UNSET
    shipping_line: NewShippingLine | Unset | None = UNSET
    discounts: Sequence[NewDiscount] | Unset | None = UNSET
    currency_code: str | Unset | None = UNSET
    tags: Sequence[str] | Unset | None = UNSET
    note: str | Unset | None = UNSET
    reserve_inventory_until: datetime | Unset | None = UNSET

    def given(self) -> list[str]:
        """The API names of the fields given."""
        names = {
            "channel": "channel",
            "lines": "lineItems",
            "email": "email",
            "customer": "customer",
            "shipping_address": "shippingAddress",
            "shipping_line": "shippingLine",
            "discounts": "discounts",
            "currency_code": "currencyCode",
            "tags": "tags",
            "note": "note",
            "reserve_inventory_until": "reserveInventoryUntil",
        }
        return sorted(api for name, api in names.items() if getattr(self, name) is not UNSET)


@dataclass(frozen=True, slots=True)
class DraftQuote:
    """A draft checked and priced (``draftOrderCalculate``); nothing written."""

    given: DraftInput
    quote: create.Quote
    email: str | None


# --- checking and pricing -----------------------------------------------------------------


def _moved(problem: Problem) -> Problem:
    """Paths of the order input that the draft input names differently."""
    path = problem.field
    if path[:3] == ("input", "shippingLines", "0"):
        return replace(problem, field=("input", "shippingLine", *path[3:]))
    if path[:2] == ("input", "financialStatus"):
        return replace(problem, field=("id",))
    return problem


def _on_the_draft(problem: Problem) -> Problem:
    """A problem ``orderCreate`` found with the draft's order, on draftOrderComplete's
    ``id`` argument, naming the draft's field (``shippingAddress: ...``)."""
    moved = _moved(problem)
    named = ".".join(moved.field[1:]) if moved.field[:1] == ("input",) else ""
    message = f"{named}: {moved.message}" if named else moved.message
    return Problem(moved.code, message, ("id",))


def _email(given: DraftInput, problems: list[Problem]) -> str | None:
    """The draft's email: ``email``, else the customer's; both must agree."""
    email = None
    if given.email is not None and given.email.strip():
        email = customer_service.normalize_email(given.email)
        if email is None:
            problems.append(
                Problem("INVALID", f"{given.email!r} is not an email address", ("input", "email"))
            )
    if given.customer is not None:
        theirs = customer_service.normalize_email(given.customer.email)
        if email is not None and theirs is not None and theirs != email:
            problems.append(
                Problem(
                    "INVALID",
                    "email and customer.email differ; give one of them",
                    ("input", "email"),
                )
            )
        email = email or theirs
    return email


def _new_order(
    given: DraftInput,
    email: str | None,
    *,
    financial_status: FinancialStatus = FinancialStatus.PENDING,
    reservation_id: int | None = None,
) -> NewOrder:
    customer = None
    if email is not None:
        names = given.customer
        customer = CustomerRef(
            email,
            names.first_name if names else None,
            names.last_name if names else None,
        )
    elif given.customer is not None:
        customer = given.customer  # invalid: quote reports it on input.customer.email
    return NewOrder(
        channel=given.channel or "",
        lines=given.lines,
        customer=customer,
        shipping_address=given.shipping_address,
        shipping_lines=[given.shipping_line] if given.shipping_line else [],
        discounts=given.discounts,
        currency_code=given.currency_code,
        financial_status=financial_status,
        tags=given.tags,
        note=given.note,
        reservation_id=reservation_id,
    )


def _check_until(until: datetime | None, problems: list[Problem]) -> None:
    if until is None:
        return
    path = ("input", "reserveInventoryUntil")
    now = utcnow()
    if until.tzinfo is None:
        problems.append(Problem("INVALID", "give a UTC offset, e.g. Z", path))
    elif not now < until <= now + timedelta(seconds=MAX_TTL_SECONDS):
        problems.append(
            Problem(
                "OUT_OF_RANGE",
                f"reserveInventoryUntil must be in the future and at most "
                f"{MAX_TTL_SECONDS // 86400} days ahead",
                path,
            )
        )


async def calculate(session: AsyncSession, *, given: DraftInput) -> DraftQuote:
    """Check and price a draft as ``orderCreate`` would price the order; writes nothing."""
    problems: list[Problem] = []
    if not (given.channel or "").strip():
        problems.append(Problem("BLANK", "give the channel's handle", ("input", "channel")))
    email = _email(given, problems)
    _check_until(given.reserve_inventory_until, problems)
    note = (given.note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        problems.append(Problem("TOO_LONG", f"at most {NOTE_MAX} characters", ("input", "note")))
    quoted = None
    try:
        quoted = await create.quote(
            session,
            given=_new_order(given, email),
            require_address=False,
        )
    except DomainError as error:
        known = {(p.code, p.field) for p in problems}
        problems += [
            moved
            for moved in map(_moved, error.problems)
            if (moved.code, moved.field) not in known
            and not (moved.field == ("input", "channel") and not given.channel)
        ]
    if problems:
        raise DomainError(problems)
    assert quoted is not None
    return DraftQuote(given, quoted, email)


# --- reading and locking ------------------------------------------------------------------


async def locked(
    session: AsyncSession,
    draft_id: int,
    *,
    expected_version: int | None = None,
    path: Sequence[str] = ("id",),
) -> DraftOrder:
    """The draft, locked for this transaction; NOT_FOUND when it does not exist or the
    caller may not see it, STALE when it moved past ``expected_version``."""
    draft = await repository.get(session, draft_id, for_update=True)
    if draft is None:
        raise DomainError.single("NOT_FOUND", "draft order not found", path)
    check_expected_version(draft.version, expected_version)
    return draft


def _open(draft: DraftOrder, path: Sequence[str] = ("id",)) -> None:
    if draft.status is DraftOrderStatus.COMPLETED:
        raise DomainError.single(
            "INVALID_STATE", "the draft was completed into an order; it can't change", path
        )


async def stored_input(
    session: AsyncSession, draft: DraftOrder, *, pin_prices: bool = False
) -> DraftInput:
    """The draft as an input again (for updates, duplicates and completion): lines with
    a given price (and custom lines) keep it; with ``pin_prices`` every line keeps the unit
    price the draft shows (completion places the order at the draft's prices)."""
    lines = await repository.lines_of(session, [draft.id])
    tags = (await repository.tags_of(session, [draft.id])).get(draft.id, [])
    unit = quantum(MINOR_UNITS[draft.currency_code])
    address = {name: getattr(draft, f"shipping_{name}") for name in ADDRESS_FIELDS}
    has_names = draft.customer_first_name or draft.customer_last_name
    return DraftInput(
        channel=await repository.channel_handle(session, draft.channel_id),
        lines=[
            NewLine(
                line.sku,
                line.quantity,
                (
                    line.original_unit_price.quantize(unit)
                    if pin_prices or line.price_given or line.sku is None
                    else None
                ),
                line.title if line.sku is None else None,
            )
            for line in lines
        ],
        email=draft.email,
        customer=(
            CustomerRef(draft.email, draft.customer_first_name, draft.customer_last_name)
            if draft.email and has_names
            else None
        ),
        shipping_address=(
            AddressInput(**address) if any(v is not None for v in address.values()) else None
        ),
        shipping_line=(
            NewShippingLine(draft.shipping_line_title, draft.shipping_line_price.quantize(unit))
            if draft.shipping_line_title is not None and draft.shipping_line_price is not None
            else None
        ),
        discounts=[
            NewDiscount(
                DiscountValueType(d["valueType"]),
                Decimal(d["value"]),
                d.get("title"),
                d.get("lineItemIndex"),
            )
            for d in draft.discounts
        ],
        currency_code=draft.currency_code,
        tags=tags,
        note=draft.note,
        reserve_inventory_until=draft.reserve_inventory_until,
    )


def _merged(stored: DraftInput, changes: DraftChanges) -> DraftInput:
    def pick(name: str, empty: Any = None) -> Any:
        value = getattr(changes, name)
        if value is UNSET:
            return getattr(stored, name)
        return empty if value is None else value

    email, customer = pick("email"), pick("customer")
    if changes.customer is not UNSET and changes.email is UNSET:
        # A new customer brings their email with them.
        email = None
    elif changes.email is not UNSET and changes.customer is UNSET and customer is not None:
        # A new email for the same buyer (none: no buyer).
        customer = replace(customer, email=email) if email else None
    return DraftInput(
        channel=pick("channel"),
        lines=pick("lines", ()),
        email=email,
        customer=customer,
        shipping_address=pick("shipping_address"),
        shipping_line=pick("shipping_line"),
        discounts=pick("discounts", ()),
        currency_code=pick("currency_code"),
        tags=pick("tags", ()),
        note=pick("note"),
        reserve_inventory_until=pick("reserve_inventory_until"),
    )


# --- writing ------------------------------------------------------------------------------


async def _write(session: AsyncSession, draft: DraftOrder, quoted: DraftQuote) -> None:
    """Store a checked, priced draft on ``draft`` (new or existing): columns, lines, tags."""
    given, checked, priced = quoted.given, quoted.quote.checked, quoted.quote.priced
    problems: list[Problem] = []
    tags = normalize_tags(list(given.tags), ("input", "tags"), problems)
    if problems:
        raise DomainError(problems)
    first = given.customer.first_name if given.customer else None
    last = given.customer.last_name if given.customer else None
    customer = (
        await customers.get_by_email(session, quoted.email) if quoted.email is not None else None
    )
    address = checked.address or dict.fromkeys(ADDRESS_FIELDS)
    tax_rate = quoted.quote.tax_rate
    draft.channel_id = checked.channel.id
    draft.email = quoted.email
    draft.customer_id = customer.id if customer else None
    draft.customer_first_name = (first or "").strip() or None
    draft.customer_last_name = (last or "").strip() or None
    draft.customer_sort_name = (
        customer_service.sort_name(draft.customer_first_name, draft.customer_last_name)
        or quoted.email
    )
    draft.currency_code = checked.currency
    for name, value in address.items():
        setattr(draft, f"shipping_{name}", value)
    shipping = given.shipping_line
    draft.shipping_line_title = shipping.title.strip() if shipping else None
    draft.shipping_line_price = shipping.price if shipping else None
    draft.shipping_line_tax = priced.shipping_taxes[0] if shipping else None
    draft.discounts = [
        {
            "title": (d.title or "").strip() or create.DEFAULT_DISCOUNT_TITLE,
            "valueType": d.value_type.value,
            "value": str(d.value),
            "lineItemIndex": d.line_index,
            "amount": str(amount),
        }
        for d, amount in zip(given.discounts, priced.discount_amounts, strict=True)
    ]
    draft.note = checked.note
    draft.subtotal_price = priced.subtotal
    draft.total_discounts = priced.total_discounts
    draft.total_shipping = priced.total_shipping
    draft.total_tax = priced.total_tax
    draft.total_price = priced.total
    draft.reserve_inventory_until = given.reserve_inventory_until
    if draft.id is None:
        session.add(draft)
    await session.flush()
    await repository.replace_lines(
        session,
        draft.id,
        [
            DraftOrderLine(
                draft_order_id=draft.id,
                position=index,
                item_id=item.id if item else None,
                sku=item.sku if item else None,
                title=title,
                quantity=line.quantity,
                original_unit_price=price,
                price_given=line.original_unit_price is not None,
                total_discount=priced_line.total_discount,
                discounted_total=priced_line.discounted_total,
                tax_amount=priced_line.tax,
                tax_rate=tax_rate.rate if tax_rate else Decimal(0),
            )
            for index, (line, item, title, price, priced_line) in enumerate(
                zip(
                    given.lines,
                    checked.items,
                    checked.titles,
                    checked.unit_prices,
                    priced.lines,
                    strict=True,
                )
            )
        ],
    )
    await repository.set_tags(session, draft.id, tags)


async def _release_hold(session: AsyncSession, draft: DraftOrder) -> None:
    """Give back the units the draft holds (an expired hold gave them back already)."""
    if draft.reservation_id is None:
        return
    reservation = await holds.get(session, draft.reservation_id)
    if reservation is not None and effective_status(reservation) is ReservationStatus.ACTIVE:
        await reservations.release(session, reservation_id=reservation.id)
    draft.reservation_id = None


async def _take_hold(session: AsyncSession, draft: DraftOrder, quoted: DraftQuote) -> None:
    """Hold the tracked lines' units until ``reserveInventoryUntil`` (one reservation at
    one location, chosen as ``inventoryReserve`` chooses it)."""
    until = quoted.given.reserve_inventory_until
    if until is None:
        return
    indexes = [
        index
        for index, item in enumerate(quoted.quote.checked.items)
        if item is not None and item.tracked
    ]
    if not indexes:
        return
    lines = quoted.given.lines
    try:
        reservation = await reservations.reserve(
            session,
            lines=[HoldLine(lines[i].sku or "", lines[i].quantity) for i in indexes],
            location_id=await _hold_location(session, quoted, indexes),
            expires_in_seconds=max(1, math.ceil((until - utcnow()).total_seconds())),
            channel=quoted.given.channel,
        )
    except DomainError as error:

        def at_draft_line(problem: Problem) -> Problem:
            path = problem.field
            if path[:2] == ("input", "lineItems") and len(path) > 2 and path[2].isdigit():
                return replace(problem, field=(*path[:2], str(indexes[int(path[2])]), *path[3:]))
            if path[:2] == ("input", "expiresInSeconds"):
                return replace(problem, field=("input", "reserveInventoryUntil"))
            return problem

        raise DomainError([at_draft_line(p) for p in error.problems]) from error
    # The hold ends when the draft says, to the microsecond (reserve counts whole seconds).
    await holds.extend(session, reservation.id, until)
    draft.reservation_id = reservation.id


async def _hold_location(
    session: AsyncSession, quoted: DraftQuote, indexes: Sequence[int]
) -> int | None:
    """Where routing would send the held lines as one shipment to the draft's address (the
    order then ships from there); None without an address, or when no single location
    can (the hold then goes where ``inventoryReserve`` would put it)."""
    checked = quoted.quote.checked
    if not checked.address:
        return None
    demands = []
    for index in indexes:
        item = checked.items[index]
        assert item is not None
        demands.append(
            planning.demand(
                item=item,
                item_id=item.id,
                sku=item.sku,
                quantity=quoted.given.lines[index].quantity,
            )
        )
    address = checked.address
    plan = await planning.plan(
        session,
        demands,
        channel=checked.channel.handle,
        allow_split=False,
        where=planning.Where(
            destination=Destination(
                address.get("country_code"), address.get("latitude"), address.get("longitude")
            )
        ),
    )
    if plan.decision.unroutable or len(plan.decision.assignments) != 1:
        return None
    return plan.decision.assignments[0].location_id


def _touch(draft: DraftOrder) -> None:
    draft.version += 1
    draft.updated_at = utcnow()


async def _event(
    session: AsyncSession, type: EventType, draft: DraftOrder, data: dict[str, Any]
) -> None:
    await record_event(
        session,
        type,
        GlobalId("DraftOrder", draft.id),
        {"name": draft.name, **data},
        channel=await repository.channel_handle(session, draft.channel_id),
    )


async def _new_draft(session: AsyncSession, quoted: DraftQuote) -> DraftOrder:
    number = await repository.next_number(session)
    now = utcnow()
    draft = DraftOrder(
        number=number,
        name=f"#D{number}",
        status=DraftOrderStatus.OPEN,
        version=1,
        created_at=now,
        updated_at=now,
    )
    await _write(session, draft, quoted)
    await _take_hold(session, draft, quoted)
    return draft


def _summary(draft: DraftOrder) -> dict[str, Any]:
    return {
        "status": draft.status.value,
        "totalPrice": str(draft.total_price),
        "currencyCode": draft.currency_code,
        "reservationId": (
            encode_gid("Reservation", draft.reservation_id) if draft.reservation_id else None
        ),
    }


async def create_draft(session: AsyncSession, *, given: DraftInput) -> DraftOrder:
    quoted = await calculate(session, given=given)
    draft = await _new_draft(session, quoted)
    await _event(session, EventType.DRAFT_ORDER_CREATED, draft, _summary(draft))
    return draft


async def update_draft(
    session: AsyncSession,
    *,
    draft_id: int,
    given: DraftChanges,
    expected_version: int | None = None,
) -> DraftOrder:
    """Change what is given; the draft is priced again, and its hold taken again when the
    lines, the channel or ``reserveInventoryUntil`` changed."""
    draft = await locked(session, draft_id, expected_version=expected_version)
    _open(draft)
    changed = given.given()
    if not changed:
        return draft
    merged = _merged(await stored_input(session, draft), given)
    quoted = await calculate(session, given=merged)
    await _write(session, draft, quoted)
    if {"lineItems", "channel", "reserveInventoryUntil"} & set(changed):
        await _release_hold(session, draft)
        await _take_hold(session, draft, quoted)
    _touch(draft)
    await _event(
        session, EventType.DRAFT_ORDER_UPDATED, draft, {"changed": changed, **_summary(draft)}
    )
    return draft


async def duplicate(session: AsyncSession, *, draft_id: int) -> DraftOrder:
    """A new open draft with the same lines, customer, address, shipping, discounts, tags
    and note (no hold, no invoice), priced now."""
    original = await locked(session, draft_id)
    stored = replace(await stored_input(session, original), reserve_inventory_until=None)
    quoted = await calculate(session, given=stored)
    draft = await _new_draft(session, quoted)
    await _event(
        session,
        EventType.DRAFT_ORDER_CREATED,
        draft,
        {**_summary(draft), "duplicateOf": encode_gid("DraftOrder", original.id)},
    )
    return draft


async def delete_draft(
    session: AsyncSession,
    *,
    draft_id: int,
    expected_version: int | None = None,
) -> int:
    """Delete an open draft and give back the units it holds; its id."""
    draft = await locked(
        session,
        draft_id,
        expected_version=expected_version,
        path=("input", "id"),
    )
    _open(draft, ("input", "id"))
    await _release_hold(session, draft)
    await _event(session, EventType.DRAFT_ORDER_DELETED, draft, {})
    await repository.delete_draft(session, draft.id)
    return draft_id


def invoice_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{INVOICE_PATH}{token}"


async def send_invoice(
    session: AsyncSession,
    *,
    draft_id: int,
    email: str | None,
    base_url: str,
    expected_version: int | None = None,
) -> tuple[DraftOrder, MailMessage]:
    """Give the draft an invoice link (kept across sends) and mail it to ``email`` or the
    draft's email; the draft is then INVOICE_SENT. The mail to send after commit."""
    draft = await locked(session, draft_id, expected_version=expected_version)
    _open(draft)
    to = None
    if email is not None and email.strip():
        to = customer_service.normalize_email(email)
        if to is None:
            raise DomainError.single("INVALID", f"{email!r} is not an email address", ("email",))
    to = to or draft.email
    if to is None:
        raise DomainError.single(
            "BLANK", "the draft has no email: give one to send the invoice to", ("email",)
        )
    draft.invoice_token = draft.invoice_token or secrets.token_urlsafe(24)
    draft.invoice_email = to
    draft.invoice_sent_at = utcnow()
    draft.status = DraftOrderStatus.INVOICE_SENT
    _touch(draft)
    url = invoice_url(base_url, draft.invoice_token)
    await _event(
        session,
        EventType.DRAFT_ORDER_INVOICE_SENT,
        draft,
        {"email": to, "invoiceUrl": url, **_summary(draft)},
    )
    message = MailMessage(
        to=to,
        subject=f"Invoice {draft.name}",
        text=(
            f"Your invoice {draft.name} for {draft.total_price} {draft.currency_code} "
            f"is ready:\n{url}\n"
        ),
    )
    return draft, message


async def complete(
    session: AsyncSession,
    *,
    draft_id: int,
    payment_pending: bool = False,
    expected_version: int | None = None,
) -> DraftOrder:
    """Place the draft's order through ``orderCreate``'s code path, at the prices the draft
    shows: the held units become the order's committed units (the reservation is
    consumed, so nothing is counted twice); without a live hold, routing chooses as for any
    order. ``paymentPending`` leaves the order PENDING, else it is PAID (a SALE)."""
    draft = await locked(session, draft_id, expected_version=expected_version)
    _open(draft)
    stored = await stored_input(session, draft, pin_prices=True)
    reservation_id = None
    if draft.reservation_id is not None:
        reservation = await holds.get(session, draft.reservation_id)
        if reservation is not None and effective_status(reservation) is ReservationStatus.ACTIVE:
            reservation_id = reservation.id
    given = _new_order(
        stored,
        draft.email,
        financial_status=FinancialStatus.PENDING if payment_pending else FinancialStatus.PAID,
        reservation_id=reservation_id,
    )
    try:
        order = await create.create_order(
            session,
            given=given,
            origin={"draftOrderId": encode_gid("DraftOrder", draft.id)},
        )
    except DomainError as error:
        raise DomainError([_on_the_draft(p) for p in error.problems]) from error
    draft.status = DraftOrderStatus.COMPLETED
    draft.order_id = order.id
    draft.customer_id = order.customer_id
    draft.completed_at = utcnow()
    _touch(draft)
    await _event(
        session,
        EventType.DRAFT_ORDER_COMPLETED,
        draft,
        {
            **_summary(draft),
            "orderId": encode_gid("Order", order.id),
            "orderName": order.name,
            "paymentPending": payment_pending,
        },
    )
    return draft
