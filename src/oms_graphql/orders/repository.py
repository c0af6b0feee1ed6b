"""All SQL about orders, their lines, tags, transactions and fulfillment orders."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from sqlalchemy import ColumnElement, delete, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.access import ALL_ROWS
from oms_graphql.db import LOCKED
from oms_graphql.errors import BadUserInput
from oms_graphql.ids import decode_gid
from oms_graphql.listing import Listing
from oms_graphql.models import (
    Channel,
    Customer,
    DeliveryMethod,
    DiscountAllocation,
    DiscountApplication,
    FinancialStatus,
    FulfillmentOrder,
    FulfillmentOrderLine,
    FulfillmentStatus,
    Order,
    OrderLine,
    OrderStatus,
    OrderTag,
    OrderTransaction,
    ShippingLine,
)
from oms_graphql.paging import ChildList, SortKey
from oms_graphql.search import (
    SearchSpec,
    custom,
    enumeration,
    identifier,
    keyword,
    number,
    timestamp,
)

SORT_KEYS: dict[str, SortKey] = {
    "ID": SortKey("ID", Order.id),
    "CREATED_AT": SortKey("CREATED_AT", Order.created_at),
    "UPDATED_AT": SortKey("UPDATED_AT", Order.updated_at),
    "PROCESSED_AT": SortKey("PROCESSED_AT", Order.processed_at),
    "ORDER_NUMBER": SortKey("ORDER_NUMBER", Order.number),
    "TOTAL_PRICE": SortKey("TOTAL_PRICE", Order.total_price),
    "CUSTOMER_NAME": SortKey("CUSTOMER_NAME", Order.customer_sort_name, nullable=True),
}


def _has_tag(op: str, tag: str) -> ColumnElement[bool]:
    return exists(
        select(OrderTag.order_id).where(
            OrderTag.order_id == Order.id, func.lower(OrderTag.tag) == tag.lower()
        )
    )


def _has_any_tag() -> ColumnElement[bool]:
    return exists(select(OrderTag.order_id).where(OrderTag.order_id == Order.id))


_SKU = keyword(OrderLine.sku, "")


def _has_sku(op: str, sku: str) -> ColumnElement[bool]:
    return exists(select(OrderLine.id).where(OrderLine.order_id == Order.id, _SKU.build(op, sku)))


def _in_channel(op: str, handle: str) -> ColumnElement[bool]:
    return Order.channel_id.in_(
        select(Channel.id).where(func.lower(Channel.handle) == handle.lower())
    )


def _by_name(op: str, value: str) -> ColumnElement[bool]:
    digits = value.removeprefix("#")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        raise BadUserInput(f"{value!r} is not an order name such as #1001", value=value)
    return Order.number == int(digits)


def _at_location(op: str, value: str) -> ColumnElement[bool]:
    if value.startswith("gid://"):
        location_id = decode_gid(value, expected="Location").pk
    elif value.isascii() and value.isdigit() and len(value) <= 18:
        location_id = int(value)
    else:
        raise BadUserInput(f"{value!r} is not a location id", value=value)
    return exists(
        select(FulfillmentOrder.id).where(
            FulfillmentOrder.order_id == Order.id, FulfillmentOrder.location_id == location_id
        )
    )


SEARCH = SearchSpec(
    fields={
        "id": identifier(Order.id, "Order", "numeric or global id; >, < work"),
        "name": custom(_by_name, "order name, e.g. #1001 (or 1001)"),
        "status": enumeration(Order.status, OrderStatus, "open, closed or cancelled"),
        "financial_status": enumeration(
            Order.financial_status, FinancialStatus, "pending, authorized, paid, refunded..."
        ),
        "fulfillment_status": enumeration(
            Order.fulfillment_status, FulfillmentStatus, "unfulfilled, fulfilled, restocked..."
        ),
        "delivery_method": enumeration(
            Order.delivery_method, DeliveryMethod, "shipping, pickup or local_delivery"
        ),
        "tag": custom(_has_tag, "has this tag (any case)", exists=_has_any_tag),
        "channel": custom(_in_channel, "handle of the channel the order came from"),
        "email": keyword(Order.email, "exact email, or a prefix with *"),
        "sku": custom(_has_sku, "has a line with this SKU (or a prefix with *)"),
        "customer_id": identifier(Order.customer_id, "Customer", "numeric or global id"),
        "location_id": custom(_at_location, "has a fulfillment order at this location"),
        "currency": keyword(Order.currency_code, "currency code, e.g. EUR"),
        "total_price": number(Order.total_price, "amount; >, >=, <, <= work", decimal=True),
        "created_at": timestamp(Order.created_at, "date or time; >, >=, <, <= work"),
        "updated_at": timestamp(Order.updated_at, "date or time; >, >=, <, <= work"),
        "processed_at": timestamp(Order.processed_at, "date or time; >, >=, <, <= work"),
    },
    text_columns=(Order.name, Order.email, Order.customer_sort_name),
)

LISTING = Listing(Order, Order.id, SORT_KEYS, SEARCH)
"""Search, sort, page and count orders."""


# --- orders -------------------------------------------------------------------------------


async def next_number(session: AsyncSession) -> int:
    """The next order number: a sequence on PostgreSQL (no hot row; gaps after rollbacks),
    the highest plus one on SQLite (whose writers take turns)."""
    if session.get_bind().dialect.name == "postgresql":
        return int(await session.scalar(select(func.nextval("order_number_seq"))) or 0)
    # Every order counts, whoever places this one.
    highest = await session.scalar(select(func.max(Order.number)).execution_options(**ALL_ROWS))
    return 1001 if highest is None else int(highest) + 1


async def get(session: AsyncSession, order_id: int, *, for_update: bool = False) -> Order | None:
    statement = select(Order).where(Order.id == order_id)
    if for_update:
        statement = statement.with_for_update().execution_options(**LOCKED)
    return (await session.execute(statement)).scalar_one_or_none()


async def get_many(session: AsyncSession, ids: Sequence[int]) -> list[Order]:
    if not ids:
        return []
    return list((await session.scalars(select(Order).where(Order.id.in_(ids)))).all())


async def channel_of(session: AsyncSession, order: Order) -> Channel:
    channel = await session.get(Channel, order.channel_id)
    assert channel is not None
    return channel


# --- lines, discounts, shipping -----------------------------------------------------------


LINES = ChildList(OrderLine, OrderLine.order_id, SortKey("POSITION", OrderLine.position))
"""An order's lines, in their position."""


