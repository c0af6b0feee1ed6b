from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.graphql.common import given, refuse_nulls
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.errors import UserError, payload_type
from oms_graphql.graphql.inventory.inputs import (
    InventoryAdjustQuantitiesInput,
    InventoryItemInput,
    InventoryMoveQuantitiesInput,
    InventoryReserveInput,
    InventorySetQuantitiesInput,
    InventoryTransferCreateInput,
    InventoryTransferLineInput,
)
from oms_graphql.graphql.inventory.types import (
    InventoryAdjustmentGroup,
    InventoryItem,
    InventoryLevel,
    InventoryTransfer,
    Reservation,
)
from oms_graphql.graphql.mutation import IdempotencyKey, mutate_row
from oms_graphql.graphql.node import GlobalIdArgument
from oms_graphql.graphql.permissions import requires
from oms_graphql.ids import decode_gid
from oms_graphql.inventory import (
    items,
    repository,
    reservations,
    service,
    transfer_repository,
    transfers,
)
from oms_graphql.inventory import reservation_repository as holds
from oms_graphql.inventory.items import ItemFields, Money
from oms_graphql.inventory.service import QuantityChange
from oms_graphql.inventory.stock import Applied
from oms_graphql.unset import UNSET


@strawberry.enum(description="Why an inventory item mutation refused its input.")
class InventoryItemUserErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"
    BLANK = "BLANK"
    INVALID = "INVALID"
    TAKEN = "TAKEN"
    TOO_LONG = "TOO_LONG"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    IDEMPOTENCY_KEY_MISMATCH = "IDEMPOTENCY_KEY_MISMATCH"


@strawberry.type(description="A problem with the input of an inventory item mutation.")
class InventoryItemUserError(UserError[InventoryItemUserErrorCode]):
    pass


@strawberry.enum(description="Why a quantity mutation refused its input.")
class InventoryQuantityUserErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"
    NOT_STOCKED = "NOT_STOCKED"
    ALREADY_ACTIVE = "ALREADY_ACTIVE"
    INVALID_QUANTITY_NAME = "INVALID_QUANTITY_NAME"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    INSUFFICIENT_QUANTITY = "INSUFFICIENT_QUANTITY"
    STALE_COMPARE_QUANTITY = "STALE_COMPARE_QUANTITY"
    DUPLICATE = "DUPLICATE"
    BLANK = "BLANK"
    INVALID = "INVALID"
    TOO_MANY = "TOO_MANY"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    IDEMPOTENCY_KEY_MISMATCH = "IDEMPOTENCY_KEY_MISMATCH"


@strawberry.type(description="A problem with the input of a quantity mutation.")
class InventoryQuantityUserError(UserError[InventoryQuantityUserErrorCode]):
    pass


@strawberry.enum(description="Why a reservation mutation refused its input.")
class ReservationUserErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"
    NOT_STOCKED = "NOT_STOCKED"
    NOT_ACTIVE = "NOT_ACTIVE"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    INSUFFICIENT_QUANTITY = "INSUFFICIENT_QUANTITY"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    LOCATION_INACTIVE = "LOCATION_INACTIVE"
    CHANNEL_NOT_FOUND = "CHANNEL_NOT_FOUND"
    BLANK = "BLANK"
    TOO_MANY = "TOO_MANY"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    IDEMPOTENCY_KEY_MISMATCH = "IDEMPOTENCY_KEY_MISMATCH"


@strawberry.type(description="A problem with the input of a reservation mutation.")
class ReservationUserError(UserError[ReservationUserErrorCode]):
    pass


@strawberry.enum(description="Why a transfer mutation refused its input.")
class InventoryTransferUserErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"
    NOT_STOCKED = "NOT_STOCKED"
    INVALID_STATE = "INVALID_STATE"
    OVER_RECEIPT = "OVER_RECEIPT"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    INSUFFICIENT_QUANTITY = "INSUFFICIENT_QUANTITY"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    INVALID = "INVALID"
    BLANK = "BLANK"
    TOO_MANY = "TOO_MANY"
    IDEMPOTENCY_KEY_MISMATCH = "IDEMPOTENCY_KEY_MISMATCH"


