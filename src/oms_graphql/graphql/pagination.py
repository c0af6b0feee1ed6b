"""Relay connections (edges, nodes, pageInfo) over keyset pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from sqlalchemy import ColumnElement

from oms_graphql.graphql.context import Info
from oms_graphql.listing import Listing
from oms_graphql.paging import (
    MAX_PAGE_SIZE,
    CursorCodec,
    Nested,
    Page,
    PageRequest,
    first_page,
)

First = Annotated[
    int | None,
    strawberry.argument(
        description=(
            f"Items after `after` (at most {MAX_PAGE_SIZE}; 50 when neither first nor last)."
        )
    ),
]
After = Annotated[str | None, strawberry.argument(description="Cursor to page forwards from.")]
Last = Annotated[
    int | None,
    strawberry.argument(description=f"Items before `before` (at most {MAX_PAGE_SIZE})."),
]
Before = Annotated[str | None, strawberry.argument(description="Cursor to page backwards from.")]
Reverse = Annotated[bool, strawberry.argument(description="Reverse the order of the sort key.")]

N = TypeVar("N")


@strawberry.type(description="Where this page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(
        description=(
            "Whether items precede this page. Exact when paging backwards; when paging "
            "forwards it is true whenever `after` was given."
        )
    )
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item.")


@strawberry.type(description="One item of a list, with the cursor to page from it.")
class Edge(Generic[N]):
    cursor: str = strawberry.field(description="Opaque keyset cursor of this item.")
    node: N = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list, ordered by its sort key, then by id.")
class Connection(Generic[N]):
    edges: list[Edge[N]] = strawberry.field(description="The items of this page with cursors.")
    page_info: PageInfo = strawberry.field(description="How to fetch the neighbouring pages.")

    @strawberry.field(description="The items of this page, without cursors.")
    def nodes(self) -> list[N]:
        return [edge.node for edge in self.edges]


def connection(page: Page[Any], convert: Callable[[Any], N]) -> Connection[N]:
    edges = [Edge(cursor=cursor, node=convert(row)) for cursor, row in page.edges]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


R = TypeVar("R")


async def nested_connection(
    info: Info,
    children: Nested[R],
    *,
    parent_id: int,
    first: int | None,
    after: str | None,
    convert: Callable[[R], N],
) -> Connection[N]:
    """A nested list (an order's lines...): first pages of many parents come from one
    batched statement, later pages (``after``) from one statement each."""
    request = PageRequest.from_args(first, after)
    if after is None:
        rows = await info.context.loaders.first_pages(children).load((parent_id, request.size))
        page = first_page(rows, request, CursorCodec(children.sort, reverse=False, query=None))
    else:
        async with info.context.db.reading() as session:
            page = await children.page(session, parent_id, request)
    return connection(page, convert)


async def listing_connection(
    info: Info,
    listing: Listing,
    convert: Callable[[Any], N],
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    query: str | None,
    sort_key: str,
    reverse: bool,
    scope: ColumnElement[bool] | None = None,
) -> Connection[N]:
    """One page of a searchable list (within ``scope``), in one short read session."""
    request = PageRequest.from_args(first, after, last, before)
    async with info.context.db.reading() as session:
        page = await listing.page(
            session, request=request, sort_key=sort_key, reverse=reverse, query=query, scope=scope
        )
    return connection(page, convert)


async def listing_count(
    info: Info, listing: Listing, query: str | None, scope: ColumnElement[bool] | None = None
) -> int:
    async with info.context.db.reading() as session:
        return await listing.count(session, query=query, scope=scope)
