from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader

from oms_graphql import models
from oms_graphql.errors import BadUserInput
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.dataloaders import Loaders
from oms_graphql.graphql.inventory.connections import changes_connection, levels_connection
from oms_graphql.graphql.locations.types import Location
from oms_graphql.graphql.money import MoneyV2
from oms_graphql.graphql.node import Node, register_node
from oms_graphql.graphql.pagination import After, Connection, First
from oms_graphql.graphql.permissions import requires
from oms_graphql.ids import encode_gid
from oms_graphql.inventory.quantities import QUANTITY_NAMES
from oms_graphql.inventory.repository import LevelState
from oms_graphql.inventory.reservations import effective_status

InventoryPolicy = models.InventoryPolicy
strawberry.enum(
    InventoryPolicy,
    name="InventoryPolicy",
    description="When stock runs out: DENY refuses to sell, CONTINUE sells on backorder.",
)
WeightUnit = models.WeightUnit
strawberry.enum(WeightUnit, name="WeightUnit", description="A unit of weight.")
InventoryReason = models.InventoryReason
strawberry.enum(InventoryReason, name="InventoryReason", description="Why a quantity changed.")
ReservationStatus = models.ReservationStatus
strawberry.enum(
    ReservationStatus,
    name="ReservationStatus",
    description=(
        "ACTIVE holds stock until expiresAt; CONSUMED by an order, RELEASED early, or EXPIRED."
    ),
)
InventoryTransferStatus = models.TransferStatus
strawberry.enum(
    InventoryTransferStatus,
    name="InventoryTransferStatus",
    description="PENDING until shipped, IN_TRANSIT, PARTIALLY_RECEIVED, then RECEIVED.",
)

QuantityNames = Annotated[
    list[str],
    strawberry.argument(description=f"Which quantities, from: {', '.join(QUANTITY_NAMES)}."),
]


async def _item(info: Info, item_id: int) -> InventoryItem:
    row = await info.context.loaders.inventory_item.load(item_id)
    assert row is not None
    return InventoryItem.from_model(row)


async def _location(info: Info, location_id: int) -> Location:
    row = await info.context.loaders.location.load(location_id)
    assert row is not None
    return Location.from_model(row)


@strawberry.type(description="A weight with its unit.")
class Weight:
    value: float = strawberry.field(description="The amount.")
    unit: WeightUnit = strawberry.field(description="The unit.")


