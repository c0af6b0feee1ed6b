"""Routing with the database's facts: gather candidates, apply the ruleset in force, and
turn a decision into what is stored and shown.

Order creation, ``routingPreview`` and reroutes all plan through ``plan``, so a preview and
the real order agree for the same input.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import utcnow
from oms_graphql.fulfillment import repository, rules
from oms_graphql.inventory import repository as inventory
from oms_graphql.models import InventoryItem, InventoryPolicy, LocationKind
from oms_graphql.routing import (
    Candidate,
    Decision,
    Delivery,
    Destination,
    LineDemand,
    RoutingRequest,
    Ruleset,
    decide,
)

STORED_CANDIDATES = 100
"""A decision keeps its eligible candidates and the best-ranked excluded ones up to this
many; the count of the rest is kept too."""


def demand(
    *, item: InventoryItem | None, item_id: int | None, sku: str | None, quantity: int
) -> LineDemand:
    """What a line asks of a location, from its item's tracking and policy."""
    tracked = item is not None and item.tracked
    return LineDemand(
        item_id=item_id,
        quantity=quantity,
        needs_level=tracked,
        needs_stock=tracked and item is not None and item.inventory_policy == InventoryPolicy.DENY,
        sku=sku,
    )


@dataclass(frozen=True, slots=True)
class Where:
    """Where the goods go and how."""

    delivery: Delivery = Delivery.SHIPPING
    destination: Destination = field(default_factory=Destination)
    pickup_location_id: int | None = None


@dataclass(frozen=True, slots=True)
class Limits:
    """Locations the caller pins, includes or excludes; stock the order already holds."""

    reserved_location_id: int | None = None
    included: frozenset[int] | None = None
    excluded: frozenset[int] = frozenset()
    held: Mapping[int, int] = field(default_factory=dict)
    """Level id -> units this order already holds there (its reservation, its committed
    units when rerouting): they count as available to it."""


@dataclass(frozen=True, slots=True)
class Plan:
    decision: Decision
    level_ids: dict[tuple[int, int], int]
    """(item id, location id) -> level id, for the items asked about."""
    decided_at: datetime


def start_of_utc_day(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


async def plan(
    session: AsyncSession,
    lines: Sequence[LineDemand],
    *,
    channel: str | None,
    allow_split: bool,
    where: Where,
    limits: Limits = Limits(),
    ruleset: Ruleset | None = None,
) -> Plan:
    """Decide where ``lines`` go, reading locations, stock and today's load; writes nothing."""
    ruleset = ruleset or await rules.current(session)
    now = utcnow()
    located = await repository.locations_for_routing(session, channel)
    item_ids = sorted({line.item_id for line in lines if line.item_id is not None})
    available: dict[int, dict[int, int]] = defaultdict(dict)
    level_ids: dict[tuple[int, int], int] = {}
    for level, location in await inventory.levels_for_items(session, item_ids):
        available[location.id][level.item_id] = level.available + limits.held.get(level.id, 0)
        level_ids[(level.item_id, location.id)] = level.id
    capped = [location.id for location, _ in located if location.daily_order_capacity is not None]
    load = await repository.orders_since(session, capped, start_of_utc_day(now))
    candidates = [
        Candidate(
            location_id=location.id,
            name=location.name,
            priority=location.priority,
            available=available[location.id],
            country_code=location.country_code,
            latitude=location.latitude,
            longitude=location.longitude,
            is_active=location.is_active,
            fulfills_online_orders=location.fulfills_online_orders,
            serves_channel=serves,
            is_fulfillment_service=location.kind == LocationKind.FULFILLMENT_SERVICE,
            daily_order_capacity=location.daily_order_capacity,
            orders_today=load.get(location.id, 0),
        )
        for location, serves in located
    ]
    decision = decide(
        RoutingRequest(
            lines=lines,
            candidates=candidates,
            allow_split=allow_split,
            destination=where.destination,
            delivery=where.delivery,
            pickup_location_id=where.pickup_location_id,
            ruleset=ruleset,
            excluded_location_ids=limits.excluded,
            included_location_ids=limits.included,
            reserved_location_id=limits.reserved_location_id,
            channel=channel,
        )
    )
    return Plan(decision, level_ids, now)


def record(
    plan: Plan, lines: Sequence[LineDemand], order_line_ids: Sequence[int | None] = ()
) -> dict[str, Any]:
    """The decision's assignments and candidates, as ``routing_decisions.details`` keeps them
    (line items by SKU and quantity, and by order line id when there is an order)."""
    decision = plan.decision

    def line(index: int) -> dict[str, Any]:
        demand = lines[index]
        entry: dict[str, Any] = {"sku": demand.sku, "quantity": demand.quantity}
        if order_line_ids:
            entry["orderLineId"] = order_line_ids[index]
        return entry

    ranked = sorted(
        decision.candidates,
        key=lambda c: (c.rank is None, c.rank or 0, c.location_id),
    )
    kept = ranked[:STORED_CANDIDATES]
    return {
        "assignments": [
            {
                "locationId": assignment.location_id,
                "lineItems": [line(index) for index in assignment.line_indexes],
                "reason": assignment.reason,
            }
            for assignment in decision.assignments
        ],
        "unroutedLineItems": [line(index) for index in decision.unroutable],
        "candidates": [
            {
                "locationId": candidate.location_id,
                "exclusions": [exclusion.value for exclusion in candidate.exclusions],
                "excludedBecause": candidate.excluded_because,
                "scores": [[score.rule.value, score.score] for score in candidate.scores],
                "rank": candidate.rank,
            }
            for candidate in kept
        ],
        "candidatesOmitted": len(ranked) - len(kept),
    }


async def store(session: AsyncSession, order_id: int, plan: Plan, details: dict[str, Any]) -> int:
    """Keep a decision about an order; its id."""
    decision = plan.decision
    return await repository.add_decision(
        session,
        {
            "order_id": order_id,
            "ruleset_version": decision.ruleset_version,
            "strategy": decision.strategy.value,
            "split_count": decision.split_count,
            "explanation": decision.explanation,
            "details": details,
            "decided_at": plan.decided_at,
        },
    )
