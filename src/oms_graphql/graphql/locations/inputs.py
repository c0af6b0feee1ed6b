from __future__ import annotations

import strawberry

from oms_graphql.graphql.common import LocationAddressInput
from oms_graphql.graphql.locations.types import LocationKind


@strawberry.input(description="A new location.")
class LocationAddInput:
    name: str = strawberry.field(description="Unique name of the location.")
    address: LocationAddressInput = strawberry.field(
        description="Where it is; countryCode required."
    )
    kind: LocationKind = strawberry.field(
        default=LocationKind.WAREHOUSE, description="Warehouse, store or fulfillment service."
    )
    fulfills_online_orders: bool = strawberry.field(
        default=True, description="Whether routing may send online orders here."
    )
    pickup_enabled: bool = strawberry.field(
        default=False, description="Whether customers may pick orders up here."
    )
    priority: int = strawberry.field(default=0, description="Routing preference; higher wins.")
    daily_order_capacity: int | None = strawberry.field(
        default=None, description="Orders per UTC day routing may assign here; null for no limit."
    )
    channels: list[str] | None = strawberry.field(
        default=None,
        description="Handles of the channels served; none (the default) serves every channel.",
    )


@strawberry.input(description="Changes to a location; omitted fields stay as they are.")
class LocationEditInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="New unique name.")
    address: LocationAddressInput | None = strawberry.field(
        default=strawberry.UNSET, description="Address fields to change."
    )
    kind: LocationKind | None = strawberry.field(
        default=strawberry.UNSET, description="Warehouse, store or fulfillment service."
    )
    fulfills_online_orders: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Whether routing may send online orders here."
    )
    pickup_enabled: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Whether customers may pick orders up here."
    )
    priority: int | None = strawberry.field(
        default=strawberry.UNSET, description="Routing preference; higher wins."
    )
    daily_order_capacity: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="Orders per UTC day routing may assign here; null removes the limit.",
    )
    channels: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Handles of the channels served (replaces them); null or [] serves all.",
    )
