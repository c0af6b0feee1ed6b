"""All SQL about returns, their lines, reverse fulfillment orders, deliveries and
dispositions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import LOCKED
from oms_graphql.errors import BadUserInput
from oms_graphql.listing import Listing
from oms_graphql.models import (
    ExchangeLine,
    Fulfillment,
    FulfillmentLine,
    FulfillmentState,
    Order,
    Return,
    ReturnLine,
    ReturnStatus,
    ReverseDelivery,
    ReverseDeliveryLine,
    ReverseDisposition,
    ReverseFulfillmentOrder,
    ReverseFulfillmentOrderLine,
)
from oms_graphql.paging import ChildList, SortKey
from oms_graphql.search import SearchSpec, custom, enumeration, identifier, timestamp

NOT_RETURNING = (ReturnStatus.DECLINED, ReturnStatus.CANCELLED)
"""Statuses of returns whose units stay with the buyer (returnable again)."""

SORT_KEYS: dict[str, SortKey] = {
    "ID": SortKey("ID", Return.id),
    "CREATED_AT": SortKey("CREATED_AT", Return.created_at),
    "UPDATED_AT": SortKey("UPDATED_AT", Return.updated_at),
}
RETURNS_OF_ORDER = ChildList(Return, Return.order_id, SortKey("ID", Return.id))
"""An order's returns."""
REVERSE_FULFILLMENT_ORDERS = ChildList(
    ReverseFulfillmentOrder,
    ReverseFulfillmentOrder.return_id,
    SortKey("ID", ReverseFulfillmentOrder.id),
)
"""A return's reverse fulfillment orders."""
RFO_LINES = ChildList(
    ReverseFulfillmentOrderLine,
    ReverseFulfillmentOrderLine.reverse_fulfillment_order_id,
    SortKey("ID", ReverseFulfillmentOrderLine.id),
)
"""A reverse fulfillment order's lines."""
EXCHANGE_LINES = ChildList(ExchangeLine, ExchangeLine.return_id, SortKey("ID", ExchangeLine.id))
"""A return's exchange lines."""


def _of_order_named(op: str, value: str) -> ColumnElement[bool]:
    digits = value.removeprefix("#")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        raise BadUserInput(f"{value!r} is not an order name such as #1001", value=value)
    return Return.order_id.in_(select(Order.id).where(Order.number == int(digits)))


SEARCH = SearchSpec(
    fields={
        "id": identifier(Return.id, "Return", "numeric or global id; >, < work"),
        "status": enumeration(Return.status, ReturnStatus, "requested, open, closed..."),
        "order_id": identifier(Return.order_id, "Order", "the order's numeric or global id"),
        "order_name": custom(_of_order_named, "the order's name, e.g. #1001"),
        "created_at": timestamp(Return.created_at, "date or time; >, >=, <, <= work"),
        "updated_at": timestamp(Return.updated_at, "date or time; >, >=, <, <= work"),
    },
    text_columns=(Return.name,),
)

LISTING = Listing(Return, Return.id, SORT_KEYS, SEARCH)
"""Search, sort and page returns."""


# --- returns ------------------------------------------------------------------------------


async def get(session: AsyncSession, return_id: int, *, for_update: bool = False) -> Return | None:
    statement = select(Return).where(Return.id == return_id)
    if for_update:
        statement = statement.with_for_update().execution_options(**LOCKED)
    return (await session.execute(statement)).scalar_one_or_none()


async def returns_by_id(
    session: AsyncSession, ids: Sequence[int], *, for_update: bool = False
) -> list[Return]:
    """The returns in id order (the order rows are locked in, with ``for_update``)."""
    if not ids:
        return []
    statement = select(Return).where(Return.id.in_(set(ids))).order_by(Return.id)
    if for_update:
        statement = statement.with_for_update().execution_options(**LOCKED)
    return list((await session.scalars(statement)).all())


async def count_of_order(session: AsyncSession, order_id: int) -> int:
    statement = select(func.count()).select_from(Return).where(Return.order_id == order_id)
    return int(await session.scalar(statement) or 0)


async def lines_of(session: AsyncSession, return_ids: Sequence[int]) -> list[ReturnLine]:
    if not return_ids:
        return []
    statement = (
        select(ReturnLine).where(ReturnLine.return_id.in_(set(return_ids))).order_by(ReturnLine.id)
    )
    return list((await session.scalars(statement)).all())


async def return_lines_by_id(session: AsyncSession, ids: Sequence[int]) -> list[ReturnLine]:
    if not ids:
        return []
    statement = select(ReturnLine).where(ReturnLine.id.in_(set(ids)))
    return list((await session.scalars(statement)).all())


# --- what was shipped and what is coming back ----------------------------------------------


