from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from oms_graphql import models
from oms_graphql.graphql.channels.types import Channel
from oms_graphql.graphql.common import MailingAddress
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.node import Node, register_node
from oms_graphql.graphql.pagination import After, Connection, First
from oms_graphql.graphql.permissions import requires, requires_token
from oms_graphql.ids import encode_gid
from oms_graphql.inventory.repository import LEVEL_SEARCH
from oms_graphql.search import describe

if TYPE_CHECKING:
    from oms_graphql.graphql.inventory.types import InventoryLevel

LEVEL_FIELDS = describe(LEVEL_SEARCH)

LocationKind = models.LocationKind
strawberry.enum(
    LocationKind,
    name="LocationKind",
    description=(
        "What a location is: a WAREHOUSE, a STORE (which may offer pickup), or a "
        "FULFILLMENT_SERVICE run by a third party (3PL)."
    ),
)


@strawberry.enum(description="How to order a list of locations.")
class LocationSortKeys(enum.Enum):
    ID = "ID"
    NAME = "NAME"
    PRIORITY = "PRIORITY"
    CREATED_AT = "CREATED_AT"


@strawberry.type(description="A place that holds stock and fulfils orders.")
class Location(Node):
    # Storefronts read id, name, address and pickupEnabled; the rest is for staff tokens.
    pk: strawberry.Private[int]
    name: str = strawberry.field(description="Unique name, e.g. 'Milano Warehouse'.")
    kind: LocationKind = strawberry.field(
        description="Warehouse, store or fulfillment service.", extensions=requires_token()
    )
    address: MailingAddress = strawberry.field(description="Where the location is.")
    is_active: bool = strawberry.field(
        description="Inactive locations keep their history but take no new work.",
        extensions=requires_token(),
    )
    fulfills_online_orders: bool = strawberry.field(
        description="Whether routing may send online orders here.", extensions=requires_token()
    )
    pickup_enabled: bool = strawberry.field(
        description="Whether customers may pick orders up here."
    )
    priority: int = strawberry.field(
        description="Routing preference: higher is preferred. Default 0.",
        extensions=requires_token(),
    )
    daily_order_capacity: int | None = strawberry.field(
        description="How many orders routing may assign here per UTC day; null means no limit.",
        extensions=requires_token(),
    )
    created_at: datetime = strawberry.field(
        description="When the location was added.", extensions=requires_token()
    )
    updated_at: datetime = strawberry.field(
        description="When the location last changed.", extensions=requires_token()
    )

    @strawberry.field(
        description="The channels this location serves; empty means it serves every channel.",
        extensions=requires_token(),
    )
    async def channels(self, info: Info) -> list[Channel]:
        rows = await info.context.loaders.channels_of_location.load(self.pk)
        return [Channel.from_model(row) for row in rows]

    @strawberry.field(
        description="What is stocked here, a page at a time.",
        extensions=requires("read_inventory"),
    )
    async def inventory_levels(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        query: Annotated[
            str | None,
            strawberry.argument(
                description=f"Search, e.g. 'sku:TSHIRT-*'. Fields: {LEVEL_FIELDS}."
            ),
        ] = None,
    ) -> Connection[
        Annotated[InventoryLevel, strawberry.lazy("oms_graphql.graphql.inventory.types")]
    ]:
        from oms_graphql.graphql.inventory.connections import levels_connection

        return await levels_connection(
            info, location_id=self.pk, first=first, after=after, query=query
        )

    @classmethod
    def from_model(cls, row: models.Location) -> Location:
        return cls(
            id=strawberry.ID(encode_gid("Location", row.id)),
            pk=row.id,
            name=row.name,
            kind=row.kind,
            address=MailingAddress(
                address1=row.address1,
                address2=row.address2,
                city=row.city,
                province=row.province,
                zip=row.zip,
                country_code=row.country_code,
                phone=row.phone,
                latitude=row.latitude,
                longitude=row.longitude,
            ),
            is_active=row.is_active,
            fulfills_online_orders=row.fulfills_online_orders,
            pickup_enabled=row.pickup_enabled,
            priority=row.priority,
            daily_order_capacity=row.daily_order_capacity,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


async def load_locations(info: Info, ids: Sequence[int]) -> list[Location | None]:
    rows = await info.context.loaders.location.load_many(list(ids))
    return [Location.from_model(row) if row else None for row in rows]


register_node("Location", read_scope="read_locations", load=load_locations)
