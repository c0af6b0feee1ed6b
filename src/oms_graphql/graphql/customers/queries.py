from __future__ import annotations

from typing import Annotated

import strawberry

from oms_graphql.customers import repository
from oms_graphql.graphql.common import Count
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.customers.types import Customer, CustomerSortKeys
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

CustomerQuery = Annotated[
    str | None,
    strawberry.argument(
        description=(
            f"Search, e.g. 'country:IT tag:vip -tag:test'. Fields: {describe(repository.SEARCH)}."
        )
    ),
]


@strawberry.type
class CustomerQueries:
    @strawberry.field(
        description="A customer by id; null when there is none.",
        extensions=requires("read_customers"),
    )
    async def customer(self, info: Info, id: GlobalIdArgument) -> Customer | None:
        row = await info.context.loaders.customer.load(decode_gid(id, expected="Customer").pk)
        return Customer.from_model(row) if row else None

    @strawberry.field(
        description="Customers, a page at a time, searched and sorted.",
        extensions=requires("read_customers"),
    )
    async def customers(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        query: CustomerQuery = None,
        sort_key: Annotated[
            CustomerSortKeys, strawberry.argument(description="What to order customers by.")
        ] = CustomerSortKeys.ID,
        reverse: Reverse = False,
    ) -> Connection[Customer]:
        return await listing_connection(
            info,
            repository.LISTING,
            Customer.from_model,
            first=first,
            after=after,
            last=last,
            before=before,
            query=query,
            sort_key=sort_key.value,
            reverse=reverse,
        )

    @strawberry.field(
        description="How many customers match a search.", extensions=requires("read_customers")
    )
    async def customers_count(self, info: Info, query: CustomerQuery = None) -> Count:
        return Count(count=await listing_count(info, repository.LISTING, query))