async def shipped_lines(session: AsyncSession, order_id: int) -> list[FulfillmentLine]:
    """The lines of the order's fulfillments that were not cancelled, in id order."""
    statement = (
        select(FulfillmentLine)
        .join(Fulfillment, Fulfillment.id == FulfillmentLine.fulfillment_id)
        .where(Fulfillment.order_id == order_id, Fulfillment.status == FulfillmentState.SUCCESS)
        .order_by(FulfillmentLine.id)
    )
    return list((await session.scalars(statement)).all())


async def returning_units(session: AsyncSession, order_id: int) -> dict[int, int]:
    """Fulfillment line id -> units on this order's returns that are not declined or
    cancelled."""
    statement = (
        select(ReturnLine.fulfillment_line_id, func.sum(ReturnLine.quantity))
        .join(Return, Return.id == ReturnLine.return_id)
        .where(Return.order_id == order_id, Return.status.not_in(NOT_RETURNING))
        .group_by(ReturnLine.fulfillment_line_id)
    )
    return {int(row[0]): int(row[1]) for row in await session.execute(statement)}


# --- reverse fulfillment orders ----------------------------------------------------------


async def reverse_fulfillment_orders_of(
    session: AsyncSession, return_ids: Sequence[int]
) -> list[ReverseFulfillmentOrder]:
    if not return_ids:
        return []
    statement = (
        select(ReverseFulfillmentOrder)
        .where(ReverseFulfillmentOrder.return_id.in_(set(return_ids)))
        .order_by(ReverseFulfillmentOrder.id)
    )
    return list((await session.scalars(statement)).all())


async def reverse_fulfillment_orders_by_id(
    session: AsyncSession, ids: Sequence[int]
) -> list[ReverseFulfillmentOrder]:
    if not ids:
        return []
    statement = select(ReverseFulfillmentOrder).where(ReverseFulfillmentOrder.id.in_(set(ids)))
    return list((await session.scalars(statement)).all())


async def rfo_lines_of(
    session: AsyncSession, rfo_ids: Sequence[int], *, for_update: bool = False
) -> list[ReverseFulfillmentOrderLine]:
    if not rfo_ids:
        return []
    statement = (
        select(ReverseFulfillmentOrderLine)
        .where(ReverseFulfillmentOrderLine.reverse_fulfillment_order_id.in_(set(rfo_ids)))
        .order_by(ReverseFulfillmentOrderLine.id)
    )
    if for_update:
        statement = statement.with_for_update().execution_options(**LOCKED)
    return list((await session.scalars(statement)).all())


async def rfo_lines_by_id(
    session: AsyncSession, ids: Sequence[int], *, for_update: bool = False
) -> list[ReverseFulfillmentOrderLine]:
    if not ids:
        return []
    statement = (
        select(ReverseFulfillmentOrderLine)
        .where(ReverseFulfillmentOrderLine.id.in_(set(ids)))
        .order_by(ReverseFulfillmentOrderLine.id)
    )
    if for_update:
        statement = statement.with_for_update().execution_options(**LOCKED)
    return list((await session.scalars(statement)).all())


async def dispositions_of(
    session: AsyncSession, line_ids: Sequence[int]
) -> list[ReverseDisposition]:
    if not line_ids:
        return []
    statement = (
        select(ReverseDisposition)
        .where(ReverseDisposition.line_id.in_(set(line_ids)))
        .order_by(ReverseDisposition.id)
    )
    return list((await session.scalars(statement)).all())


async def deliveries_of(session: AsyncSession, rfo_ids: Sequence[int]) -> list[ReverseDelivery]:
    if not rfo_ids:
        return []
    statement = (
        select(ReverseDelivery)
        .where(ReverseDelivery.reverse_fulfillment_order_id.in_(set(rfo_ids)))
        .order_by(ReverseDelivery.id)
    )
    return list((await session.scalars(statement)).all())


async def deliveries_by_id(session: AsyncSession, ids: Sequence[int]) -> list[ReverseDelivery]:
    if not ids:
        return []
    statement = select(ReverseDelivery).where(ReverseDelivery.id.in_(set(ids)))
    return list((await session.scalars(statement)).all())


async def delivery_lines_of(
    session: AsyncSession, delivery_ids: Sequence[int]
) -> list[ReverseDeliveryLine]:
    if not delivery_ids:
        return []
    statement = (
        select(ReverseDeliveryLine)
        .where(ReverseDeliveryLine.reverse_delivery_id.in_(set(delivery_ids)))
        .order_by(ReverseDeliveryLine.id)
    )
    return list((await session.scalars(statement)).all())


# --- exchanges ---------------------------------------------------------------------------


async def exchange_lines_of(session: AsyncSession, return_ids: Sequence[int]) -> list[ExchangeLine]:
    if not return_ids:
        return []
    statement = (
        select(ExchangeLine)
        .where(ExchangeLine.return_id.in_(set(return_ids)))
        .order_by(ExchangeLine.id)
    )
    return list((await session.scalars(statement)).all())
