"""Rules for transfers: created, shipped (origin on_hand down, destination incoming up),
received in one or more parts (incoming becomes on_hand), never more than was shipped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import utcnow
from oms_graphql.errors import DomainError, Problem
from oms_graphql.events import EventType, record_event
from oms_graphql.ids import GlobalId, encode_gid
from oms_graphql.inventory import repository
from oms_graphql.inventory import transfer_repository as transfers
from oms_graphql.inventory.items import QUANTITY_MAX
from oms_graphql.inventory.service import activate
from oms_graphql.inventory.stock import StockChange, change_stock
from oms_graphql.locations import repository as locations
from oms_graphql.models import InventoryReason, InventoryTransfer, TransferStatus

MAX_LINES = 250


@dataclass(frozen=True, slots=True)
class TransferLine:
    item_id: int
    quantity: int


def _quantities(
    lines: Sequence[TransferLine],
    path: tuple[str, ...],
    problems: list[Problem],
    *,
    known: set[int],
) -> dict[int, int]:
    if not lines:
        problems.append(Problem("BLANK", "give at least one line", path))
    if len(lines) > MAX_LINES:
        problems.append(Problem("TOO_MANY", f"at most {MAX_LINES} lines", path))
        return {}
    totals: dict[int, int] = {}
    for index, line in enumerate(lines):
        if not 0 < line.quantity <= QUANTITY_MAX:
            problems.append(
                Problem(
                    "INVALID_QUANTITY",
                    f"quantity must be between 1 and {QUANTITY_MAX}",
                    (*path, str(index), "quantity"),
                )
            )
        if line.item_id not in known:
            problems.append(
                Problem(
                    "NOT_FOUND", "inventory item not found", (*path, str(index), "inventoryItemId")
                )
            )
        totals[line.item_id] = totals.get(line.item_id, 0) + line.quantity
    return totals


async def create(
    session: AsyncSession, *, origin_id: int, destination_id: int, lines: Sequence[TransferLine]
) -> InventoryTransfer:
    problems: list[Problem] = []
    found = {row.id: row for row in await locations.get_many(session, [origin_id, destination_id])}
    for location_id, name in (
        (origin_id, "originLocationId"),
        (destination_id, "destinationLocationId"),
    ):
        if location_id not in found:
            problems.append(Problem("NOT_FOUND", "location not found", ("input", name)))
    if origin_id == destination_id:
        problems.append(
            Problem(
                "INVALID", "origin and destination must differ", ("input", "destinationLocationId")
            )
        )
    items = {
        item.id for item in await repository.items_by_id(session, {line.item_id for line in lines})
    }
    totals = _quantities(lines, ("input", "lineItems"), problems, known=items)
    stocked = await repository.levels_at(session, [(item, origin_id) for item in totals])
    for index, line in enumerate(lines):
        if (
            line.item_id in items
            and origin_id in found
            and (line.item_id, origin_id) not in stocked
        ):
            problems.append(
                Problem(
                    "NOT_STOCKED",
                    "the item is not stocked at the origin",
                    ("input", "lineItems", str(index), "inventoryItemId"),
                )
            )
    if problems:
        raise DomainError(problems)
    transfer = await transfers.add(
        session, origin_id=origin_id, destination_id=destination_id, lines=totals
    )
    await record_event(
        session,
        EventType.TRANSFER_CREATED,
        GlobalId("InventoryTransfer", transfer.id),
        {
            "originLocationId": encode_gid("Location", origin_id),
            "destinationLocationId": encode_gid("Location", destination_id),
        },
    )
    return transfer


async def _get(session: AsyncSession, transfer_id: int) -> InventoryTransfer:
    transfer = await transfers.get(session, transfer_id)
    if transfer is None:
        raise DomainError.single("NOT_FOUND", "transfer not found", ("id",))
    return transfer


async def _level_ids(
    session: AsyncSession, item_ids: Sequence[int], location_id: int
) -> dict[int, int]:
    """Level per item at a location, activating missing ones (a destination's first stock)
    the way ``inventoryActivate`` does, event included."""
    levels = await repository.levels_at(session, [(item, location_id) for item in item_ids])
    ids = {item: level.id for (item, _), level in levels.items()}
    for item in item_ids:
        if item not in ids:
            level = await activate(session, item_id=item, location_id=location_id, on_hand=None)
            ids[item] = level.id
    return ids


async def ship(session: AsyncSession, *, transfer_id: int) -> InventoryTransfer:
    transfer = await _get(session, transfer_id)
    if not await transfers.move_status(
        session,
        transfer_id,
        from_statuses=[TransferStatus.PENDING],
        to=TransferStatus.IN_TRANSIT,
        shipped_at=utcnow(),
    ):
        raise DomainError.single(
            "INVALID_STATE", f"the transfer is {transfer.status.value}", ("id",)
        )
    lines = await transfers.lines_of(session, [transfer_id])
    items = [line.item_id for line in lines]
    origin = await _level_ids(session, items, transfer.origin_location_id)
    destination = await _level_ids(session, items, transfer.destination_location_id)
    changes = [
        change
        for index, line in enumerate(lines)
        for change in (
            StockChange(
                origin[line.item_id], {"on_hand": -line.quantity}, ("lineItems", str(index))
            ),
            StockChange(destination[line.item_id], {"incoming": line.quantity}),
        )
    ]
    await change_stock(
        session,
        changes,
        reason=InventoryReason.TRANSFER,
        reference_document_uri=encode_gid("InventoryTransfer", transfer_id),
    )
    await record_event(
        session, EventType.TRANSFER_SHIPPED, GlobalId("InventoryTransfer", transfer_id), {}
    )
    await session.refresh(transfer)
    return transfer


async def receive(
    session: AsyncSession, *, transfer_id: int, lines: Sequence[TransferLine] | None
) -> InventoryTransfer:
    """Receive some lines (or, without lines, everything still in transit)."""
    transfer = await _get(session, transfer_id)
    if transfer.status not in (TransferStatus.IN_TRANSIT, TransferStatus.PARTIALLY_RECEIVED):
        raise DomainError.single(
            "INVALID_STATE", f"the transfer is {transfer.status.value}; ship it first", ("id",)
        )
    shipped = {line.item_id: line for line in await transfers.lines_of(session, [transfer_id])}
    if lines is None:
        lines = [
            TransferLine(item, line.quantity - line.received_quantity)
            for item, line in shipped.items()
            if line.quantity > line.received_quantity
        ]
    problems: list[Problem] = []
    totals = _quantities(lines, ("lineItems",), problems, known=set(shipped))
    for index, line in enumerate(lines):
        if line.item_id in shipped and line.quantity > 0:
            remaining = shipped[line.item_id].quantity - shipped[line.item_id].received_quantity
            if totals[line.item_id] > remaining:
                problems.append(
                    Problem(
                        "OVER_RECEIPT",
                        f"only {remaining} of this item are still in transit",
                        ("lineItems", str(index), "quantity"),
                    )
                )
    if problems:
        raise DomainError(problems)
    for item, quantity in totals.items():
        if not await transfers.receive_line(session, shipped[item].id, quantity):
            raise DomainError.single("OVER_RECEIPT", "more received than shipped", ("lineItems",))
    destination = await _level_ids(session, list(totals), transfer.destination_location_id)
    await change_stock(
        session,
        [
            StockChange(destination[item], {"incoming": -quantity, "on_hand": quantity})
            for item, quantity in totals.items()
        ],
        reason=InventoryReason.TRANSFER,
        reference_document_uri=encode_gid("InventoryTransfer", transfer_id),
    )
    complete = all(
        line.received_quantity + totals.get(item, 0) >= line.quantity
        for item, line in shipped.items()
    )
    await transfers.move_status(
        session,
        transfer_id,
        from_statuses=[TransferStatus.IN_TRANSIT, TransferStatus.PARTIALLY_RECEIVED],
        to=TransferStatus.RECEIVED if complete else TransferStatus.PARTIALLY_RECEIVED,
        received_at=utcnow() if complete else None,
    )
    await record_event(
        session,
        EventType.TRANSFER_RECEIVED,
        GlobalId("InventoryTransfer", transfer_id),
        {
            "lineItems": [
                {"inventoryItemId": encode_gid("InventoryItem", item), "quantity": quantity}
                for item, quantity in totals.items()
            ],
            "complete": complete,
        },
    )
    await session.refresh(transfer)
    return transfer
