"""All SQL about locations."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import LOCKED
from oms_graphql.listing import Listing
from oms_graphql.models import Channel, Location, LocationKind, location_channels
from oms_graphql.paging import SortKey
from oms_graphql.search import (
    SearchSpec,
    boolean,
    custom,
    enumeration,
    identifier,
    keyword,
    number,
    timestamp,
)

SORT_KEYS: dict[str, SortKey] = {
    "ID": SortKey("ID", Location.id),
    "NAME": SortKey("NAME", Location.name),
    "PRIORITY": SortKey("PRIORITY", Location.priority),
    "CREATED_AT": SortKey("CREATED_AT", Location.created_at),
}


def serves_channel(handle: str) -> ColumnElement[bool]:
    """A location serves a channel when it names it, or names none (serves all)."""
    linked = (
        select(location_channels.c.location_id)
        .join(Channel, Channel.id == location_channels.c.channel_id)
        .where(location_channels.c.location_id == Location.id)
    )
    return ~exists(linked) | exists(linked.where(func.lower(Channel.handle) == handle.lower()))


def _serves_channel(op: str, handle: str) -> ColumnElement[bool]:
    return serves_channel(handle)


SEARCH = SearchSpec(
    fields={
        "id": identifier(Location.id, "Location", "numeric or global id; >, < work"),
        "name": keyword(Location.name, "exact name, or a prefix with *"),
        "kind": enumeration(Location.kind, LocationKind, "warehouse, store, fulfillment_service"),
        "country": keyword(Location.country_code, "ISO country code, e.g. IT"),
        "city": keyword(Location.city, "city"),
        "active": boolean(Location.is_active, "true or false"),
        "pickup_enabled": boolean(Location.pickup_enabled, "true or false"),
        "fulfills_online_orders": boolean(Location.fulfills_online_orders, "true or false"),
        "priority": number(Location.priority, "integer; >, >=, <, <= work"),
        "channel": custom(_serves_channel, "handle of a channel the location serves"),
        "created_at": timestamp(Location.created_at, "date or time; >, >=, <, <= work"),
        "updated_at": timestamp(Location.updated_at, "date or time; >, >=, <, <= work"),
    },
    text_columns=(Location.name, Location.city),
)


async def get(
    session: AsyncSession, location_id: int, *, for_update: bool = False
) -> Location | None:
    statement = select(Location).where(Location.id == location_id)
    if for_update:
        statement = statement.with_for_update().execution_options(**LOCKED)
    return (await session.execute(statement)).scalar_one_or_none()


async def get_many(session: AsyncSession, ids: Sequence[int]) -> list[Location]:
    if not ids:
        return []
    return list((await session.scalars(select(Location).where(Location.id.in_(ids)))).all())


async def fulfilling_online_orders(session: AsyncSession, *, channel: str) -> list[Location]:
    """Active locations that fulfil online orders and serve the channel, best priority first."""
    statement = (
        select(Location)
        .where(
            Location.is_active.is_(True),
            Location.fulfills_online_orders.is_(True),
            serves_channel(channel),
        )
        .order_by(Location.priority.desc(), Location.id)
    )
    return list((await session.scalars(statement)).all())


async def pickup_locations(session: AsyncSession) -> list[Location]:
    """Active locations that offer pickup, by id."""
    statement = (
        select(Location)
        .where(Location.is_active.is_(True), Location.pickup_enabled.is_(True))
        .order_by(Location.id)
    )
    return list((await session.scalars(statement)).all())


async def name_taken(session: AsyncSession, name: str, *, except_id: int | None = None) -> bool:
    statement = select(Location.id).where(func.lower(Location.name) == name.lower()).limit(1)
    if except_id is not None:
        statement = statement.where(Location.id != except_id)
    return (await session.scalar(statement)) is not None


LISTING = Listing(Location, Location.id, SORT_KEYS, SEARCH)
"""Search, sort, page and count locations."""