@strawberry.type(description="One SKU: what is stocked, priced and sold.")
class InventoryItem(Node):
    pk: strawberry.Private[int]
    sku: str = strawberry.field(description="Unique stock-keeping unit, exactly as written.")
    title: str = strawberry.field(description="What the item is called.")
    unit_price: MoneyV2 | None = strawberry.field(description="Catalog price of one unit.")
    tracked: bool = strawberry.field(
        description="Whether stock limits sales; untracked items never run out."
    )
    inventory_policy: InventoryPolicy = strawberry.field(
        description="DENY: never sell more than is available. CONTINUE: allow backorders."
    )
    low_stock_threshold: int | None = strawberry.field(
        description="An inventory.low_stock event is written when available drops below it."
    )
    weight: Weight | None = strawberry.field(description="Shipping weight of one unit.")
    created_at: datetime = strawberry.field(description="When the item was created.")
    updated_at: datetime = strawberry.field(description="When the item last changed.")

    @strawberry.field(
        description="Units available to sell over every active location (backorders count as 0)."
    )
    async def total_available(self, info: Info) -> int:
        return await info.context.loaders.total_available.load(self.pk)

    @strawberry.field(description="Where the item is stocked, a page at a time.")
    async def inventory_levels(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[InventoryLevel]:
        return await levels_connection(info, item_id=self.pk, first=first, after=after)

    @classmethod
    def from_model(cls, row: models.InventoryItem) -> InventoryItem:
        return cls(
            id=strawberry.ID(encode_gid("InventoryItem", row.id)),
            pk=row.id,
            sku=row.sku,
            title=row.title,
            unit_price=MoneyV2.of(row.unit_price, row.currency_code),
            tracked=row.tracked,
            inventory_policy=row.inventory_policy,
            low_stock_threshold=row.low_stock_threshold,
            weight=(
                Weight(value=row.weight_value, unit=row.weight_unit)
                if row.weight_value is not None and row.weight_unit is not None
                else None
            ),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(description="One named quantity of a level.")
class InventoryQuantity:
    name: str = strawberry.field(description="The quantity's name, e.g. available or on_hand.")
    quantity: int = strawberry.field(description="How many units.")


@strawberry.type(description="One SKU at one location, with its quantity states.")
class InventoryLevel(Node):
    state: strawberry.Private[LevelState]
    updated_at: datetime = strawberry.field(description="When a quantity last changed.")

    @strawberry.field(description="The item stocked.")
    async def item(self, info: Info) -> InventoryItem:
        return await _item(info, self.state.item_id)

    @strawberry.field(description="Where it is stocked.")
    async def location(self, info: Info) -> Location:
        return await _location(info, self.state.location_id)

    @strawberry.field(
        description=(
            "The asked quantities, in the order asked. available = on_hand - committed - "
            "reserved - damaged - safety_stock - quality_control."
        )
    )
    def quantities(self, names: QuantityNames) -> list[InventoryQuantity]:
        unknown = [name for name in names if name not in QUANTITY_NAMES]
        if unknown:
            raise BadUserInput(
                f"unknown quantity name {unknown[0]!r}; use {', '.join(QUANTITY_NAMES)}",
                argument="names",
            )
        return [
            InventoryQuantity(name=name, quantity=self.state.quantities[name]) for name in names
        ]

    @strawberry.field(
        description=(
            "The append-only ledger of this level, oldest first: for every quantity name, "
            "the deltas add up to the current quantity."
        ),
        extensions=requires("read_inventory"),
    )
    async def changes(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[InventoryLevelChange]:
        return await changes_connection(info, level_id=self.state.id, first=first, after=after)

    @classmethod
    def from_state(cls, state: LevelState) -> InventoryLevel:
        return cls(
            id=strawberry.ID(encode_gid("InventoryLevel", state.id)),
            state=state,
            updated_at=state.updated_at,
        )


@strawberry.type(description="One row of the append-only inventory ledger.")
class InventoryLevelChange:
    row: strawberry.Private[models.InventoryChange]
    quantity_name: str = strawberry.field(description="Which quantity moved.")
    delta: int = strawberry.field(description="By how much (negative when it went down).")
    quantity_after: int = strawberry.field(description="The quantity right after this change.")
    reason: InventoryReason = strawberry.field(description="Why it moved.")
    reference_document_uri: str | None = strawberry.field(
        description="The document that caused it, e.g. gid://oms/Reservation/7."
    )
    actor: str | None = strawberry.field(description="Who changed it (the token's subject).")
    created_at: datetime = strawberry.field(description="When.")

    @classmethod
    def from_model(cls, row: models.InventoryChange) -> InventoryLevelChange:
        return cls(
            row=row,
            quantity_name=row.quantity_name,
            delta=row.delta,
            quantity_after=row.quantity_after,
            reason=row.reason,
            reference_document_uri=row.reference_document_uri,
            actor=row.actor,
            created_at=row.created_at,
        )


@strawberry.type(description="One quantity one request changed at one level.")
class InventoryChange:
    row: strawberry.Private[models.InventoryChange]
    name: str = strawberry.field(description="Which quantity moved.")
    delta: int = strawberry.field(description="By how much.")
    quantity_after_change: int = strawberry.field(description="The quantity afterwards.")

    @strawberry.field(description="The level that changed.")
    async def level(self, info: Info) -> InventoryLevel:
        state = await info.context.loaders.inventory_level.load(self.row.level_id)
        assert state is not None
        return InventoryLevel.from_state(state)

    @strawberry.field(description="The item that changed.")
    async def item(self, info: Info) -> InventoryItem:
        state = await info.context.loaders.inventory_level.load(self.row.level_id)
        assert state is not None
        return await _item(info, state.item_id)

    @strawberry.field(description="Where it changed.")
    async def location(self, info: Info) -> Location:
        state = await info.context.loaders.inventory_level.load(self.row.level_id)
        assert state is not None
        return await _location(info, state.location_id)


@strawberry.type(description="The changes one quantity mutation made, with their reason.")
class InventoryAdjustmentGroup(Node):
    pk: strawberry.Private[int]
    reason: InventoryReason = strawberry.field(description="Why.")
    reference_document_uri: str | None = strawberry.field(
        description="The document that caused the changes."
    )
    created_at: datetime = strawberry.field(description="When.")

    @strawberry.field(description="Every quantity changed, available included.")
    async def changes(self, info: Info) -> list[InventoryChange]:
        rows = await info.context.loaders.changes_of_group.load(self.pk)
        return [
            InventoryChange(
                row=row,
                name=row.quantity_name,
                delta=row.delta,
                quantity_after_change=row.quantity_after,
            )
            for row in rows
        ]

    @classmethod
    def from_model(cls, row: models.InventoryAdjustmentGroup) -> InventoryAdjustmentGroup:
        return cls(
            id=strawberry.ID(encode_gid("InventoryAdjustmentGroup", row.id)),
            pk=row.id,
            reason=row.reason,
            reference_document_uri=row.reference_document_uri,
            created_at=row.created_at,
        )


@strawberry.type(description="One SKU held by a reservation.")
class ReservationLineItem:
    item_id: strawberry.Private[int]
    quantity: int = strawberry.field(description="Units held.")

    @strawberry.field(description="The item held.")
    async def inventory_item(self, info: Info) -> InventoryItem:
        return await _item(info, self.item_id)

    @strawberry.field(description="Its SKU.")
    async def sku(self, info: Info) -> str:
        return (await _item(info, self.item_id)).sku


@strawberry.type(
    description="A time-limited hold on stock at one location (cart, checkout, draft)."
)
class Reservation(Node):
    pk: strawberry.Private[int]
    location_id: strawberry.Private[int]
    status: ReservationStatus = strawberry.field(
        description="EXPIRED as soon as expiresAt passes, even before the units are swept back."
    )
    expires_at: datetime = strawberry.field(description="When the hold ends on its own.")
    created_at: datetime = strawberry.field(description="When the hold was made.")

    @strawberry.field(description="Where the stock is held; an order consuming it ships from here.")
    async def location(self, info: Info) -> Location:
        return await _location(info, self.location_id)

    @strawberry.field(description="What is held.")
    async def line_items(self, info: Info) -> list[ReservationLineItem]:
        rows = await info.context.loaders.reservation_lines.load(self.pk)
        return [ReservationLineItem(item_id=row.item_id, quantity=row.quantity) for row in rows]

    @classmethod
    def from_model(cls, row: models.Reservation) -> Reservation:
        return cls(
            id=strawberry.ID(encode_gid("Reservation", row.id)),
            pk=row.id,
            location_id=row.location_id,
            status=effective_status(row),
            expires_at=row.expires_at,
            created_at=row.created_at,
        )


@strawberry.type(description="One SKU of a transfer.")
class InventoryTransferLineItem:
    item_id: strawberry.Private[int]
    quantity: int = strawberry.field(description="Units sent.")
    received_quantity: int = strawberry.field(description="Units received so far.")

    @strawberry.field(description="The item moved.")
    async def inventory_item(self, info: Info) -> InventoryItem:
        return await _item(info, self.item_id)


@strawberry.type(description="Stock sent from one location to another.")
class InventoryTransfer(Node):
    pk: strawberry.Private[int]
    origin_id: strawberry.Private[int]
    destination_id: strawberry.Private[int]
    status: InventoryTransferStatus = strawberry.field(description="Where the transfer stands.")
    created_at: datetime = strawberry.field(description="When it was created.")
    shipped_at: datetime | None = strawberry.field(description="When it left the origin.")
    received_at: datetime | None = strawberry.field(description="When the last unit arrived.")

    @strawberry.field(description="Where the stock leaves from.")
    async def origin(self, info: Info) -> Location:
        return await _location(info, self.origin_id)

    @strawberry.field(description="Where the stock goes.")
    async def destination(self, info: Info) -> Location:
        return await _location(info, self.destination_id)

    @strawberry.field(description="What is moved.")
    async def line_items(self, info: Info) -> list[InventoryTransferLineItem]:
        rows = await info.context.loaders.transfer_lines.load(self.pk)
        return [
            InventoryTransferLineItem(
                item_id=row.item_id, quantity=row.quantity, received_quantity=row.received_quantity
            )
            for row in rows
        ]

    @classmethod
    def from_model(cls, row: models.InventoryTransfer) -> InventoryTransfer:
        return cls(
            id=strawberry.ID(encode_gid("InventoryTransfer", row.id)),
            pk=row.id,
            origin_id=row.origin_location_id,
            destination_id=row.destination_location_id,
            status=row.status,
            created_at=row.created_at,
            shipped_at=row.shipped_at,
            received_at=row.received_at,
        )


def _nodes(
    pick: Callable[[Loaders], DataLoader[int, Any]], convert: Callable[[Any], Node]
) -> Callable[[Info, Sequence[int]], Awaitable[list[Node | None]]]:
    """A node loader: rows by id through one of the operation's DataLoaders, converted."""

    async def load(info: Info, ids: Sequence[int]) -> list[Node | None]:
        rows = await pick(info.context.loaders).load_many(list(ids))
        return [convert(row) if row else None for row in rows]

    return load


for type_name, pick, convert in (
    ("InventoryItem", lambda loaders: loaders.inventory_item, InventoryItem.from_model),
    ("InventoryLevel", lambda loaders: loaders.inventory_level, InventoryLevel.from_state),
    (
        "InventoryAdjustmentGroup",
        lambda loaders: loaders.adjustment_group,
        InventoryAdjustmentGroup.from_model,
    ),
    ("Reservation", lambda loaders: loaders.reservation, Reservation.from_model),
    ("InventoryTransfer", lambda loaders: loaders.transfer, InventoryTransfer.from_model),
):
    register_node(type_name, read_scope="read_inventory", load=_nodes(pick, convert))
