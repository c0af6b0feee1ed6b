from __future__ import annotations

import strawberry

from oms_graphql.graphql.inventory.types import InventoryPolicy, InventoryReason, WeightUnit
from oms_graphql.graphql.money import MoneyInput


@strawberry.input(description="A weight with its unit.")
class WeightInput:
    value: float = strawberry.field(description="The amount (0 or more).")
    unit: WeightUnit = strawberry.field(description="The unit.")


@strawberry.input(description="An inventory item; when updating, omitted fields stay as they are.")
class InventoryItemInput:
    sku: str | None = strawberry.field(
        default=strawberry.UNSET, description="Unique SKU (required to create)."
    )
    title: str | None = strawberry.field(
        default=strawberry.UNSET, description="What the item is called (required to create)."
    )
    unit_price: MoneyInput | None = strawberry.field(
        default=strawberry.UNSET, description="Catalog price of one unit; null removes it."
    )
    tracked: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Whether stock limits sales (default true)."
    )
    inventory_policy: InventoryPolicy | None = strawberry.field(
        default=strawberry.UNSET, description="DENY (default) or CONTINUE selling when out."
    )
    low_stock_threshold: int | None = strawberry.field(
        default=strawberry.UNSET, description="Write inventory.low_stock below this; null: never."
    )
    weight: WeightInput | None = strawberry.field(
        default=strawberry.UNSET, description="Shipping weight of one unit; null removes it."
    )


@strawberry.input(description="A delta to one quantity of an item at a location.")
class InventoryChangeInput:
    inventory_item_id: strawberry.ID = strawberry.field(description="The item.")
    location_id: strawberry.ID = strawberry.field(description="The location.")
    delta: int = strawberry.field(description="Units to add (negative to remove); not 0.")


@strawberry.input(description="Add deltas to one named quantity; all lines apply or none.")
class InventoryAdjustQuantitiesInput:
    name: str = strawberry.field(
        description=(
            "available, on_hand, incoming, damaged, safety_stock or quality_control. Adjusting "
            "available moves on_hand; adjusting a held-back state moves on_hand with it."
        )
    )
    reason: InventoryReason = strawberry.field(description="Why, for the ledger.")
    reference_document_uri: str | None = strawberry.field(
        default=None, description="The document behind the change, a URI (e.g. gid://...)."
    )
    changes: list[InventoryChangeInput] = strawberry.field(description="At most 250 lines.")


@strawberry.input(description="An absolute quantity of an item at a location.")
class InventoryQuantityInput:
    inventory_item_id: strawberry.ID = strawberry.field(description="The item.")
    location_id: strawberry.ID = strawberry.field(description="The location.")
    quantity: int = strawberry.field(description="The new quantity (0 or more).")
    compare_quantity: int | None = strawberry.field(
        default=None,
        description="The quantity you last read; the batch is refused if it changed since.",
    )


@strawberry.input(description="Set one named quantity to absolute values; all or none.")
class InventorySetQuantitiesInput:
    name: str = strawberry.field(
        description="available, on_hand, incoming, damaged, safety_stock or quality_control."
    )
    reason: InventoryReason = strawberry.field(description="Why, for the ledger.")
    reference_document_uri: str | None = strawberry.field(
        default=None, description="The document behind the change, a URI."
    )
    quantities: list[InventoryQuantityInput] = strawberry.field(description="At most 250 lines.")


@strawberry.input(description="Units to move between two states of one level.")
class InventoryMoveQuantityInput:
    inventory_item_id: strawberry.ID = strawberry.field(description="The item.")
    location_id: strawberry.ID = strawberry.field(description="The location.")
    quantity: int = strawberry.field(description="How many units (1 or more).")
    from_: str = strawberry.field(
        name="from",
        description="available, incoming, damaged, safety_stock or quality_control.",
    )
    to: str = strawberry.field(description="available, damaged, safety_stock or quality_control.")


@strawberry.input(description="Move units between states at locations; all or none.")
class InventoryMoveQuantitiesInput:
    reason: InventoryReason = strawberry.field(description="Why, for the ledger.")
    reference_document_uri: str | None = strawberry.field(
        default=None, description="The document behind the change, a URI."
    )
    changes: list[InventoryMoveQuantityInput] = strawberry.field(description="At most 250 lines.")


@strawberry.input(description="Units of one item in a transfer.")
class InventoryTransferLineInput:
    inventory_item_id: strawberry.ID = strawberry.field(description="The item.")
    quantity: int = strawberry.field(description="How many units (1 or more).")


@strawberry.input(description="A transfer of stock between two locations.")
class InventoryTransferCreateInput:
    origin_location_id: strawberry.ID = strawberry.field(description="Where units leave from.")
    destination_location_id: strawberry.ID = strawberry.field(description="Where they go.")
    line_items: list[InventoryTransferLineInput] = strawberry.field(description="What moves.")


@strawberry.input(description="Units of one SKU to hold.")
class ReservationLineInput:
    sku: str = strawberry.field(description="The SKU.")
    quantity: int = strawberry.field(description="How many units (1 or more).")


@strawberry.input(description="Stock to hold at one location for a while.")
class InventoryReserveInput:
    line_items: list[ReservationLineInput] = strawberry.field(description="At most 250 lines.")
    location_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "Hold here; without it, the highest-priority active location that fulfils online "
            "orders and has every line."
        ),
    )
    expires_in_seconds: int | None = strawberry.field(
        default=None, description="How long to hold (1 s to 7 days; default 15 minutes)."
    )
    channel: str | None = strawberry.field(
        default=None, description="Only choose among locations serving this channel (a handle)."
    )
