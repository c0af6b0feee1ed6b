from __future__ import annotations

import enum
from collections import defaultdict
from typing import Annotated

import strawberry

from oms_graphql.graphql.context import Info
from oms_graphql.graphql.fulfillment.shipments import Fulfillment
from oms_graphql.graphql.node import GlobalIdArgument
from oms_graphql.graphql.pagination import (
    After,
    Before,
    Connection,
    First,
    Last,
    Reverse,
    listing_connection,
)
from oms_graphql.graphql.permissions import requires, requires_any
from oms_graphql.graphql.returns.returnable import (
    FULFILLMENT_POSITION,
    ReturnableFulfillment,
    page_of,
)
from oms_graphql.graphql.returns.types import Return
from oms_graphql.ids import decode_gid
from oms_graphql.returns import repository, service
from oms_graphql.returns.service import Returnable
from oms_graphql.search import describe


@strawberry.enum(description="How to order a list of returns.")
class ReturnSortKeys(enum.Enum):
    ID = "ID"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"


@strawberry.type
class ReturnQueries:
    @strawberry.field(
        name="return",
        description=(
            "A return by id; null when there is none or you may not see it (a customer "
            "token sees the returns of its own orders)."
        ),
        extensions=requires_any("read_returns", "customer"),
    )
    async def return_(self, info: Info, id: GlobalIdArgument) -> Return | None:
        row = await info.context.loaders.return_.load(decode_gid(id, expected="Return").pk)
        return Return.from_model(row) if row else None

    @strawberry.field(
        description=(
            "Returns, oldest first unless sorted, e.g. 'status:requested' (a customer "
            "token lists the returns of its own orders). "
            f"Fields: {describe(repository.SEARCH)}."
        ),
        extensions=requires_any("read_returns", "customer"),
    )
    async def returns(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        query: Annotated[str | None, strawberry.argument(description="Search.")] = None,
        sort_key: Annotated[
            ReturnSortKeys, strawberry.argument(description="Order of the list.")
        ] = ReturnSortKeys.ID,
        reverse: Reverse = False,
    ) -> Connection[Return]:
        return await listing_connection(
            info,
            repository.LISTING,
            Return.from_model,
            first=first,
            after=after,
            last=last,
            before=before,
            query=query,
            sort_key=sort_key.value,
            reverse=reverse,
        )

    @strawberry.field(
        description=(
            "An order's shipments with units that can still come back: shipped units minus "
            "units on returns that were not declined or cancelled. Empty for an order you "
            "may not see."
        ),
        extensions=requires("read_returns"),
    )
    async def returnable_fulfillments(
        self,
        info: Info,
        order_id: Annotated[strawberry.ID, strawberry.argument(description="The order.")],
        first: First = None,
        after: After = None,
    ) -> Connection[ReturnableFulfillment]:
        pk = decode_gid(order_id, expected="Order").pk
        (order,) = await info.context.loaders.order.load_many([pk])
        entries: list[Returnable] = []
        if order is not None:
            async with info.context.db.reading() as session:
                entries = await service.returnable(session, pk)
        by_fulfillment: dict[int, list[Returnable]] = defaultdict(list)
        for entry in entries:
            if entry.quantity > 0:
                by_fulfillment[entry.line.fulfillment_id].append(entry)
        rows = await info.context.loaders.fulfillment.load_many(sorted(by_fulfillment))
        found = [
            ReturnableFulfillment(
                fulfillment=Fulfillment.from_model(row), lines=by_fulfillment[row.id]
            )
            for row in rows
            if row is not None
        ]
        return page_of(
            found,
            lambda item: item.fulfillment.row.id,
            FULFILLMENT_POSITION,
            first,
            after,
            lambda item: item,
        )
