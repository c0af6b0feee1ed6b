from __future__ import annotations

from typing import Annotated

import strawberry

from oms_graphql.graphql.common import Count
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.locations.types import Location, LocationSortKeys
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
from oms_graphql.graphql.permissions import requires, requires_any
from oms_graphql.ids import decode_gid
from oms_graphql.locations import repository
from oms_graphql.search import describe

LocationQuery = Annotated[
    str | None,
    strawberry.argument(
        description=(
            "Search, e.g. 'kind:store pickup_enabled:true country:IT'. "
            f"Fields: {describe(repository.SEARCH)}."
        )
    ),
]


@strawberry.type
class LocationQueries:
    @strawberry.field(
        description="A location by id; null when it does not exist.",
        extensions=requires("read_locations"),
    )
    async def location(self, info: Info, id: GlobalIdArgument) -> Location | None:
        row = await info.context.loaders.location.load(decode_gid(id, expected="Location").pk)
        return Location.from_model(row) if row else None

    @strawberry.field(
        description=(
            "Locations, a page at a time (oldest first unless sortKey says otherwise). "
            "Storefronts see the public fields: id, name, address, pickupEnabled."
        ),
        extensions=requires_any("read_locations", "storefront"),
    )
    async def locations(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        query: LocationQuery = None,
        sort_key: Annotated[
            LocationSortKeys, strawberry.argument(description="What to order locations by.")
        ] = LocationSortKeys.ID,
        reverse: Reverse = False,
    ) -> Connection[Location]:
        return await listing_connection(
            info,
            repository.LISTING,
            Location.from_model,
            first=first,
            after=after,
            last=last,
            before=before,
            query=query,
            sort_key=sort_key.value,
            reverse=reverse,
        )

    @strawberry.field(
        description="How many locations match a search.", extensions=requires("read_locations")
    )
    async def locations_count(self, info: Info, query: LocationQuery = None) -> Count:
        return Count(count=await listing_count(info, repository.LISTING, query))
