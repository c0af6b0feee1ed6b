"""All SQL about routing rulesets, routing decisions and where fulfillment orders go."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.locations.repository import serves_channel
from oms_graphql.models import FulfillmentOrder, Location, RoutingDecision, RoutingRuleset


async def latest_ruleset(session: AsyncSession) -> RoutingRuleset | None:
    statement = select(RoutingRuleset).order_by(RoutingRuleset.version.desc()).limit(1)
    return (await session.scalars(statement)).first()


async def add_ruleset(
    session: AsyncSession,
    *,
    version: int,
    rules: list[dict[str, Any]],
    local_delivery_radius_km: float,
    actor: str | None,
) -> RoutingRuleset:
    """Insert a new version; a concurrent writer of the same version fails on the key."""
    row = RoutingRuleset(
        version=version,
        rules=rules,
        local_delivery_radius_km=local_delivery_radius_km,
        actor=actor,
    )
    session.add(row)
    await session.flush()
    return row


async def locations_for_routing(
    session: AsyncSession, channel: str | None
) -> list[tuple[Location, bool]]:
    """Every location, with whether it serves the channel (all do when ``channel`` is None)."""
    if channel is None:
        rows = await session.scalars(select(Location).order_by(Location.id))
        return [(location, True) for location in rows]
    statement = select(Location, serves_channel(channel)).order_by(Location.id)
    return [(location, bool(serves)) for location, serves in await session.execute(statement)]


async def orders_since(
    session: AsyncSession, location_ids: Sequence[int], since: datetime
) -> dict[int, int]:
    """Fulfillment orders assigned to each location since ``since`` (capacity counts)."""
    if not location_ids:
        return {}
    statement = (
        select(FulfillmentOrder.location_id, func.count())
        .where(
            FulfillmentOrder.location_id.in_(set(location_ids)),
            FulfillmentOrder.created_at >= since,
        )
        .group_by(FulfillmentOrder.location_id)
    )
    return {row[0]: row[1] for row in await session.execute(statement)}


async def add_decision(session: AsyncSession, values: dict[str, Any]) -> int:
    """Insert a decision and return its id (Core insert: no ORM object to hydrate)."""
    result = await session.execute(
        insert(RoutingDecision).values(**values).returning(RoutingDecision.id)
    )
    return int(result.scalar_one())


async def decisions_by_id(session: AsyncSession, ids: Sequence[int]) -> list[RoutingDecision]:
    if not ids:
        return []
    statement = select(RoutingDecision).where(RoutingDecision.id.in_(set(ids)))
    return list((await session.scalars(statement)).all())


async def latest_decisions_of_orders(
    session: AsyncSession, order_ids: Sequence[int]
) -> list[RoutingDecision]:
    """Each order's most recent decision, in one statement."""
    if not order_ids:
        return []
    latest = (
        select(func.max(RoutingDecision.id))
        .where(RoutingDecision.order_id.in_(set(order_ids)))
        .group_by(RoutingDecision.order_id)
    )
    statement = select(RoutingDecision).where(RoutingDecision.id.in_(latest))
    return list((await session.scalars(statement)).all())


async def rulesets_by_version(
    session: AsyncSession, versions: Sequence[int]
) -> list[RoutingRuleset]:
    if not versions:
        return []
    statement = select(RoutingRuleset).where(RoutingRuleset.version.in_(set(versions)))
    return list((await session.scalars(statement)).all())
