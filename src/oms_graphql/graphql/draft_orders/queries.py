from __future__ import annotations

import enum
from typing import Annotated

import strawberry

from oms_graphql.draft_orders import repository
from oms_graphql.graphql.common import Count
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.draft_orders.types import DraftOrder
from oms_graphql.graphql.node import GlobalIdArgument
from oms_graphql.graphql.pagination import (
    After,
    Before,
    Connection,
    First,
    Last,
    Reverse,
    listing_connection,
    listing_count,
)
from oms_graphql.graphql.permissions import requires
from oms_graphql.ids import decode_gid
from oms_graphql.search import describe


@strawberry.enum(description="How to order a list of draft orders.")
class DraftOrderSortKeys(enum.Enum):
    ID = "ID"
    NUMBER = "NUMBER"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    TOTAL_PRICE = "TOTAL_PRICE"
    CUSTOMER_NAME = "CUSTOMER_NAME"
    STATUS = "STATUS"


DraftOrderQuery = Annotated[
    str | None,
    strawberry.argument(
        description=(
            "Search, e.g. 'status:open tag:b2b sku:TEE-* email:anna@example.com'. "
            f"Fields: {describe(repository.SEARCH)}."
        )
    ),
]


@strawberry.type
class DraftOrderQueries:
    @strawberry.field(
        description="A draft order by id; null when there is none or your token may not see it.",
        extensions=requires("read_draft_orders"),
    )
    async def draft_order(self, info: Info, id: GlobalIdArgument) -> DraftOrder | None:
        (row,) = await info.context.loaders.draft_order.load_many(
            [decode_gid(id, expected="DraftOrder").pk]
        )
        return DraftOrder.from_model(row) if row else None

    @strawberry.field(
        description="Draft orders, a page at a time, searched and sorted (oldest first by "
        "default).",
        extensions=requires("read_draft_orders"),
    )
    async def draft_orders(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        query: DraftOrderQuery = None,
        sort_key: Annotated[
            DraftOrderSortKeys, strawberry.argument(description="What to order drafts by.")
        ] = DraftOrderSortKeys.ID,
        reverse: Reverse = False,
    ) -> Connection[DraftOrder]:
        return await listing_connection(
            info,
            repository.LISTING,
            DraftOrder.from_model,
            first=first,
            after=after,
            last=last,
            before=before,
            query=query,
            sort_key=sort_key.value,
            reverse=reverse,
        )

    @strawberry.field(
        description="How many draft orders match a search.",
        extensions=requires("read_draft_orders"),
    )
    async def draft_orders_count(self, info: Info, query: DraftOrderQuery = None) -> Count:
        return Count(count=await listing_count(info, repository.LISTING, query))