@strawberry.type(description="A problem with the input of a transfer mutation.")
class InventoryTransferUserError(UserError[InventoryTransferUserErrorCode]):
    pass


_ITEM = (InventoryItem, InventoryItemUserError, "inventory_item")
_GROUP = (InventoryAdjustmentGroup, InventoryQuantityUserError, "inventory_adjustment_group")
_RESERVATION = (Reservation, ReservationUserError, "reservation")
_TRANSFER = (InventoryTransfer, InventoryTransferUserError, "inventory_transfer")


def _payload(name: str, kind: tuple[type, type, str], result: str) -> Any:
    node, error, field = kind
    return payload_type(name, field, node, error, result)


InventoryItemCreatePayload = _payload("InventoryItemCreatePayload", _ITEM, "The new item")
InventoryItemUpdatePayload = _payload("InventoryItemUpdatePayload", _ITEM, "The item after")
InventoryActivatePayload = _payload(
    "InventoryActivatePayload",
    (InventoryLevel, InventoryQuantityUserError, "inventory_level"),
    "The level, new or already there",
)
InventoryAdjustQuantitiesPayload = _payload(
    "InventoryAdjustQuantitiesPayload", _GROUP, "Every quantity changed"
)
InventorySetQuantitiesPayload = _payload(
    "InventorySetQuantitiesPayload", _GROUP, "Every quantity changed"
)
InventoryMoveQuantitiesPayload = _payload(
    "InventoryMoveQuantitiesPayload", _GROUP, "Every quantity changed"
)
InventoryReservePayload = _payload("InventoryReservePayload", _RESERVATION, "The new hold")
ReservationReleasePayload = _payload(
    "ReservationReleasePayload", _RESERVATION, "The reservation, RELEASED"
)
ReservationExtendPayload = _payload(
    "ReservationExtendPayload", _RESERVATION, "The reservation with its new expiresAt"
)
InventoryTransferCreatePayload = _payload(
    "InventoryTransferCreatePayload", _TRANSFER, "The new transfer"
)
InventoryTransferShipPayload = _payload(
    "InventoryTransferShipPayload", _TRANSFER, "The transfer, IN_TRANSIT"
)
InventoryTransferReceivePayload = _payload(
    "InventoryTransferReceivePayload", _TRANSFER, "The transfer after the receipt"
)


def _item_fields(data: InventoryItemInput) -> ItemFields:
    refuse_nulls(data, text=("sku", "title"), other=("tracked", "inventory_policy"))
    price = given(data.unit_price)
    weight = given(data.weight)
    return ItemFields(
        sku=given(data.sku),
        title=given(data.title),
        unit_price=(
            Money(price.amount, price.currency_code.value) if price not in (UNSET, None) else price
        ),
        tracked=given(data.tracked),
        inventory_policy=given(data.inventory_policy),
        low_stock_threshold=given(data.low_stock_threshold),
        weight_value=weight.value if weight not in (UNSET, None) else weight,
        weight_unit=weight.unit if weight not in (UNSET, None) else weight,
    )


async def _level(session: AsyncSession, level_id: int) -> Any:
    return (await repository.levels_by_id(session, [level_id]))[0]


async def _group(session: AsyncSession, group_id: int) -> Any:
    return (await repository.groups_by_id(session, [group_id]))[0]


def _pk(raw: str, type_name: str) -> int:
    return decode_gid(raw, expected=type_name).pk


def _change(line: Any, amount: int, **extra: Any) -> QuantityChange:
    """One line of a quantity mutation, its ids decoded."""
    return QuantityChange(
        _pk(line.inventory_item_id, "InventoryItem"),
        _pk(line.location_id, "Location"),
        amount,
        **extra,
    )


