from __future__ import annotations

from typing import Annotated

import strawberry

from oms_graphql import models
from oms_graphql.graphql.common import Count, MailingAddress
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.inventory.types import (
    InventoryItem,
    InventoryLevel,
    InventoryTransfer,
    Reservation,
)
from oms_graphql.graphql.node import GlobalIdArgument
from oms_graphql.graphql.pagination import (
    After,
    Before,
    Connection,
    First,
    Last,
    listing_connection,
    listing_count,
)
from oms_graphql.graphql.permissions import requires, requires_any
from oms_graphql.ids import decode_gid, encode_gid
from oms_graphql.inventory import availability as stock_availability
from oms_graphql.inventory import repository
from oms_graphql.search import describe

ItemQuery = Annotated[
    str | None,
    strawberry.argument(
        description=f"Search, e.g. 'sku:TSHIRT-*'. Fields: {describe(repository.ITEM_SEARCH)}."
    ),
]


@strawberry.input(description="A point on the globe.")
class GeoPointInput:
    latitude: float = strawberry.field(description="Latitude in degrees (-90 to 90).")
    longitude: float = strawberry.field(description="Longitude in degrees (-180 to 180).")


@strawberry.type(description="A location as storefronts see it: only public fields.")
class PublicLocation:
    id: strawberry.ID = strawberry.field(description="Global id of the location.")
    name: str = strawberry.field(description="The location's name.")
    address: MailingAddress = strawberry.field(description="Where it is.")
    pickup_enabled: bool = strawberry.field(description="Whether customers may pick up here.")


@strawberry.type(description="What one location can sell of one SKU.")
class LocationAvailability:
    location: PublicLocation = strawberry.field(description="The location.")
    available: int = strawberry.field(description="Units available to sell here (never below 0).")
    pickup_available: bool = strawberry.field(
        description="Whether the asked quantity (or one unit) can be picked up here."
    )
    distance_km: float | None = strawberry.field(
        description="Great-circle distance from `near`, when both are known."
    )


@strawberry.type(description="Availability of one SKU.")
class SkuAvailability:
    sku: str = strawberry.field(description="The SKU asked.")
    known: bool = strawberry.field(description="Whether an inventory item has this SKU.")
    backorderable: bool = strawberry.field(
        description="Whether it sells beyond stock (untracked, or policy CONTINUE)."
    )
    total_available: int = strawberry.field(
        description="Units available over every listed location, before the quantity filter."
    )
    locations: list[LocationAvailability] = strawberry.field(
        description="Per location; nearest first when `near` is given, else by priority."
    )


def public_location(location: models.Location) -> PublicLocation:
    return PublicLocation(
        id=strawberry.ID(encode_gid("Location", location.id)),
        name=location.name,
        address=MailingAddress(
            address1=location.address1,
            address2=location.address2,
            city=location.city,
            province=location.province,
            zip=location.zip,
            country_code=location.country_code,
            phone=location.phone,
            latitude=location.latitude,
            longitude=location.longitude,
        ),
        pickup_enabled=location.pickup_enabled,
    )


@strawberry.type
class InventoryQueries:
    @strawberry.field(
        description="An inventory item by id; null when there is none.",
        extensions=requires("read_inventory"),
    )
    async def inventory_item(self, info: Info, id: GlobalIdArgument) -> InventoryItem | None:
        row = await info.context.loaders.inventory_item.load(
            decode_gid(id, expected="InventoryItem").pk
        )
        return InventoryItem.from_model(row) if row else None

    @strawberry.field(
        description="Inventory items, a page at a time, oldest first.",
        extensions=requires("read_inventory"),
    )
    async def inventory_items(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        query: ItemQuery = None,
    ) -> Connection[InventoryItem]:
        return await listing_connection(
            info,
            repository.ITEMS,
            InventoryItem.from_model,
            first=first,
            after=after,
            last=last,
            before=before,
            query=query,
            sort_key="ID",
            reverse=False,
        )

    @strawberry.field(
        description="How many inventory items match a search.",
        extensions=requires("read_inventory"),
    )
    async def inventory_items_count(self, info: Info, query: ItemQuery = None) -> Count:
        return Count(count=await listing_count(info, repository.ITEMS, query))

    @strawberry.field(
        description="An inventory level by id; null when there is none.",
        extensions=requires("read_inventory"),
    )
    async def inventory_level(self, info: Info, id: GlobalIdArgument) -> InventoryLevel | None:
        state = await info.context.loaders.inventory_level.load(
            decode_gid(id, expected="InventoryLevel").pk
        )
        return InventoryLevel.from_state(state) if state else None

    @strawberry.field(
        description="A reservation by id; null when there is none.",
        extensions=requires_any("read_inventory", "write_reservations"),
    )
    async def reservation(self, info: Info, id: GlobalIdArgument) -> Reservation | None:
        row = await info.context.loaders.reservation.load(decode_gid(id, expected="Reservation").pk)
        return Reservation.from_model(row) if row else None

    @strawberry.field(
        description="An inventory transfer by id; null when there is none.",
        extensions=requires("read_inventory"),
    )
    async def inventory_transfer(
        self, info: Info, id: GlobalIdArgument
    ) -> InventoryTransfer | None:
        row = await info.context.loaders.transfer.load(
            decode_gid(id, expected="InventoryTransfer").pk
        )
        return InventoryTransfer.from_model(row) if row else None

    @strawberry.field(
        description=(
            "Storefront availability per SKU (at most 250) and per location that ships online "
            "orders or offers pickup. Expired reservations never count. Needs the storefront "
            "or read_inventory scope."
        ),
        extensions=requires_any("storefront", "read_inventory"),
    )
    async def availability(
        self,
        info: Info,
        skus: Annotated[list[str], strawberry.argument(description="The SKUs, at most 250.")],
        near: Annotated[
            GeoPointInput | None,
            strawberry.argument(description="Sort locations nearest first from this point."),
        ] = None,
        quantity: Annotated[
            int | None,
            strawberry.argument(description="List only locations able to serve this many."),
        ] = None,
        channel: Annotated[
            str | None,
            strawberry.argument(description="Only locations serving this channel (a handle)."),
        ] = None,
    ) -> list[SkuAvailability]:
        point = (
            stock_availability.GeoPoint(near.latitude, near.longitude) if near is not None else None
        )
        async with info.context.db.reading() as session:
            entries = await stock_availability.availability(
                session, skus=skus, near=point, quantity=quantity, channel=channel
            )
        return [
            SkuAvailability(
                sku=entry.sku,
                known=entry.item is not None,
                backorderable=entry.backorderable,
                total_available=entry.total_available,
                locations=[
                    LocationAvailability(
                        location=public_location(place.location),
                        available=place.available,
                        pickup_available=place.pickup_available,
                        distance_km=place.distance_km,
                    )
                    for place in entry.locations
                ],
            )
            for entry in entries
        ]
