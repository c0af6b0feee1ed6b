"""All SQL about routing rulesets, routing decisions and where fulfillment orders go."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.access import ALL_ROWS
from oms_graphql.db import LOCKED
from oms_graphql.listing import Listing
from oms_graphql.locations.repository import serves_channel
from oms_graphql.models import (
    Fulfillment,
    FulfillmentEvent,
    FulfillmentHold,
    FulfillmentLine,
    FulfillmentOrder,
    FulfillmentOrderRequestStatus,
    FulfillmentOrderStatus,
    Location,
    RoutingDecision,
    RoutingRuleset,
)
from oms_graphql.paging import SortKey
from oms_graphql.search import SearchSpec, enumeration, identifier, timestamp


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
        # A location's capacity is used by every channel's orders.
        .execution_options(**ALL_ROWS)
    )
    return {row[0]: row[1] for row in await session.execute(statement)}


async def add_decision(session: AsyncSession, values: dict[str, Any]) -> int:
    """Insert a decision and return its id (Core insert: no ORM object to hydrate)."""
    result = await session.execute(
        insert(RoutingDecision).values(**values).returning(RoutingDecision.id)
    )
    return int(result.scalar_one())


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


async def release_holds(session: AsyncSession, fulfillment_order_id: int, now: datetime) -> None:
    await session.execute(
        update(FulfillmentHold)
        .where(
            FulfillmentHold.fulfillment_order_id == fulfillment_order_id,
            FulfillmentHold.released_at.is_(None),
        )
        .values(released_at=now)
    )


async def active_holds_of(
    session: AsyncSession, fulfillment_order_ids: Sequence[int]
) -> list[FulfillmentHold]:
    if not fulfillment_order_ids:
        return []
    statement = (
        select(FulfillmentHold)
        .where(
            FulfillmentHold.fulfillment_order_id.in_(set(fulfillment_order_ids)),
            FulfillmentHold.released_at.is_(None),
        )
        .order_by(FulfillmentHold.id)
    )
    return list((await session.scalars(statement)).all())


async def count_fulfillments(session: AsyncSession, order_id: int) -> int:
    statement = (
        select(func.count()).select_from(Fulfillment).where(Fulfillment.order_id == order_id)
    )
    return int(await session.scalar(statement) or 0)


async def fulfillments_by_id(
    session: AsyncSession, ids: Sequence[int], *, for_update: bool = False
) -> list[Fulfillment]:
    if not ids:
        return []
    statement = select(Fulfillment).where(Fulfillment.id.in_(set(ids))).order_by(Fulfillment.id)
    if for_update:
        statement = statement.with_for_update().execution_options(**LOCKED)
    return list((await session.scalars(statement)).all())


async def fulfillments_of_orders(
    session: AsyncSession, order_ids: Sequence[int]
) -> list[Fulfillment]:
    if not order_ids:
        return []
    statement = (
        select(Fulfillment).where(Fulfillment.order_id.in_(set(order_ids))).order_by(Fulfillment.id)
    )
    return list((await session.scalars(statement)).all())


async def fulfillment_lines_of(
    session: AsyncSession, fulfillment_ids: Sequence[int]
) -> list[FulfillmentLine]:
    if not fulfillment_ids:
        return []
    statement = (
        select(FulfillmentLine)
        .where(FulfillmentLine.fulfillment_id.in_(set(fulfillment_ids)))
        .order_by(FulfillmentLine.id)
    )
    return list((await session.scalars(statement)).all())


async def fulfillment_events_of(
    session: AsyncSession, fulfillment_ids: Sequence[int]
) -> list[FulfillmentEvent]:
    if not fulfillment_ids:
        return []
    statement = (
        select(FulfillmentEvent)
        .where(FulfillmentEvent.fulfillment_id.in_(set(fulfillment_ids)))
        .order_by(FulfillmentEvent.happened_at, FulfillmentEvent.id)
    )
    return list((await session.scalars(statement)).all())


FULFILLMENT_ORDER_SORT_KEYS: dict[str, SortKey] = {
    "ID": SortKey("ID", FulfillmentOrder.id),
    "CREATED_AT": SortKey("CREATED_AT", FulfillmentOrder.created_at),
    "UPDATED_AT": SortKey("UPDATED_AT", FulfillmentOrder.updated_at),
}

FULFILLMENT_ORDER_SEARCH = SearchSpec(
    fields={
        "id": identifier(FulfillmentOrder.id, "FulfillmentOrder", "numeric or global id"),
        "assigned_location_id": identifier(
            FulfillmentOrder.location_id, "Location", "the location's numeric or global id"
        ),
        "order_id": identifier(FulfillmentOrder.order_id, "Order", "the order's id"),
        "status": enumeration(
            FulfillmentOrder.status, FulfillmentOrderStatus, "open, in_progress, on_hold, ..."
        ),
        "request_status": enumeration(
            FulfillmentOrder.request_status,
            FulfillmentOrderRequestStatus,
            "unsubmitted, submitted, accepted, ...",
        ),
        "created_at": timestamp(FulfillmentOrder.created_at, "date or time; >, < work"),
        "updated_at": timestamp(FulfillmentOrder.updated_at, "date or time; >, < work"),
    },
    text_columns=(),
)

FULFILLMENT_ORDERS = Listing(
    FulfillmentOrder, FulfillmentOrder.id, FULFILLMENT_ORDER_SORT_KEYS, FULFILLMENT_ORDER_SEARCH
)
"""Search, sort, page and count fulfillment orders."""


def fulfillment_orders_scope(*, include_closed: bool) -> ColumnElement[bool] | None:
    """The fulfillment orders listed: closed ones only on request."""
    if include_closed:
        return None
    return FulfillmentOrder.status.not_in(
        [
            FulfillmentOrderStatus.CLOSED,
            FulfillmentOrderStatus.CANCELLED,
            FulfillmentOrderStatus.INCOMPLETE,
        ]
    )


async def fulfillment_events_by_id(
    session: AsyncSession, ids: Sequence[int]
) -> list[FulfillmentEvent]:
    if not ids:
        return []
    statement = select(FulfillmentEvent).where(FulfillmentEvent.id.in_(set(ids)))
    return list((await session.scalars(statement)).all())


async def due_fulfillment_orders(
    session: AsyncSession, now: datetime, *, limit: int
) -> list[FulfillmentOrder]:
    statement = (
        select(FulfillmentOrder)
        .where(
            FulfillmentOrder.status == FulfillmentOrderStatus.SCHEDULED,
            FulfillmentOrder.fulfill_at <= now,
        )
        .order_by(FulfillmentOrder.id)
        .limit(limit)
    )
    return list((await session.scalars(statement)).all())
