"""The orders part of the demo dataset: 2,100 orders placed over the last 90 days.

Generated from a fixed seed, through the services (so every order has its events, its
transactions and the ledger rows of the stock it committed): orders from the web store,
the shops' tills, two marketplaces and draft orders, most by the demo customers (the
shops also sell to walk-in buyers), shipped to the customer's address or picked up in a
shop, in the VAT of the country they go to. They reach every financial status the model
has so far except PARTIALLY_REFUNDED (no refunds API yet): pending, authorized, partly
and fully captured, paid, refunded and voided on cancellation; some are cancelled
(restocked, or written off), some closed.

Times are relative to the moment of the load: the orders are the same every load, placed
the same seconds before it. The actions after placing (captures, cancellations, closing)
happen at load time, as they would through the API.

Routing is a pure function, so this loader keeps its own copy of what is available where
and asks it whether an order's lines can be placed at all before placing it: lines that
could not be placed are picked again instead of being refused. Where each order really went
is read back from its fulfillment orders. An order the services refuse anyway is rolled
back to its savepoint and left out; the load never fails on one.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import accumulate

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql import demo_fulfillment
from oms_graphql.addresses import AddressInput
from oms_graphql.channels import repository as channels
from oms_graphql.customers.service import CustomerFields
from oms_graphql.db import utcnow
from oms_graphql.demo_inventory import demo_items
from oms_graphql.errors import DomainError
from oms_graphql.inventory import repository as inventory
from oms_graphql.locations import repository as locations
from oms_graphql.models import (
    CancelReason,
    DeliveryMethod,
    DiscountValueType,
    FinancialStatus,
    InventoryPolicy,
    Location,
    TransactionKind,
)
from oms_graphql.orders import repository as orders
from oms_graphql.orders import service
from oms_graphql.orders.create import create_order
from oms_graphql.orders.inputs import (
    Cancellation,
    Capture,
    CustomerRef,
    NewDiscount,
    NewLine,
    NewOrder,
    NewShippingLine,
)
from oms_graphql.routing import Candidate, LineDemand, RoutingRequest, decide
from oms_graphql.taxes.service import RateFields, set_rate

ORDER_COUNT = 2_100
DAYS = 90
SEED = 20261124

TAX_RATES = (
    ("IT", "0.22", "IVA"),
    ("DE", "0.19", "MwSt."),
    ("FR", "0.20", "TVA"),
    ("ES", "0.21", "IVA"),
    ("NL", "0.21", "BTW"),
    ("AT", "0.20", "USt."),
    ("PL", "0.23", "VAT"),
)


def steps(order_count: int) -> int:
    """How often ``load_demo_orders`` calls ``advance``."""
    return len(TAX_RATES) + order_count


CHANNEL_WEIGHTS = {"web": 45, "pos": 18, "amazon-it": 12, "zalando-de": 13, "draft": 12}
_LINE_COUNTS = ((1, 2, 3, 4), (50, 30, 14, 6))
_QUANTITIES = ((1, 2, 3), (75, 20, 5))
_MARKETPLACE_COUNTRIES = {"amazon-it": {"IT": 1}, "zalando-de": {"DE": 8, "AT": 2}}
_SHIPPING = {
    "web": (NewShippingLine("Standard", Decimal("4.90"), "STD"), Decimal(100)),
    "draft": (NewShippingLine("Courier", Decimal("12.00"), "COURIER"), Decimal(500)),
    "amazon-it": (NewShippingLine("Amazon Prime", Decimal(0), "AMZ-PRIME"), None),
    "zalando-de": (NewShippingLine("Zalando Standard", Decimal(0), "ZAL-STD"), None),
}
"""Channel -> (shipping line, subtotal from which it is free)."""
_EXPRESS = NewShippingLine("Express", Decimal("9.90"), "EXP")
_GIFT_CARD, _PRE_ORDERS = "GIFT-CARD-50", ("JACKET-PRE-M", "JACKET-PRE-L")
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class _Item:
    id: int
    sku: str
    price: Decimal
    tracked: bool
    deny: bool


@dataclass(slots=True)
class _Plan:
    """What happens to one order after it is placed."""

    opening: FinancialStatus = FinancialStatus.PAID
    capture: Decimal | None = None
    """The share of the authorization captured (1 for all of it)."""
    mark_as_paid: bool = False
    cancel: Cancellation | None = None
    close: bool = False
    add_tags: list[str] = field(default_factory=list)


class _Stock:
    """What is available of each item at each location, as routing sees it."""

    def __init__(self, available: dict[tuple[int, int], int], items: dict[str, _Item]) -> None:
        self.available = available
        self.items = items
        self.at: dict[int, list[_Item]] = {}
        by_id = {item.id: item for item in items.values()}
        for item_id, location_id in available:
            if item_id in by_id and by_id[item_id].deny:
                self.at.setdefault(location_id, []).append(by_id[item_id])

    def sellable(self, location_id: int, quantity: int) -> list[_Item]:
        return [
            item
            for item in self.at.get(location_id, [])
            if self.available[(item.id, location_id)] >= quantity
        ]

    def routable(
        self, lines: Sequence[tuple[_Item, int]], locations: Sequence[Location], *, split: bool
    ) -> bool:
        """Whether routing can place every line, from the same numbers."""
        demands = [
            LineDemand(
                item_id=item.id,
                quantity=quantity,
                needs_level=item.tracked,
                needs_stock=item.deny,
            )
            for item, quantity in lines
        ]
        candidates = [
            Candidate(
                location.id,
                location.name,
                location.priority,
                {
                    item.id: self.available[(item.id, location.id)]
                    for item, _ in lines
                    if (item.id, location.id) in self.available
                },
            )
            for location in locations
        ]
        return not decide(RoutingRequest(demands, candidates, allow_split=split)).unroutable

    def commit(self, placed: Sequence[tuple[int, int, int]], sign: int = -1) -> None:
        for item_id, location_id, quantity in placed:
            self.available[(item_id, location_id)] += sign * quantity


@dataclass(frozen=True, slots=True)
class _Person:
    email: str
    country: str
    address: AddressInput
    tags: frozenset[str]

    @classmethod
    def of(cls, fields: CustomerFields) -> _Person:
        address = fields.default_address
        assert isinstance(fields.email, str)
        assert isinstance(address, AddressInput)
        assert isinstance(address.country_code, str)
        tags = fields.tags if isinstance(fields.tags, list) else []
        return cls(fields.email, address.country_code, address, frozenset(tags))


class _Crowd:
    """People to draw from, returning customers (and VIPs) more often."""

    def __init__(self, people: Sequence[_Person]) -> None:
        self.people = list(people)
        self.cumulative = list(
            accumulate(
                1 + 2 * ("returning" in person.tags) + ("vip" in person.tags)
                for person in self.people
            )
        )

    def pick(self, rng: random.Random) -> _Person:
        return rng.choices(self.people, cum_weights=self.cumulative)[0]


@dataclass(slots=True)
class _World:
    """What the loader reads once: customers, stores, who fulfils each channel, stock."""

    everyone: _Crowd
    by_country: dict[str, _Crowd]
    wholesale: _Crowd
    stores: list[Location]
    store_in: dict[str, Location]
    fulfilling: dict[str, list[Location]]
    split: dict[str, bool]
    stock: _Stock

    @classmethod
    async def read(cls, session: AsyncSession, customers: Sequence[CustomerFields]) -> _World:
        people = [_Person.of(fields) for fields in customers]
        countries = sorted({person.country for person in people})
        stores = await locations.pickup_locations(session)
        fulfilling, split = {}, {}
        for handle in CHANNEL_WEIGHTS:
            channel = await channels.get_by_handle(session, handle)
            assert channel is not None, f"the demo channel {handle} is missing"
            fulfilling[handle] = await locations.fulfilling_online_orders(session, channel=handle)
            split[handle] = channel.allow_split_shipments
        return cls(
            everyone=_Crowd(people),
            by_country={
                country: _Crowd([person for person in people if person.country == country])
                for country in countries
            },
            wholesale=_Crowd([person for person in people if "wholesale" in person.tags]),
            stores=stores,
            store_in={store.country_code: store for store in reversed(stores)},
            fulfilling=fulfilling,
            split=split,
            stock=await _read_stock(session),
        )


async def _read_stock(session: AsyncSession) -> _Stock:
    found = await inventory.items_by_sku(
        session, [f.sku for f in demo_items() if isinstance(f.sku, str)]
    )
    items = {
        sku: _Item(
            id=item.id,
            sku=sku,
            price=item.unit_price or Decimal(0),
            tracked=item.tracked,
            deny=item.tracked and item.inventory_policy == InventoryPolicy.DENY,
        )
        for sku, item in sorted(found.items(), key=lambda pair: pair[1].id)
    }
    levels = await inventory.levels_for_items(session, [item.id for item in items.values()])
    available = {(level.item_id, level.location_id): level.available for level, _ in levels}
    return _Stock(available, items)


@dataclass(slots=True)
class _Order:
    """One order to place: its input, what happens to it next, the stock it takes."""

    given: NewOrder
    plan: _Plan
    age_days: float


def _ages(rng: random.Random, order_count: int) -> list[int]:
    """Seconds before the load each order was placed, oldest first; business grows a
    little over the 90 days, so recent days see more orders."""
    days = range(DAYS)
    cumulative = list(accumulate(1.6 - 0.6 * day / (DAYS - 1) for day in days))
    ages = [
        rng.choices(days, cum_weights=cumulative)[0] * 86_400 + rng.randint(300, 86_400)
        for _ in range(order_count)
    ]
    return sorted(ages, reverse=True)


def _lines(
    rng: random.Random,
    world: _World,
    channel: str,
    pickup: Location | None,
    *,
    extras: bool,
) -> list[tuple[_Item, int]] | None:
    """1-4 lines of stocked SKUs that routing can place (None when none could be found).

    Lines are drawn from what one location (the pickup shop, or one fulfilling the
    channel) has available, now and then from two (a split shipment, where allowed).
    """
    stock = world.stock
    locations = [pickup] if pickup is not None else world.fulfilling[channel]
    for _ in range(6):
        count = rng.choices(*_LINE_COUNTS)[0]
        anchors = [rng.choice(locations)]
        if pickup is None and world.split[channel] and count > 1 and rng.random() < 0.15:
            anchors.append(rng.choice(locations))
        picked: dict[str, tuple[_Item, int]] = {}
        for index in range(count):
            quantity = rng.choices(*_QUANTITIES)[0]
            options = [
                item
                for item in stock.sellable(anchors[index % len(anchors)].id, quantity)
                if item.sku not in picked
            ]
            if options:
                item = rng.choice(options)
                picked[item.sku] = (item, quantity)
        if extras and rng.random() < 0.04:
            sku = _GIFT_CARD if rng.random() < 0.6 else rng.choice(_PRE_ORDERS)
            picked.setdefault(sku, (stock.items[sku], 1))
        if not picked:
            continue
        lines = list(picked.values())
        if stock.routable(lines, locations, split=world.split[channel]):
            return lines
    return None


def _plan(rng: random.Random, channel: str, age_days: float) -> _Plan:
    """How the order is paid, and whether it is cancelled, by channel and age."""
    roll = rng.random()
    if channel == "web":
        method = rng.random()
        if method < 0.55:  # card: authorized at checkout, captured when it ships
            plan = _Plan(FinancialStatus.AUTHORIZED)
            if roll < 0.06:
                reason = rng.choice(
                    (CancelReason.CUSTOMER, CancelReason.FRAUD, CancelReason.DECLINED)
                )
                plan.cancel = Cancellation(reason, refund=True, staff_note="Authorization voided")
            elif age_days < 5 and roll < 0.6:
                pass  # still authorized
            elif roll < 0.14:
                plan.capture = Decimal(rng.choice(("0.4", "0.5", "0.6")))
            elif roll < 0.17:
                plan.capture = Decimal(1)
                plan.cancel = Cancellation(CancelReason.CUSTOMER, refund=True)
            else:
                plan.capture = Decimal(1)
            return plan
        if method < 0.9:  # PayPal and the like: paid at checkout
            plan = _Plan(FinancialStatus.PAID)
            if roll < 0.04:
                plan.cancel = Cancellation(CancelReason.CUSTOMER, refund=True)
            return plan
        plan = _Plan(FinancialStatus.PENDING)  # bank transfer
        if age_days > 5:
            if roll < 0.8:
                plan.mark_as_paid = True
            elif roll < 0.95:
                plan.cancel = Cancellation(
                    CancelReason.DECLINED, staff_note="The transfer never arrived"
                )
            else:
                plan.add_tags.append("overdue")
        return plan
    if channel == "draft":  # invoices, paid by transfer
        plan = _Plan(FinancialStatus.PENDING)
        if age_days > 7:
            if roll < 0.75:
                plan.mark_as_paid = True
            elif roll < 0.87:
                reason = rng.choice((CancelReason.CUSTOMER, CancelReason.STAFF))
                plan.cancel = Cancellation(reason, staff_note="Quote not accepted")
            elif age_days > 14:
                plan.add_tags.append("overdue")
        elif roll < 0.3:
            plan.mark_as_paid = True
        return plan
    plan = _Plan(FinancialStatus.PAID)  # tills and marketplaces collect the money
    if roll < 0.03:
        plan.cancel = Cancellation(CancelReason.CUSTOMER, refund=True)
    elif channel != "pos" and roll < 0.05:
        plan.cancel = Cancellation(
            CancelReason.INVENTORY,
            restock=False,
            refund=True,
            staff_note="Units found damaged when picking; written off",
        )
    return plan


def _discounts(
    rng: random.Random, channel: str, subtotal: Decimal, wholesale: bool
) -> list[NewDiscount]:
    roll = rng.random()
    if wholesale:
        return [NewDiscount(DiscountValueType.PERCENTAGE, Decimal(20), "Wholesale")]
    if channel == "web":
        if roll < 0.06:
            return [NewDiscount(DiscountValueType.PERCENTAGE, Decimal(10), "WELCOME10")]
        if roll < 0.09 and subtotal >= 30:
            return [NewDiscount(DiscountValueType.FIXED_AMOUNT, Decimal("5.00"), "Loyalty voucher")]
    if channel == "pos":
        if roll < 0.04 and subtotal >= 40:
            return [NewDiscount(DiscountValueType.FIXED_AMOUNT, Decimal("10.00"), "Store credit")]
        if roll < 0.07:
            return [NewDiscount(DiscountValueType.PERCENTAGE, Decimal(30), "Display model", 0)]
    if channel == "draft" and roll < 0.2:
        return [NewDiscount(DiscountValueType.PERCENTAGE, Decimal("7.5"), "Event order")]
    return []


def _order(
    rng: random.Random, world: _World, channel: str, placed_at: datetime, age_days: float
) -> _Order | None:
    """The next order of ``channel``: who, what, where to, and what happens to it."""
    person: _Person | None = None
    pickup: Location | None = None
    if channel == "pos":
        pickup = rng.choice(world.stores)
        if rng.random() < 0.3:  # a loyalty-card holder; the rest are walk-ins
            person = world.by_country[pickup.country_code].pick(rng)
    elif channel in _MARKETPLACE_COUNTRIES:
        countries = _MARKETPLACE_COUNTRIES[channel]
        country = rng.choices(list(countries), list(countries.values()))[0]
        person = world.by_country[country].pick(rng)
    elif channel == "draft" and rng.random() < 0.5:
        person = world.wholesale.pick(rng)
    else:
        person = world.everyone.pick(rng)
    if channel in ("web", "draft") and person is not None and rng.random() < 0.12:
        pickup = world.store_in.get(person.country)  # buy online, pick up in a shop
    chosen = _lines(rng, world, channel, pickup, extras=channel in ("web", "draft"))
    if chosen is None:
        return None
    lines = chosen
    subtotal = sum((item.price * quantity for item, quantity in lines), Decimal(0))
    wholesale = channel == "draft" and person is not None and "wholesale" in person.tags
    tags = []
    shipping = []
    if pickup is None:
        standard, free_from = _SHIPPING[channel]
        if channel == "web" and rng.random() < 0.15:
            shipping.append(_EXPRESS)
            tags.append("priority")
        elif free_from is not None and subtotal >= free_from:
            shipping.append(NewShippingLine(standard.title, Decimal("0.00"), standard.code))
        else:
            shipping.append(standard)
    if channel in ("web", "zalando-de") and rng.random() < 0.06:
        tags.append("gift")
    if person is not None and "vip" in person.tags:
        tags.append("vip")
    if wholesale:
        tags.append("wholesale")
    plan = _plan(rng, channel, age_days)
    plan.close = age_days > 30 and rng.random() < 0.4 and _ends_paid(plan)  # older, settled
    given = NewOrder(
        channel=channel,
        lines=[NewLine(item.sku, quantity) for item, quantity in lines],
        customer=CustomerRef(person.email) if person is not None else None,
        shipping_address=person.address if person is not None and pickup is None else None,
        shipping_lines=shipping,
        discounts=_discounts(rng, channel, subtotal, wholesale),
        delivery_method=DeliveryMethod.PICKUP if pickup is not None else DeliveryMethod.SHIPPING,
        pickup_location_id=pickup.id if pickup is not None else None,
        financial_status=plan.opening,
        taxes_included=channel in ("pos", "zalando-de"),
        tags=tags,
        processed_at=placed_at,
    )
    return _Order(given, plan, age_days)


def _ends_paid(plan: _Plan) -> bool:
    """Whether the order ends fully paid and not cancelled: the ones worth closing."""
    if plan.cancel is not None:
        return False
    return plan.opening is FinancialStatus.PAID or plan.mark_as_paid or plan.capture == 1


async def _follow_up(session: AsyncSession, order_id: int, total: Decimal, plan: _Plan) -> None:
    """Everything that happens to the order after it was placed, through the services."""
    if plan.capture is not None:
        transactions = await orders.transactions_of(session, [order_id])
        authorization = next(t for t in transactions if t.kind is TransactionKind.AUTHORIZATION)
        amount = None if plan.capture == 1 else (total * plan.capture).quantize(_CENT)
        await service.capture(session, order_id=order_id, given=Capture(authorization.id, amount))
    if plan.mark_as_paid:
        await service.mark_as_paid(session, order_id=order_id)
    if plan.add_tags:
        await service.change_tags(session, order_id=order_id, add=plan.add_tags)
    if plan.cancel is not None:
        await service.cancel(session, order_id=order_id, given=plan.cancel)
    if plan.close:
        await service.change_status(session, "close", order_id=order_id)


async def _fulfil(
    session: AsyncSession,
    order_id: int,
    placed_at: datetime,
    order: _Order,
    work: demo_fulfillment.WorkPlan,
    now: datetime,
    request_paths: Iterator[str],
) -> None:
    """What happened to the order's work; a step the services refuse (say, a reroute with
    nowhere to go) leaves the work as it was, never the order out. (Its savepoint's rollback
    expires the session's objects: only ids and plain values cross it.)"""
    try:
        async with session.begin_nested():
            await demo_fulfillment.carry_out(
                session,
                order_id,
                work,
                placed_at=placed_at,
                age_days=order.age_days,
                paid=_ends_paid(order.plan),
                pickup=order.given.delivery_method is DeliveryMethod.PICKUP,
                at_till=order.given.channel == "pos",
                now=now,
                request_paths=request_paths,
            )
    except DomainError:
        pass


async def load_demo_orders(
    session: AsyncSession,
    customers: Sequence[CustomerFields],
    *,
    advance: Callable[[], None],
    order_count: int = ORDER_COUNT,
) -> int:
    """Set the demo countries' VAT and place ``order_count`` demo orders (in the caller's
    transaction); the number of orders placed."""
    for country, rate, name in TAX_RATES:
        await set_rate(session, given=RateFields(country, Decimal(rate), name=name))
        advance()
    rng = random.Random(SEED)
    work_rng = random.Random(demo_fulfillment.SEED)
    request_paths = itertools.cycle(demo_fulfillment.REQUEST_PATHS)
    world = await _World.read(session, customers)
    handles = list(CHANNEL_WEIGHTS)
    cumulative = list(accumulate(CHANNEL_WEIGHTS.values()))
    now = utcnow().replace(microsecond=0)
    placed = 0
    for age in _ages(rng, order_count):
        channel = rng.choices(handles, cum_weights=cumulative)[0]
        order = _order(rng, world, channel, now - timedelta(seconds=age), age / 86_400)
        work = demo_fulfillment.draw(work_rng)
        if order is not None:
            try:
                async with session.begin_nested():
                    created = await create_order(session, given=order.given)
                    order_id, placed_at = created.id, created.created_at
                    placed_units = await orders.committed_units(session, order_id)
                    await _follow_up(session, order_id, created.total_price, order.plan)
                    if order.plan.cancel is None:
                        await _fulfil(session, order_id, placed_at, order, work, now, request_paths)
                        # a rerouted fulfillment order took its units elsewhere
                        placed_units = await orders.committed_units(session, order_id)
            except DomainError:
                pass  # refused after all: left out, its savepoint rolled back
            else:
                placed += 1
                world.stock.commit(placed_units)
                if order.plan.cancel is not None and order.plan.cancel.restock:
                    world.stock.commit(placed_units, sign=+1)
        advance()
    return placed
