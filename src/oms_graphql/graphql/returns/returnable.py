"""``returnableFulfillments``: what of an order's shipments can still come back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import strawberry

from oms_graphql import models
from oms_graphql.graphql.fulfillment.shipments import Fulfillment, FulfillmentLineItem
from oms_graphql.graphql.pagination import After, Connection, First, connection
from oms_graphql.paging import CursorCodec, Page, PageRequest, SortKey
from oms_graphql.returns.service import Returnable

T = TypeVar("T")
N = TypeVar("N")

FULFILLMENT_POSITION = SortKey("ID", models.Fulfillment.id)
LINE_POSITION = SortKey("ID", models.FulfillmentLine.id)


def page_of(
    rows: Sequence[T],
    key: Callable[[T], int],
    sort: SortKey,
    first: int | None,
    after: str | None,
    convert: Callable[[T], N],
) -> Connection[N]:
    """A keyset page of a short list already computed in memory (ordered by ``key``)."""
    request = PageRequest.from_args(first, after)
    codec = CursorCodec(sort, reverse=False, query=None)
    start = codec.decode(after).id if after is not None else 0
    following = [row for row in rows if key(row) > start]
    kept = following[: request.size]
    page: Page[Any] = Page(
        edges=[(codec.encode(key(row), key(row)), row) for row in kept],
        has_next_page=len(following) > request.size,
        has_previous_page=after is not None,
    )
    return connection(page, convert)


@strawberry.type(description="Units of one shipped line that can still be returned.")
class ReturnableFulfillmentLineItem:
    quantity: int = strawberry.field(description="Units that can still come back.")
    fulfillment_line_item: FulfillmentLineItem = strawberry.field(description="The shipped line.")


@strawberry.type(description="A shipment with units that can still be returned.")
class ReturnableFulfillment:
    fulfillment: Fulfillment = strawberry.field(description="The shipment.")
    lines: strawberry.Private[list[Returnable]]

    @strawberry.field(description="Its lines with units to return, a page at a time.")
    def returnable_fulfillment_line_items(
        self, first: First = None, after: After = None
    ) -> Connection[ReturnableFulfillmentLineItem]:
        return page_of(
            self.lines,
            lambda entry: entry.line.id,
            LINE_POSITION,
            first,
            after,
            lambda entry: ReturnableFulfillmentLineItem(
                quantity=entry.quantity,
                fulfillment_line_item=FulfillmentLineItem.from_model(entry.line),
            ),
        )
