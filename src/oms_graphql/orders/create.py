"""orderCreate: validate everything, then in one transaction upsert the customer, price
the order, commit stock where routing says, create fulfillment orders, record the payment
and the events.

``quote`` is the checking and pricing half (it writes nothing): draft orders price
themselves with it, and ``draftOrderComplete`` places its order through ``create_order``,
so an order from a draft is checked, priced and placed exactly like any other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.access import access_of
from oms_graphql.addresses import ADDRESS_FIELDS, check_address
from oms_graphql.channels import repository as channels
from oms_graphql.currencies import MINOR_UNITS, amount_problem
from oms_graphql.customers import repository as customers
from oms_graphql.customers import service as customer_service
from oms_graphql.db import utcnow
from oms_graphql.errors import DomainError, Problem
from oms_graphql.events import EventType
from oms_graphql.ids import encode_gid
from oms_graphql.inventory import repository as inventory
from oms_graphql.inventory import reservation_repository as holds
from oms_graphql.inventory.items import QUANTITY_MAX
from oms_graphql.inventory.reservations import effective_status
from oms_graphql.locations import repository as locations
from oms_graphql.models import (
    Channel,
    Customer,
    DeliveryMethod,
    DiscountApplication,
    DiscountValueType,
    FinancialStatus,
    FulfillmentStatus,
    InventoryItem,
    Location,
    Order,
    OrderLine,
    OrderStatus,
    Reservation,
    ReservationStatus,
    ShippingLine,
    TaxRate,
)
from oms_graphql.orders import payments, placement, repository
from oms_graphql.orders.events import record_order_event
from oms_graphql.orders.inputs import MAX_LINES, NOTE_MAX, TEXT_MAX, CustomerRef, NewOrder
from oms_graphql.orders.pricing import DiscountToApply, LineToPrice, PricedOrder, price_order
from oms_graphql.tags import normalize_tags
from oms_graphql.taxes import repository as taxes
from oms_graphql.unset import UNSET, Unset
from oms_graphql.values import fits_utc

PERCENT_MAX = Decimal(100)
OPENING_STATUSES = (FinancialStatus.PENDING, FinancialStatus.AUTHORIZED, FinancialStatus.PAID)
DEFAULT_DISCOUNT_TITLE = "Manual discount"


@dataclass(slots=True)
class Checked:
    channel: Channel
    items: list[InventoryItem | None]
    """Each line's inventory item; ``None`` for a custom line."""
    titles: list[str]
    unit_prices: list[Decimal]
    currency: str
    address: dict[str, Any] | None
    pickup: Location | None
    reservation: Reservation | None
    tags: list[str]
    note: str | None

    @property
    def minor_units(self) -> int:
        return MINOR_UNITS[self.currency]


def _text(value: str | None, path: tuple[str, ...], problems: list[Problem]) -> str | None:
    clean = (value or "").strip() or None
    if clean is not None and len(clean) > TEXT_MAX:
        problems.append(Problem("TOO_LONG", f"at most {TEXT_MAX} characters", path))
    return clean


def _currency(
    given: NewOrder, items: dict[str, InventoryItem], problems: list[Problem]
) -> str | None:
    """The order's currency: the one given, else the one of the catalog prices used."""
    if given.currency_code is not None:
        if given.currency_code not in MINOR_UNITS:
            problems.append(Problem("INVALID", "not a currency code", ("input", "currencyCode")))
            return None
        return given.currency_code

    def currencies(of_overridden: bool) -> set[str]:
        return {
            code
            for line in given.lines
            if (line.original_unit_price is None or of_overridden)
            and line.sku is not None
            and line.sku in items
            and (code := items[line.sku].currency_code) is not None
        }

    # The catalog prices used decide; with every price given, the items' catalog currency.
    used = currencies(False) or currencies(True)
    if len(used) > 1:
        problems.append(
            Problem(
                "CURRENCY_MISMATCH",
                f"the items are priced in {', '.join(sorted(used))}; give currencyCode and "
                "originalUnitPrice for lines in other currencies",
                ("input", "currencyCode"),
            )
        )
        return None
    if not used:
        problems.append(
            Problem(
                "BLANK",
                "give currencyCode (no catalog price decides it)",
                ("input", "currencyCode"),
            )
        )
        return None
    return next(iter(used))


