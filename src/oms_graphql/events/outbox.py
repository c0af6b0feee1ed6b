"""``record_event``: the one way services write events."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.actor import current_actor
from oms_graphql.events import repository
from oms_graphql.events.types import EventType
from oms_graphql.ids import GlobalId


async def record_event(
    session: AsyncSession,
    type: EventType,
    subject: GlobalId,
    data: dict[str, Any],
    *,
    channel: str | None = None,
) -> None:
    """Append an event in the caller's transaction: it commits or rolls back with the change.

    ``data`` must be JSON (strings for decimals and times). ``channel`` is the handle of the
    channel the subject belongs to, for partner tokens limited to their channels.
    """
    await repository.append(
        session,
        type=type.value,
        subject_type=subject.type_name,
        subject_id=subject.pk,
        data=data,
        channel=channel,
        actor=current_actor(),
    )
