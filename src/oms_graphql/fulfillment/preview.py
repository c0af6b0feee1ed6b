"""routingPreview: the decision ``orderCreate`` would take for an order, writing nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.fulfillment import planning
from oms_graphql.fulfillment.planning import Plan, Where
from oms_graphql.orders.create import check_routing_facts
from oms_graphql.orders.inputs import NewOrder
from oms_graphql.routing import Delivery, Destination


@dataclass(frozen=True, slots=True)
class Preview:
    plan: Plan
    details: dict[str, Any]


async def preview(session: AsyncSession, given: NewOrder) -> Preview:
    """Check the input as ``orderCreate`` does, then plan it as ``orderCreate`` would."""
    facts = await check_routing_facts(session, given)
    assert facts.channel is not None
    items = [facts.items[line.sku] if line.sku is not None else None for line in given.lines]
    demands = [
        planning.demand(
            item=item,
            item_id=item.id if item else None,
            sku=item.sku if item else None,
            quantity=line.quantity,
        )
        for item, line in zip(items, given.lines, strict=True)
    ]
    if facts.pickup is not None:
        pickup = facts.pickup
        destination = Destination(pickup.country_code, pickup.latitude, pickup.longitude)
    elif facts.address is not None:
        address = facts.address
        destination = Destination(
            address.get("country_code"), address.get("latitude"), address.get("longitude")
        )
    else:
        destination = Destination()
    plan = await planning.plan(
        session,
        demands,
        channel=facts.channel.handle,
        allow_split=facts.channel.allow_split_shipments,
        where=Where(
            delivery=Delivery(given.delivery_method.value),
            destination=destination,
            pickup_location_id=facts.pickup.id if facts.pickup is not None else None,
        ),
    )
    return Preview(plan, planning.record(plan, demands))
