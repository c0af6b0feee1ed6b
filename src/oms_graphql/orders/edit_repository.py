"""All SQL about order edits (staged editing sessions) and what committing one rewrites."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import LOCKED
from oms_graphql.models import DiscountAllocation, OrderEdit, OrderEditLine


async def get(session: AsyncSession, edit_id: int, *, for_update: bool = False) -> OrderEdit | None:
    statement = select(OrderEdit).where(OrderEdit.id == edit_id)
    if for_update:
        statement = statement.with_for_update().execution_options(**LOCKED)
    return (await session.execute(statement)).scalar_one_or_none()


async def get_many(session: AsyncSession, ids: Sequence[int]) -> list[OrderEdit]:
    if not ids:
        return []
    return list((await session.scalars(select(OrderEdit).where(OrderEdit.id.in_(ids)))).all())


async def lines_of(session: AsyncSession, edit_ids: Sequence[int]) -> list[OrderEditLine]:
    if not edit_ids:
        return []
    statement = (
        select(OrderEditLine)
        .where(OrderEditLine.edit_id.in_(edit_ids))
        .order_by(OrderEditLine.edit_id, OrderEditLine.position, OrderEditLine.id)
    )
    return list((await session.scalars(statement)).all())


async def lines_by_id(session: AsyncSession, ids: Sequence[int]) -> list[OrderEditLine]:
    if not ids:
        return []
    statement = select(OrderEditLine).where(OrderEditLine.id.in_(ids))
    return list((await session.scalars(statement)).all())


async def remove_line(session: AsyncSession, line_id: int) -> None:
    await session.execute(delete(OrderEditLine).where(OrderEditLine.id == line_id))


async def delete_allocations(session: AsyncSession, line_ids: Sequence[int]) -> None:
    """Every discount allocation of these order lines (an edit allocates them again)."""
    if line_ids:
        await session.execute(
            delete(DiscountAllocation).where(DiscountAllocation.line_id.in_(line_ids))
        )