async def lines_of(session: AsyncSession, order_ids: Iterable[int]) -> list[OrderLine]:
    wanted = set(order_ids)
    if not wanted:
        return []
    statement = select(OrderLine).where(OrderLine.order_id.in_(wanted)).order_by(OrderLine.position)
    return list((await session.scalars(statement)).all())


async def shipping_lines_of(session: AsyncSession, order_ids: Sequence[int]) -> list[ShippingLine]:
    if not order_ids:
        return []
    statement = (
        select(ShippingLine).where(ShippingLine.order_id.in_(order_ids)).order_by(ShippingLine.id)
    )
    return list((await session.scalars(statement)).all())


async def discount_applications_of(
    session: AsyncSession, order_ids: Sequence[int]
) -> list[DiscountApplication]:
    if not order_ids:
        return []
    statement = (
        select(DiscountApplication)
        .where(DiscountApplication.order_id.in_(order_ids))
        .order_by(DiscountApplication.position)
    )
    return list((await session.scalars(statement)).all())


async def allocations_of_lines(
    session: AsyncSession, line_ids: Sequence[int]
) -> list[DiscountAllocation]:
    if not line_ids:
        return []
    statement = (
        select(DiscountAllocation)
        .where(DiscountAllocation.line_id.in_(line_ids))
        .order_by(DiscountAllocation.id)
    )
    return list((await session.scalars(statement)).all())


async def add_discount_allocations(
    session: AsyncSession, allocations: Sequence[tuple[int, int, Decimal]]
) -> None:
    """(application id, line id, amount) rows, in one statement."""
    if allocations:
        await session.execute(
            insert(DiscountAllocation),
            [
                {"application_id": application_id, "line_id": line_id, "amount": amount}
                for application_id, line_id, amount in allocations
            ],
        )


# --- tags ---------------------------------------------------------------------------------