def _line_prices(
    given: NewOrder, items: dict[str, InventoryItem], currency: str, problems: list[Problem]
) -> list[Decimal]:
    prices = []
    for index, line in enumerate(given.lines):
        path = ("input", "lineItems", str(index), "originalUnitPrice")
        item = items.get(line.sku) if line.sku is not None else None
        if line.original_unit_price is not None:
            problem = amount_problem(line.original_unit_price, currency, path, code="INVALID_PRICE")
            if problem is not None:
                problems.append(problem)
            prices.append(line.original_unit_price)
        elif item is None:
            prices.append(Decimal(0))
        elif item.unit_price is None:
            problems.append(
                Problem("INVALID_PRICE", f"{item.sku} has no catalog price; give one", path)
            )
            prices.append(Decimal(0))
        elif item.currency_code != currency:
            problems.append(
                Problem(
                    "CURRENCY_MISMATCH",
                    f"{item.sku} is priced in {item.currency_code}, the order is in {currency}; "
                    "give originalUnitPrice",
                    path,
                )
            )
            prices.append(Decimal(0))
        else:
            prices.append(item.unit_price)
    return prices


def _check_lines(given: NewOrder, items: dict[str, InventoryItem], problems: list[Problem]) -> None:
    for index, line in enumerate(given.lines):
        path = ("input", "lineItems", str(index))
        if not 0 < line.quantity <= QUANTITY_MAX:
            problems.append(
                Problem(
                    "INVALID_QUANTITY",
                    f"quantity must be between 1 and {QUANTITY_MAX}",
                    (*path, "quantity"),
                )
            )
        _text(line.title, (*path, "title"), problems)
        if line.sku is None:
            # A custom line: no inventory item, so it names and prices itself.
            if not (line.title or "").strip():
                problems.append(
                    Problem("BLANK", "a line without a SKU needs a title", (*path, "title"))
                )
            if line.original_unit_price is None:
                problems.append(
                    Problem(
                        "BLANK",
                        "a line without a SKU needs an originalUnitPrice",
                        (*path, "originalUnitPrice"),
                    )
                )
        elif line.sku not in items:
            problems.append(
                Problem("NOT_FOUND", f"no inventory item has SKU {line.sku!r}", (*path, "sku"))
            )


def _check_extras(given: NewOrder, currency: str, problems: list[Problem]) -> None:
    """Shipping lines and discounts."""
    for name, entries in (("shippingLines", given.shipping_lines), ("discounts", given.discounts)):
        if len(entries) > MAX_LINES:
            problems.append(Problem("TOO_MANY", f"at most {MAX_LINES}", ("input", name)))
    for index, shipping in enumerate(given.shipping_lines):
        path = ("input", "shippingLines", str(index))
        if not shipping.title.strip():
            problems.append(Problem("BLANK", "a shipping line needs a title", (*path, "title")))
        _text(shipping.title, (*path, "title"), problems)
        _text(shipping.code, (*path, "code"), problems)
        problem = amount_problem(shipping.price, currency, (*path, "price"), code="INVALID_PRICE")
        if problem is not None:
            problems.append(problem)
    for index, discount in enumerate(given.discounts):
        path = ("input", "discounts", str(index))
        _text(discount.title, (*path, "title"), problems)
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
                        (*path, "value"),
                    )
                )
        else:
            problem = amount_problem(
                discount.value, currency, (*path, "value"), code="OUT_OF_RANGE", positive=True
            )
            if problem is not None:
                problems.append(problem)
        if discount.line_index is not None and not 0 <= discount.line_index < len(given.lines):
            problems.append(
                Problem("OUT_OF_RANGE", "no line has this index", (*path, "lineItemIndex"))
            )


async def _check_delivery(
    session: AsyncSession, given: NewOrder, problems: list[Problem], *, require_address: bool
) -> tuple[dict[str, Any] | None, Location | None]:
    """The shipping address (required unless picked up) and the pickup location."""
    pickup = None
    path = ("input", "pickupLocationId")
    if given.delivery_method is DeliveryMethod.PICKUP:
        if given.pickup_location_id is None:
            problems.append(Problem("BLANK", "pickup orders name a pickupLocationId", path))
        else:
            pickup = await locations.get(session, given.pickup_location_id)
            if pickup is None:
                problems.append(Problem("NOT_FOUND", "location not found", path))
            elif not (pickup.is_active and pickup.pickup_enabled):
                problems.append(
                    Problem("PICKUP_NOT_AVAILABLE", f"{pickup.name} does not offer pickup", path)
                )
    elif given.pickup_location_id is not None:
        problems.append(Problem("INVALID", "only PICKUP orders take a pickupLocationId", path))
    address = None
    if given.shipping_address is not None:
        address = check_address(
            given.shipping_address.given(),
            ("input", "shippingAddress"),
            problems,
            require_country=given.delivery_method is not DeliveryMethod.PICKUP,
        )
    elif require_address and given.delivery_method is not DeliveryMethod.PICKUP:
        problems.append(
            Problem(
                "BLANK",
                f"{given.delivery_method.value} orders need a shippingAddress",
                ("input", "shippingAddress"),
            )
        )
    return address, pickup