async def _quantities(
    info: Info,
    payload: Any,
    operation: str,
    input: Any,
    idempotency_key: str | None,
    apply: Callable[[AsyncSession], Awaitable[Applied]],
) -> Any:
    """The three quantity mutations: their result is the adjustment group they wrote."""

    async def action(session: AsyncSession) -> Any:
        return (await apply(session)).group

    return await mutate_row(
        info,
        payload,
        InventoryQuantityUserError,
        operation=operation,
        arguments={"input": input},
        idempotency_key=idempotency_key,
        action=action,
        get=_group,
        present=InventoryAdjustmentGroup.from_model,
    )


def _transfer_lines(lines: list[InventoryTransferLineInput]) -> list[transfers.TransferLine]:
    return [
        transfers.TransferLine(_pk(line.inventory_item_id, "InventoryItem"), line.quantity)
        for line in lines
    ]


@strawberry.type
class InventoryMutations:
    @strawberry.mutation(
        description="Create an inventory item (a SKU).", extensions=requires("write_inventory")
    )
    async def inventory_item_create(
        self,
        info: Info,
        input: Annotated[InventoryItemInput, strawberry.argument(description="The new item.")],
        idempotency_key: IdempotencyKey = None,
    ) -> InventoryItemCreatePayload:
        return await mutate_row(
            info,
            InventoryItemCreatePayload,
            InventoryItemUserError,
            operation="inventoryItemCreate",
            arguments={"input": input},
            idempotency_key=idempotency_key,
            # Inside the action, so that null-field refusals come back as userErrors.
            action=lambda session: items.create_item(session, given=_item_fields(input)),
            get=repository.get_item,
            present=InventoryItem.from_model,
        )

    @strawberry.mutation(
        description="Change an inventory item; omitted fields stay as they are.",
        extensions=requires("write_inventory"),
    )
    async def inventory_item_update(
        self,
        info: Info,
        id: GlobalIdArgument,
        input: Annotated[InventoryItemInput, strawberry.argument(description="What to change.")],
        idempotency_key: IdempotencyKey = None,
    ) -> InventoryItemUpdatePayload:
        item_id = _pk(id, "InventoryItem")
        return await mutate_row(
            info,
            InventoryItemUpdatePayload,
            InventoryItemUserError,
            operation="inventoryItemUpdate",
            arguments={"id": id, "input": input},
            idempotency_key=idempotency_key,
            action=lambda session: items.update_item(
                session, item_id=item_id, given=_item_fields(input)
            ),
            get=repository.get_item,
            present=InventoryItem.from_model,
        )

    @strawberry.mutation(
        description=(
            "Start stocking an item at a location, optionally with units on hand (a RECEIVED "
            "ledger row). Activating a level that exists returns it unchanged."
        ),
        extensions=requires("write_inventory"),
    )
    async def inventory_activate(
        self,
        info: Info,
        inventory_item_id: Annotated[strawberry.ID, strawberry.argument(description="The item.")],
        location_id: Annotated[strawberry.ID, strawberry.argument(description="The location.")],
        on_hand: Annotated[
            int | None, strawberry.argument(description="Units already there (0 or more).")
        ] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> InventoryActivatePayload:
        item_id = _pk(inventory_item_id, "InventoryItem")
        place_id = _pk(location_id, "Location")

        async def present(row: Any) -> InventoryLevel:
            state = await info.context.loaders.inventory_level.load(row.id)
            assert state is not None
            return InventoryLevel.from_state(state)

        return await mutate_row(
            info,
            InventoryActivatePayload,
            InventoryQuantityUserError,
            operation="inventoryActivate",
            arguments={"item": item_id, "location": place_id, "onHand": on_hand},
            idempotency_key=idempotency_key,
            action=lambda session: service.activate(
                session, item_id=item_id, location_id=place_id, on_hand=on_hand
            ),
            get=_level,
            present=present,
        )

    @strawberry.mutation(
        description=(
            "Add deltas to one quantity at several levels, all or none; each moved quantity "
            "(available included) gets a ledger row."
        ),
        extensions=requires("write_inventory"),
    )
    async def inventory_adjust_quantities(
        self,
        info: Info,
        input: Annotated[
            InventoryAdjustQuantitiesInput, strawberry.argument(description="The deltas.")
        ],
        idempotency_key: IdempotencyKey = None,
    ) -> InventoryAdjustQuantitiesPayload:
        changes = [_change(line, line.delta) for line in input.changes]
        return await _quantities(
            info,
            InventoryAdjustQuantitiesPayload,
            "inventoryAdjustQuantities",
            input,
            idempotency_key,
            lambda session: service.adjust_quantities(
                session,
                name=input.name,
                reason=input.reason,
                reference_document_uri=input.reference_document_uri,
                changes=changes,
            ),
        )

    @strawberry.mutation(
        description=(
            "Set one quantity to absolute values, all or none; give compareQuantity to refuse "
            "the batch (STALE_COMPARE_QUANTITY) if someone changed it since you read it."
        ),
        extensions=requires("write_inventory"),
    )
    async def inventory_set_quantities(
        self,
        info: Info,
        input: Annotated[
            InventorySetQuantitiesInput, strawberry.argument(description="The quantities.")
        ],
        idempotency_key: IdempotencyKey = None,
    ) -> InventorySetQuantitiesPayload:
        changes = [
            _change(line, line.quantity, compare_quantity=line.compare_quantity)
            for line in input.quantities
        ]
        return await _quantities(
            info,
            InventorySetQuantitiesPayload,
            "inventorySetQuantities",
            input,
            idempotency_key,
            lambda session: service.set_quantities(
                session,
                name=input.name,
                reason=input.reason,
                reference_document_uri=input.reference_document_uri,
                changes=changes,
            ),
        )

    @strawberry.mutation(
        description=(
            "Move units between states of one level (e.g. available to damaged, "
            "quality_control to available), all or none."
        ),
        extensions=requires("write_inventory"),
    )
    async def inventory_move_quantities(
        self,
        info: Info,
        input: Annotated[InventoryMoveQuantitiesInput, strawberry.argument(description="Moves.")],
        idempotency_key: IdempotencyKey = None,
    ) -> InventoryMoveQuantitiesPayload:
        changes = [
            _change(line, line.quantity, source=line.from_, target=line.to)
            for line in input.changes
        ]
        return await _quantities(
            info,
            InventoryMoveQuantitiesPayload,
            "inventoryMoveQuantities",
            input,
            idempotency_key,
            lambda session: service.move_quantities(
                session,
                reason=input.reason,
                reference_document_uri=input.reference_document_uri,
                changes=changes,
            ),
        )

    @strawberry.mutation(
        description="Plan a transfer of stock from one location to another.",
        extensions=requires("write_inventory"),
    )
    async def inventory_transfer_create(
        self,
        info: Info,
        input: Annotated[
            InventoryTransferCreateInput, strawberry.argument(description="The transfer.")
        ],
        idempotency_key: IdempotencyKey = None,
    ) -> InventoryTransferCreatePayload:
        origin = _pk(input.origin_location_id, "Location")
        destination = _pk(input.destination_location_id, "Location")
        lines = _transfer_lines(input.line_items)
        return await mutate_row(
            info,
            InventoryTransferCreatePayload,
            InventoryTransferUserError,
            operation="inventoryTransferCreate",
            arguments={"input": input},
            idempotency_key=idempotency_key,
            action=lambda session: transfers.create(
                session, origin_id=origin, destination_id=destination, lines=lines
            ),
            get=transfer_repository.get,
            present=InventoryTransfer.from_model,
        )

    @strawberry.mutation(
        description="Ship: on_hand leaves the origin; incoming rises at the destination.",
        extensions=requires("write_inventory"),
    )
    async def inventory_transfer_ship(
        self, info: Info, id: GlobalIdArgument, idempotency_key: IdempotencyKey = None
    ) -> InventoryTransferShipPayload:
        transfer_id = _pk(id, "InventoryTransfer")
        return await mutate_row(
            info,
            InventoryTransferShipPayload,
            InventoryTransferUserError,
            operation="inventoryTransferShip",
            arguments={"id": id},
            idempotency_key=idempotency_key,
            action=lambda session: transfers.ship(session, transfer_id=transfer_id),
            get=transfer_repository.get,
            present=InventoryTransfer.from_model,
        )

    @strawberry.mutation(
        description=(
            "Receive a shipped transfer, in full or in parts: incoming becomes on_hand at the "
            "destination. Receiving more than is still in transit is OVER_RECEIPT."
        ),
        extensions=requires("write_inventory"),
    )
    async def inventory_transfer_receive(
        self,
        info: Info,
        id: GlobalIdArgument,
        line_items: Annotated[
            list[InventoryTransferLineInput] | None,
            strawberry.argument(description="What arrived; omit to receive everything left."),
        ] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> InventoryTransferReceivePayload:
        transfer_id = _pk(id, "InventoryTransfer")
        lines = None if line_items is None else _transfer_lines(line_items)
        return await mutate_row(
            info,
            InventoryTransferReceivePayload,
            InventoryTransferUserError,
            operation="inventoryTransferReceive",
            arguments={"id": id, "lineItems": line_items},
            idempotency_key=idempotency_key,
            action=lambda session: transfers.receive(session, transfer_id=transfer_id, lines=lines),
            get=transfer_repository.get,
            present=InventoryTransfer.from_model,
        )

    @strawberry.mutation(
        description=(
            "Hold stock for a cart, checkout or draft until it expires, pinned to one location. "
            "Never oversells: concurrent holds on the last units get INSUFFICIENT_STOCK."
        ),
        extensions=requires("write_reservations"),
    )
    async def inventory_reserve(
        self,
        info: Info,
        input: Annotated[InventoryReserveInput, strawberry.argument(description="What to hold.")],
        idempotency_key: IdempotencyKey = None,
    ) -> InventoryReservePayload:
        location_id = None if input.location_id is None else _pk(input.location_id, "Location")
        lines = [reservations.HoldLine(line.sku, line.quantity) for line in input.line_items]
        return await mutate_row(
            info,
            InventoryReservePayload,
            ReservationUserError,
            operation="inventoryReserve",
            arguments={"input": input},
            idempotency_key=idempotency_key,
            action=lambda session: reservations.reserve(
                session,
                lines=lines,
                location_id=location_id,
                expires_in_seconds=input.expires_in_seconds,
                channel=input.channel,
            ),
            get=holds.get,
            present=Reservation.from_model,
        )

    @strawberry.mutation(
        description="Give a reservation's units back before it expires.",
        extensions=requires("write_reservations"),
    )
    async def reservation_release(
        self, info: Info, id: GlobalIdArgument, idempotency_key: IdempotencyKey = None
    ) -> ReservationReleasePayload:
        reservation_id = _pk(id, "Reservation")
        return await mutate_row(
            info,
            ReservationReleasePayload,
            ReservationUserError,
            operation="reservationRelease",
            arguments={"id": id},
            idempotency_key=idempotency_key,
            action=lambda session: reservations.release(session, reservation_id=reservation_id),
            get=holds.get,
            present=Reservation.from_model,
        )

    @strawberry.mutation(
        description="Keep an active reservation for expiresInSeconds from now.",
        extensions=requires("write_reservations"),
    )
    async def reservation_extend(
        self,
        info: Info,
        id: GlobalIdArgument,
        expires_in_seconds: Annotated[
            int, strawberry.argument(description="How long from now (1 s to 7 days).")
        ],
        idempotency_key: IdempotencyKey = None,
    ) -> ReservationExtendPayload:
        reservation_id = _pk(id, "Reservation")
        return await mutate_row(
            info,
            ReservationExtendPayload,
            ReservationUserError,
            operation="reservationExtend",
            arguments={"id": id, "expiresInSeconds": expires_in_seconds},
            idempotency_key=idempotency_key,
            action=lambda session: reservations.extend(
                session, reservation_id=reservation_id, expires_in_seconds=expires_in_seconds
            ),
            get=holds.get,
            present=Reservation.from_model,
        )
