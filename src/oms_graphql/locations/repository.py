"""All SQL about locations."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.models import Location
from oms_graphql.paging import Page, PageRequest, SortKey, fetch_page

SORT_KEYS: dict[str, SortKey] = {
    "ID": SortKey("ID", Location.id),
    "NAME": SortKey("NAME", Location.name),
    "PRIORITY": SortKey("PRIORITY", Location.priority),
    "CREATED_AT": SortKey("CREATED_AT", Location.created_at),
}


async def get(
    session: AsyncSession, location_id: int, *, for_update: bool = False
) -> Location | None:
    statement = select(Location).where(Location.id == location_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def get_many(session: AsyncSession, ids: Sequence[int]) -> list[Location]:
    if not ids:
        return []
    return list((await session.scalars(select(Location).where(Location.id.in_(ids)))).all())


async def name_taken(session: AsyncSession, name: str, *, except_id: int | None = None) -> bool:
    statement = select(Location.id).where(func.lower(Location.name) == name.lower()).limit(1)
    if except_id is not None:
        statement = statement.where(Location.id != except_id)
    return (await session.scalar(statement)) is not None


async def count(session: AsyncSession) -> int:
    return (await session.scalar(select(func.count()).select_from(Location))) or 0


async def page(
    session: AsyncSession, *, request: PageRequest, sort_key: str = "ID", reverse: bool = False
) -> Page[Location]:
    return await fetch_page(
        session,
        select(Location),
        sort=SORT_KEYS[sort_key],
        id_column=Location.id,
        request=request,
        reverse=reverse,
    )