async def _check_reservation(
    session: AsyncSession, given: NewOrder, pickup: Location | None, problems: list[Problem]
) -> Reservation | None:
    if given.reservation_id is None:
        return None
    path = ("input", "reservationId")
    reservation = await holds.get(session, given.reservation_id)
    if reservation is None:
        problems.append(Problem("NOT_FOUND", "reservation not found", path))
        return None
    status = effective_status(reservation)
    if status is not ReservationStatus.ACTIVE:
        problems.append(
            Problem("RESERVATION_NOT_ACTIVE", f"the reservation is {status.value}", path)
        )
    elif pickup is not None and pickup.id != reservation.location_id:
        problems.append(
            Problem(
                "INVALID", "the reservation holds stock at another location than the pickup", path
            )
        )
    return reservation


@dataclass(slots=True)
class RoutingFacts:
    """What routing needs of an order's input: checked, not yet written anywhere."""

    channel: Channel | None
    items: dict[str, InventoryItem]
    address: dict[str, Any] | None
    pickup: Location | None


async def _check_routing_facts(
    session: AsyncSession,
    given: NewOrder,
    problems: list[Problem],
    *,
    require_address: bool = True,
) -> RoutingFacts:
    channel = await channels.get_by_handle(session, given.channel)
    if channel is None or not access_of(session).may_place_in(channel.handle):
        channel = None
        problems.append(
            Problem(
                "CHANNEL_NOT_FOUND",
                f"no channel has handle {given.channel!r}",
                ("input", "channel"),
            )
        )
    if not given.lines:
        problems.append(Problem("BLANK", "an order has at least one line", ("input", "lineItems")))
    if len(given.lines) > MAX_LINES:
        raise DomainError.single("TOO_MANY", f"at most {MAX_LINES} lines", ("input", "lineItems"))
    items = await inventory.items_by_sku(
        session, [line.sku for line in given.lines if line.sku is not None]
    )
    _check_lines(given, items, problems)
    address, pickup = await _check_delivery(
        session, given, problems, require_address=require_address
    )
    return RoutingFacts(channel, items, address, pickup)


async def check_routing_facts(session: AsyncSession, given: NewOrder) -> RoutingFacts:
    """The channel, items, address and pickup location of an order-to-be, checked as
    ``orderCreate`` checks them (for ``routingPreview``)."""
    problems: list[Problem] = []
    facts = await _check_routing_facts(session, given, problems)
    if problems:
        raise DomainError(problems)
    return facts


