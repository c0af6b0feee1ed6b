"""Nested inventory lists: first pages come batched for many parents, later pages one by one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.errors import BadUserInput
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.pagination import Connection, connection, nested_connection
from oms_graphql.inventory import repository
from oms_graphql.inventory.repository import LevelState
from oms_graphql.paging import Page, PageRequest

if TYPE_CHECKING:
    from oms_graphql.graphql.inventory.types import InventoryLevel, InventoryLevelChange


async def levels_connection(
    info: Info,
    *,
    item_id: int | None = None,
    location_id: int | None = None,
    first: int | None,
    after: str | None,
    query: str | None = None,
) -> Connection[InventoryLevel]:
    from oms_graphql.graphql.inventory.types import InventoryLevel

    async def fetch(session: AsyncSession, request: PageRequest) -> Page[LevelState]:
        return await repository.levels_page(
            session, item_id=item_id, location_id=location_id, request=request, query=query
        )

    if (query or "").strip():
        async with info.context.db.reading() as session:
            page = await fetch(session, PageRequest.from_args(first, after))
        return connection(page, InventoryLevel.from_state)
    if item_id is not None:
        children, parent_id = repository.LEVELS_OF_ITEM, item_id
    else:
        assert location_id is not None
        children, parent_id = repository.LEVELS_OF_LOCATION, location_id
    return await nested_connection(
        info,
        children,
        parent_id=parent_id,
        first=first,
        after=after,
        convert=InventoryLevel.from_state,
    )


async def changes_connection(
    info: Info, *, level_id: int, first: int | None, after: str | None
) -> Connection[InventoryLevelChange]:
    from oms_graphql.graphql.inventory.types import InventoryLevelChange

    request = PageRequest.from_args(first, after)
    if request.backwards:
        raise BadUserInput("the ledger pages forwards only")
    async with info.context.db.reading() as session:
        page = await repository.changes_page(session, level_id=level_id, request=request)
    return connection(page, InventoryLevelChange.from_model)