async def tags_of(session: AsyncSession, order_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each order's tags, sorted ignoring case (in Python, whatever the collation)."""
    if not order_ids:
        return {}
    statement = select(OrderTag.order_id, OrderTag.tag).where(OrderTag.order_id.in_(order_ids))
    grouped: dict[int, list[str]] = {}
    for order_id, tag in (await session.execute(statement)).all():
        grouped.setdefault(order_id, []).append(tag)
    return {oid: sorted(tags, key=str.lower) for oid, tags in grouped.items()}


async def set_tags(session: AsyncSession, order_id: int, tags: Sequence[str]) -> None:
    await session.execute(delete(OrderTag).where(OrderTag.order_id == order_id))
    if tags:
        await session.execute(
            insert(OrderTag), [{"order_id": order_id, "tag": tag} for tag in tags]
        )


# --- transactions -------------------------------------------------------------------------


async def transactions_of(
    session: AsyncSession, order_ids: Sequence[int]
) -> list[OrderTransaction]:
    if not order_ids:
        return []
    statement = (
        select(OrderTransaction)
        .where(OrderTransaction.order_id.in_(order_ids))
        .order_by(OrderTransaction.id)
    )
    return list((await session.scalars(statement)).all())


# --- fulfillment orders -------------------------------------------------------------------

FULFILLMENT_ORDERS = ChildList(
    FulfillmentOrder, FulfillmentOrder.order_id, SortKey("ID", FulfillmentOrder.id)
)
"""An order's fulfillment orders."""
FULFILLMENT_ORDER_LINES = ChildList(
    FulfillmentOrderLine,
    FulfillmentOrderLine.fulfillment_order_id,
    SortKey("ID", FulfillmentOrderLine.id),
)
"""A fulfillment order's lines."""


async def fulfillment_orders_of(
    session: AsyncSession, order_ids: Sequence[int]
) -> list[FulfillmentOrder]:
    if not order_ids:
        return []
    statement = (
        select(FulfillmentOrder)
        .where(FulfillmentOrder.order_id.in_(order_ids))
        .order_by(FulfillmentOrder.id)
    )
    return list((await session.scalars(statement)).all())


async def get_fulfillment_orders(
    session: AsyncSession, ids: Sequence[int], *, for_update: bool = False
) -> list[FulfillmentOrder]:
    if not ids:
        return []
    statement = select(FulfillmentOrder).where(FulfillmentOrder.id.in_(ids))
    if for_update:
        statement = (
            statement.order_by(FulfillmentOrder.id).with_for_update().execution_options(**LOCKED)
        )
    return list((await session.scalars(statement)).all())


async def fulfillment_order_lines_of(
    session: AsyncSession, fulfillment_order_ids: Sequence[int]
) -> list[FulfillmentOrderLine]:
    if not fulfillment_order_ids:
        return []
    statement = (
        select(FulfillmentOrderLine)
        .where(FulfillmentOrderLine.fulfillment_order_id.in_(fulfillment_order_ids))
        .order_by(FulfillmentOrderLine.id)
    )
    return list((await session.scalars(statement)).all())


async def committed_units(session: AsyncSession, order_id: int) -> list[tuple[int, int, int]]:
    """(item id, location id, units) an order's fulfillment orders committed."""
    statement = (
        select(OrderLine.item_id, FulfillmentOrder.location_id, FulfillmentOrderLine.total_quantity)
        .join(FulfillmentOrder, FulfillmentOrder.id == FulfillmentOrderLine.fulfillment_order_id)
        .join(OrderLine, OrderLine.id == FulfillmentOrderLine.order_line_id)
        .where(FulfillmentOrder.order_id == order_id, FulfillmentOrderLine.level_id.is_not(None))
    )
    return [(row[0], row[1], row[2]) for row in await session.execute(statement) if row[0]]


async def order_lines_by_id(session: AsyncSession, ids: Sequence[int]) -> list[OrderLine]:
    if not ids:
        return []
    return list((await session.scalars(select(OrderLine).where(OrderLine.id.in_(ids)))).all())


# --- customers' order statistics ----------------------------------------------------------


async def count_order_for_customer(
    session: AsyncSession, customer_id: int, currency_code: str
) -> None:
    """One more order; the customer's money is counted in the currency of the first one."""
    await session.execute(
        update(Customer)
        .where(Customer.id == customer_id)
        .values(
            orders_count=Customer.orders_count + 1,
            currency_code=func.coalesce(Customer.currency_code, currency_code),
        )
        .execution_options(synchronize_session=False)
    )


async def add_customer_spending(
    session: AsyncSession, customer_id: int, currency_code: str, amount: Decimal
) -> None:
    """Money a customer paid (negative: refunded), when it is in the customer's currency."""
    if amount == 0:
        return
    await session.execute(
        update(Customer)
        .where(Customer.id == customer_id, Customer.currency_code == currency_code)
        .values(amount_spent=Customer.amount_spent + amount)
        .execution_options(synchronize_session=False)
    )


async def rename_customer(session: AsyncSession, customer_id: int, sort_name: str) -> None:
    """Keep sorting orders by customer name right after a customer's name changes."""
    await session.execute(
        update(Order)
        .where(Order.customer_id == customer_id)
        .values(customer_sort_name=sort_name)
        .execution_options(synchronize_session=False, **ALL_ROWS)
    )


CUSTOMER_ORDERS = ChildList(Order, Order.customer_id, SortKey("ID", Order.id))
"""A customer's orders."""


async def transactions_by_id(session: AsyncSession, ids: Sequence[int]) -> list[OrderTransaction]:
    if not ids:
        return []
    statement = select(OrderTransaction).where(OrderTransaction.id.in_(ids))
    return list((await session.scalars(statement)).all())


async def fulfillment_order_lines_by_id(
    session: AsyncSession, ids: Sequence[int]
) -> list[FulfillmentOrderLine]:
    if not ids:
        return []
    statement = select(FulfillmentOrderLine).where(FulfillmentOrderLine.id.in_(ids))
    return list((await session.scalars(statement)).all())