async def _check(
    session: AsyncSession,
    given: NewOrder,
    *,
    require_address: bool = True,
) -> Checked:
    """Every problem with the input at once; nothing is written here."""
    problems: list[Problem] = []
    facts = await _check_routing_facts(session, given, problems, require_address=require_address)
    channel, items, address, pickup = facts.channel, facts.items, facts.address, facts.pickup
    currency = _currency(given, items, problems)
    prices: list[Decimal] = []
    if currency is not None:
        prices = _line_prices(given, items, currency, problems)
        _check_extras(given, currency, problems)
    reservation = await _check_reservation(session, given, pickup, problems)
    if given.customer is not None:
        if customer_service.normalize_email(given.customer.email) is None:
            problems.append(
                Problem(
                    "INVALID",
                    f"{given.customer.email!r} is not an email address",
                    ("input", "customer", "email"),
                )
            )
        _text(given.customer.first_name, ("input", "customer", "firstName"), problems)
        _text(given.customer.last_name, ("input", "customer", "lastName"), problems)
    tags = normalize_tags(list(given.tags), ("input", "tags"), problems)
    note = (given.note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        problems.append(Problem("TOO_LONG", f"at most {NOTE_MAX} characters", ("input", "note")))
    if given.financial_status not in OPENING_STATUSES:
        problems.append(
            Problem(
                "INVALID",
                "an order starts PENDING, AUTHORIZED or PAID",
                ("input", "financialStatus"),
            )
        )
    if given.processed_at is not None:
        path = ("input", "processedAt")
        if given.processed_at.tzinfo is None:
            problems.append(Problem("INVALID", "processedAt needs a UTC offset, e.g. Z", path))
        elif not fits_utc(given.processed_at):
            problems.append(Problem("OUT_OF_RANGE", "processedAt is out of range", path))
        elif given.processed_at > utcnow() + timedelta(minutes=5):
            problems.append(Problem("OUT_OF_RANGE", "processedAt can't be in the future", path))
    if problems:
        raise DomainError(problems)
    assert channel is not None
    assert currency is not None
    line_items = [items[line.sku] if line.sku is not None else None for line in given.lines]
    return Checked(
        channel=channel,
        items=line_items,
        titles=[
            (line.title or "").strip() or (item.title if item else "")
            for line, item in zip(given.lines, line_items, strict=True)
        ],
        unit_prices=prices,
        currency=currency,
        address=address,
        pickup=pickup,
        reservation=reservation,
        tags=tags,
        note=note,
    )


async def _upsert_customer(session: AsyncSession, ref: CustomerRef) -> Customer:
    """The customer with this email, created if new; given names replace the stored ones."""
    email = customer_service.normalize_email(ref.email)
    assert email is not None
    existing = await customers.get_by_email(session, email, for_update=True)
    if existing is None:
        try:
            async with session.begin_nested():
                return await customer_service.create_customer(
                    session,
                    given=customer_service.CustomerFields(
                        email=email, first_name=ref.first_name, last_name=ref.last_name
                    ),
                )
        except DomainError:
            # Another order created this customer a moment ago.
            existing = await customers.get_by_email(session, email, for_update=True)
            if existing is None:
                raise
    first_name = _changed(ref.first_name, existing.first_name)
    last_name = _changed(ref.last_name, existing.last_name)
    if first_name is UNSET and last_name is UNSET:
        return existing
    return await customer_service.update_customer(
        session,
        customer_id=existing.id,
        given=customer_service.CustomerFields(first_name=first_name, last_name=last_name),
    )


def _changed(given: str | None, stored: str | None) -> str | Unset:
    """A name given that differs from the stored one, else UNSET (nothing to write)."""
    if given is None or given.strip() == (stored or ""):
        return UNSET
    return given


def _tax_place(checked: Checked) -> tuple[str | None, str | None]:
    if checked.pickup is not None:
        return checked.pickup.country_code, checked.pickup.province
    address = checked.address or {}
    return address.get("country_code"), address.get("province")


def _check_fixed_discounts(given: NewOrder, priced: PricedOrder) -> None:
    """A fixed discount bigger than what it applies to is refused, not silently cut."""
    problems = [
        Problem(
            "OUT_OF_RANGE",
            f"the discount is more than the {taken} left to discount",
            ("input", "discounts", str(index), "value"),
        )
        for index, (discount, taken) in enumerate(
            zip(given.discounts, priced.discount_amounts, strict=True)
        )
        if discount.value_type is DiscountValueType.FIXED_AMOUNT and taken < discount.value
    ]
    if problems:
        raise DomainError(problems)


def _sort_name(customer: Customer | None) -> str | None:
    if customer is None:
        return None
    return customer_service.sort_name(customer.first_name, customer.last_name) or customer.email


@dataclass(frozen=True, slots=True)
class Quote:
    """An order-to-be, checked and priced; nothing written."""

    checked: Checked
    priced: PricedOrder
    tax_rate: TaxRate | None


async def quote(
    session: AsyncSession,
    *,
    given: NewOrder,
    require_address: bool = True,
) -> Quote:
    """Check ``given`` as ``orderCreate`` does and price it; writes nothing. Drafts pass
    ``require_address=False`` (an address can come later; without one there is no tax)."""
    checked = await _check(session, given, require_address=require_address)
    country, province = _tax_place(checked)
    tax_rate = await taxes.applicable(session, country, province) if country else None
    priced = price_order(
        [
            LineToPrice(price, line.quantity)
            for price, line in zip(checked.unit_prices, given.lines, strict=True)
        ],
        [DiscountToApply(d.value_type, d.value, d.line_index) for d in given.discounts],
        [shipping.price for shipping in given.shipping_lines],
        tax_rate=tax_rate.rate if tax_rate else Decimal(0),
        taxes_included=given.taxes_included,
        minor_units=checked.minor_units,
    )
    _check_fixed_discounts(given, priced)
    return Quote(checked, priced, tax_rate)


async def create_order(
    session: AsyncSession,
    *,
    given: NewOrder,
    origin: dict[str, Any] | None = None,
) -> Order:
    """Place an order: all of it, or (with ``DomainError``) nothing. ``origin`` goes into
    the ``order.created`` event (e.g. the draft order it came from)."""
    quoted = await quote(session, given=given)
    checked, priced, tax_rate = quoted.checked, quoted.priced, quoted.tax_rate
    customer = await _upsert_customer(session, given.customer) if given.customer else None
    number = await repository.next_number(session)
    now = utcnow()
    address = checked.address or dict.fromkeys(ADDRESS_FIELDS)
    order = Order(
        number=number,
        name=f"#{number}",
        channel_id=checked.channel.id,
        customer_id=customer.id if customer else None,
        email=customer.email if customer else None,
        customer_sort_name=_sort_name(customer),
        currency_code=checked.currency,
        status=OrderStatus.OPEN,
        financial_status=FinancialStatus.PENDING,
        fulfillment_status=FulfillmentStatus.UNFULFILLED,
        taxes_included=given.taxes_included,
        delivery_method=given.delivery_method,
        pickup_location_id=checked.pickup.id if checked.pickup else None,
        reservation_id=checked.reservation.id if checked.reservation else None,
        **{f"shipping_{name}": value for name, value in address.items()},
        note=checked.note,
        subtotal_price=priced.subtotal,
        total_discounts=priced.total_discounts,
        total_shipping=priced.total_shipping,
        total_tax=priced.total_tax,
        total_price=priced.total,
        total_captured=Decimal(0),
        total_refunded=Decimal(0),
        version=1,
        processed_at=given.processed_at or now,
        # An imported order was created when it was placed, not when it reached us.
        created_at=given.processed_at or now,
        updated_at=now,
    )
    session.add(order)
    await session.flush()
    lines = [
        OrderLine(
            order_id=order.id,
            position=index,
            item_id=item.id if item else None,
            sku=item.sku if item else None,
            title=title,
            quantity=line.quantity,
            current_quantity=line.quantity,
            fulfilled_quantity=0,
            original_unit_price=price,
            total_discount=priced_line.total_discount,
            discounted_total=priced_line.discounted_total,
            tax_amount=priced_line.tax,
            tax_rate=tax_rate.rate if tax_rate else Decimal(0),
            tax_title=tax_rate.name if tax_rate else None,
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
    ]
    session.add_all(lines)
    session.add_all(
        ShippingLine(
            order_id=order.id,
            title=shipping.title.strip(),
            code=(shipping.code or "").strip() or None,
            price=shipping.price,
            tax_amount=tax,
        )
        for shipping, tax in zip(given.shipping_lines, priced.shipping_taxes, strict=True)
    )
    await session.flush()
    await _discounts(session, order, given, priced, lines)
    if checked.tags:
        await repository.set_tags(session, order.id, checked.tags)
    fulfillment_orders, explanation = await placement.place(
        session,
        order=order,
        lines=lines,
        items={item.id: item for item in checked.items if item is not None},
        channel=checked.channel,
        pickup=checked.pickup,
        reservation=checked.reservation,
    )
    if customer is not None:
        await repository.count_order_for_customer(session, customer.id, order.currency_code)
    await payments.open_payment(session, order, given.financial_status)
    await record_order_event(
        session,
        EventType.ORDER_CREATED,
        order,
        {
            "channel": checked.channel.handle,
            "customerId": encode_gid("Customer", customer.id) if customer else None,
            "totalPrice": str(order.total_price),
            "currencyCode": order.currency_code,
            "status": order.status.value,
            "displayFinancialStatus": order.financial_status.value,
            "displayFulfillmentStatus": order.fulfillment_status.value,
            "fulfillmentOrderIds": [
                encode_gid("FulfillmentOrder", fo.id) for fo in fulfillment_orders
            ],
            "routing": explanation,
            **(origin or {}),
        },
    )
    return order


async def _discounts(
    session: AsyncSession,
    order: Order,
    given: NewOrder,
    priced: PricedOrder,
    lines: list[OrderLine],
) -> None:
    applications = [
        DiscountApplication(
            order_id=order.id,
            position=index,
            title=(discount.title or "").strip() or DEFAULT_DISCOUNT_TITLE,
            value_type=discount.value_type,
            value=discount.value,
            line_id=lines[discount.line_index].id if discount.line_index is not None else None,
            amount=amount,
        )
        for index, (discount, amount) in enumerate(
            zip(given.discounts, priced.discount_amounts, strict=True)
        )
    ]
    if not applications:
        return
    session.add_all(applications)
    await session.flush()
    await repository.add_discount_allocations(
        session,
        [
            (applications[index].id, line.id, amount)
            for line, priced_line in zip(lines, priced.lines, strict=True)
            for index, amount in priced_line.allocations.items()
        ],
    )
