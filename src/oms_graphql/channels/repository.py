"""All SQL about channels and the channels a location serves."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import LOCKED
from oms_graphql.models import Channel, location_channels
from oms_graphql.paging import Page, PageRequest, SortKey, fetch_page

BY_ID = SortKey("ID", Channel.id)


async def get_by_handle(
    session: AsyncSession, handle: str, *, for_update: bool = False
) -> Channel | None:
    statement = select(Channel).where(Channel.handle == handle)
    if for_update:
        statement = statement.with_for_update().execution_options(**LOCKED)
    return (await session.execute(statement)).scalar_one_or_none()


async def get_many_by_handle(session: AsyncSession, handles: Sequence[str]) -> list[Channel]:
    if not handles:
        return []
    statement = select(Channel).where(Channel.handle.in_(handles))
    return list((await session.scalars(statement)).all())


async def count(session: AsyncSession) -> int:
    return (await session.scalar(select(func.count()).select_from(Channel))) or 0


async def page(session: AsyncSession, *, request: PageRequest) -> Page[Channel]:
    return await fetch_page(
        session, select(Channel), sort=BY_ID, id_column=Channel.id, request=request
    )


async def channels_of_locations(
    session: AsyncSession, location_ids: Sequence[int]
) -> list[tuple[int, Channel]]:
    """(location id, channel) pairs for many locations, in one statement."""
    if not location_ids:
        return []
    statement = (
        select(location_channels.c.location_id, Channel)
        .join(Channel, Channel.id == location_channels.c.channel_id)
        .where(location_channels.c.location_id.in_(location_ids))
        .order_by(location_channels.c.location_id, Channel.id)
    )
    return [(row[0], row[1]) for row in (await session.execute(statement)).all()]


async def set_location_channels(
    session: AsyncSession, location_id: int, channel_ids: Sequence[int]
) -> None:
    await session.execute(
        delete(location_channels).where(location_channels.c.location_id == location_id)
    )
    if channel_ids:
        await session.execute(
            insert(location_channels),
            [{"location_id": location_id, "channel_id": cid} for cid in channel_ids],
        )
