"""What every return operation shares: locking a return (its order first), stepping its
version, and its events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import utcnow
from oms_graphql.errors import DomainError
from oms_graphql.events import EventType, record_event
from oms_graphql.ids import GlobalId, encode_gid
from oms_graphql.models import Order, Return
from oms_graphql.orders import repository as orders
from oms_graphql.orders import service as order_service
from oms_graphql.returns import repository
from oms_graphql.versions import check_expected_version

NOTE_MAX = 1000


async def locked(
    session: AsyncSession,
    return_id: int,
    *,
    expected_version: int | None = None,
    field: Sequence[str] = ("id",),
) -> tuple[Order, Return]:
    """The return and its order, both locked (the order first, as every order mutation
    locks it); NOT_FOUND when it does not exist or the caller may not see it."""
    found = await repository.get(session, return_id)
    if found is None:
        raise DomainError.single("NOT_FOUND", "return not found", field)
    order = await order_service.locked(session, found.order_id, path=field)
    row = await repository.get(session, return_id, for_update=True)
    assert row is not None
    check_expected_version(row.version, expected_version)
    return order, row


def touch(row: Return) -> None:
    row.version += 1
    row.updated_at = utcnow()


async def announce(
    session: AsyncSession,
    type: EventType,
    order: Order,
    row: Return,
    data: dict[str, Any] | None = None,
) -> None:
    """A return event: its order, name and status, and ``data``; it carries the order's
    channel for channel-limited readers."""
    await record_event(
        session,
        type,
        GlobalId("Return", row.id),
        {
            "orderId": encode_gid("Order", order.id),
            "name": row.name,
            "status": row.status.value,
            **(data or {}),
        },
        channel=(await orders.channel_of(session, order)).handle,
    )
