from __future__ import annotations

import enum
from typing import Annotated

import strawberry

from oms_graphql.graphql.common import Count
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.node import GlobalIdArgument
from oms_graphql.graphql.orders.types import (
    FulfillmentOrder,
    Order,
    load_fulfillment_orders,
)
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
from oms_graphql.graphql.permissions import requires, requires_any
from oms_graphql.ids import decode_gid
from oms_graphql.orders import repository
from oms_graphql.search import describe


@strawberry.enum(description="How to order a list of orders.")
class OrderSortKeys(enum.Enum):
    ID = "ID"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    PROCESSED_AT = "PROCESSED_AT"
    ORDER_NUMBER = "ORDER_NUMBER"
    TOTAL_PRICE = "TOTAL_PRICE"
    CUSTOMER_NAME = "CUSTOMER_NAME"


OrderQuery = Annotated[
    str | None,
    strawberry.argument(
        description=(
            "Search, e.g. 'status:open tag:vip sku:TEE-* created_at:>2026-01-01'. "
            f"Fields: {describe(repository.SEARCH)}."
        )
    ),
]


@strawberry.type
class OrderQueries:
    @strawberry.field(
        description=(
            "An order by id; null when there is none or your token may not see it (a "
            "customer token sees its own orders)."
        ),
        extensions=requires_any("read_orders", "customer"),
    )
    async def order(self, info: Info, id: GlobalIdArgument) -> Order | None:
        (row,) = await info.context.loaders.order.load_many([decode_gid(id, expected="Order").pk])
        return Order.from_model(row) if row else None

    @strawberry.field(
        description=(
            "Orders, a page at a time, searched and sorted (oldest first by default); a "
            "customer token lists its own orders."
        ),
        extensions=requires_any("read_orders", "customer"),
    )
    async def orders(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        query: OrderQuery = None,
        sort_key: Annotated[
            OrderSortKeys, strawberry.argument(description="What to order orders by.")
        ] = OrderSortKeys.ID,
        reverse: Reverse = False,
    ) -> Connection[Order]:
        return await listing_connection(
            info,
            repository.LISTING,
            Order.from_model,
            first=first,
            after=after,
            last=last,
            before=before,
            query=query,
            sort_key=sort_key.value,
            reverse=reverse,
        )

    @strawberry.field(
        description="How many orders match a search.",
        extensions=requires_any("read_orders", "customer"),
    )
    async def orders_count(self, info: Info, query: OrderQuery = None) -> Count:
        return Count(count=await listing_count(info, repository.LISTING, query))

    @strawberry.field(
        description="A fulfillment order by id; null when there is none or you may not see it.",
        extensions=requires("read_fulfillments"),
    )
    async def fulfillment_order(self, info: Info, id: GlobalIdArgument) -> FulfillmentOrder | None:
        pk = decode_gid(id, expected="FulfillmentOrder").pk
        return (await load_fulfillment_orders(info, [pk]))[0]
