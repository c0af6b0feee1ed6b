"""All SQL about refunds, their lines and transactions, and the returned units they may
take out of an order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.models import (
    OrderTransaction,
    Refund,
    RefundLine,
    Return,
    ReturnLine,
    ReverseFulfillmentOrderLine,
)


async def refunds_of_orders(session: AsyncSession, order_ids: Sequence[int]) -> list[Refund]:
    if not order_ids:
        return []
    statement = select(Refund).where(Refund.order_id.in_(set(order_ids))).order_by(Refund.id)
    return list((await session.scalars(statement)).all())


async def refunds_of_returns(session: AsyncSession, return_ids: Sequence[int]) -> list[Refund]:
    if not return_ids:
        return []
    statement = select(Refund).where(Refund.return_id.in_(set(return_ids))).order_by(Refund.id)
    return list((await session.scalars(statement)).all())


async def refunds_by_id(session: AsyncSession, ids: Sequence[int]) -> list[Refund]:
    if not ids:
        return []
    return list((await session.scalars(select(Refund).where(Refund.id.in_(set(ids))))).all())


async def lines_of(session: AsyncSession, refund_ids: Sequence[int]) -> list[RefundLine]:
    if not refund_ids:
        return []
    statement = (
        select(RefundLine).where(RefundLine.refund_id.in_(set(refund_ids))).order_by(RefundLine.id)
    )
    return list((await session.scalars(statement)).all())


async def transactions_of(
    session: AsyncSession, refund_ids: Sequence[int]
) -> list[OrderTransaction]:
    if not refund_ids:
        return []
    statement = (
        select(OrderTransaction)
        .where(OrderTransaction.refund_id.in_(set(refund_ids)))
        .order_by(OrderTransaction.id)
    )
    return list((await session.scalars(statement)).all())


@dataclass(frozen=True, slots=True)
class Received:
    """A return line and how many of its units were disposed (received)."""

    line: ReturnLine
    disposed: int


async def received_lines(session: AsyncSession, order_id: int) -> list[Received]:
    """The return lines of the order with disposed units, oldest first. The caller holds
    the order's lock, which every return mutation takes first."""
    disposed = func.sum(
        ReverseFulfillmentOrderLine.total_quantity - ReverseFulfillmentOrderLine.remaining_quantity
    )
    statement = (
        select(ReturnLine, disposed)
        .join(Return, Return.id == ReturnLine.return_id)
        .join(
            ReverseFulfillmentOrderLine,
            ReverseFulfillmentOrderLine.return_line_id == ReturnLine.id,
        )
        .where(Return.order_id == order_id)
        .group_by(ReturnLine.id)
        .order_by(ReturnLine.id)
    )
    return [
        Received(line, int(units or 0))
        for line, units in (await session.execute(statement)).all()
        if units
    ]
