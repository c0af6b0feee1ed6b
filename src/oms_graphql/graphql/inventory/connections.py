"""Nested inventory lists: first pages come batched for many parents, later pages one by one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oms_graphql.errors import BadUserInput
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.pagination import Connection, connection
from oms_graphql.inventory import repository
from oms_graphql.paging import CursorCodec, PageRequest, first_page

if TYPE_CHECKING:
    from oms_graphql.graphql.inventory.types import InventoryLevel, InventoryLevelChange

_FIRST_PAGE_CURSORS = CursorCodec(repository.LEVEL_POSITION, reverse=False, query=None)


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

    request = PageRequest.from_args(first, after)
    if after is None and not (query or "").strip():
        loaders = info.context.loaders
        if item_id is not None:
            rows = await loaders.levels_of_item.load((item_id, request.size))
        else:
            assert location_id is not None
            rows = await loaders.levels_of_location.load((location_id, request.size))
        page = first_page(rows, request, _FIRST_PAGE_CURSORS)
    else:
        async with info.context.db.reading() as session:
            page = await repository.levels_page(
                session, item_id=item_id, location_id=location_id, request=request, query=query
            )
    return connection(page, InventoryLevel.from_state)


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
