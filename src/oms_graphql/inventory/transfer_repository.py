"""All SQL about inventory transfers between locations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import utcnow
from oms_graphql.models import InventoryTransfer, InventoryTransferLine, TransferStatus


async def get(session: AsyncSession, transfer_id: int) -> InventoryTransfer | None:
    return await session.get(InventoryTransfer, transfer_id)


async def lines_of(
    session: AsyncSession, transfer_ids: Sequence[int]
) -> list[InventoryTransferLine]:
    if not transfer_ids:
        return []
    statement = (
        select(InventoryTransferLine)
        .where(InventoryTransferLine.transfer_id.in_(transfer_ids))
        .order_by(InventoryTransferLine.id)
    )
    return list((await session.scalars(statement)).all())


async def add(
    session: AsyncSession, *, origin_id: int, destination_id: int, lines: dict[int, int]
) -> InventoryTransfer:
    transfer = InventoryTransfer(
        origin_location_id=origin_id,
        destination_location_id=destination_id,
        status=TransferStatus.PENDING,
    )
    session.add(transfer)
    await session.flush()
    await session.execute(
        insert(InventoryTransferLine),
        [
            {"transfer_id": transfer.id, "item_id": item, "quantity": q, "received_quantity": 0}
            for item, q in lines.items()
        ],
    )
    return transfer


async def move_status(
    session: AsyncSession,
    transfer_id: int,
    *,
    from_statuses: Sequence[TransferStatus],
    to: TransferStatus,
    shipped_at: datetime | None = None,
    received_at: datetime | None = None,
) -> bool:
    """Change the status only if it still is one of ``from_statuses`` (no double shipping)."""
    values: dict[str, object] = {"status": to, "updated_at": utcnow()}
    if shipped_at is not None:
        values["shipped_at"] = shipped_at
    if received_at is not None:
        values["received_at"] = received_at
    statement = (
        update(InventoryTransfer)
        .where(InventoryTransfer.id == transfer_id, InventoryTransfer.status.in_(from_statuses))
        .values(values)
        .returning(InventoryTransfer.id)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(statement)).first() is not None


async def receive_line(session: AsyncSession, line_id: int, quantity: int) -> bool:
    """Count ``quantity`` more units received, unless that exceeds what was shipped."""
    line = InventoryTransferLine
    statement = (
        update(line)
        .where(line.id == line_id, line.received_quantity + quantity <= line.quantity)
        .values(received_quantity=line.received_quantity + quantity)
        .returning(line.id)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(statement)).first() is not None
