"""The fulfillment part of the demo: what happened to each demo order's work after it was
placed, through the services. Older paid orders shipped (some in two parcels) and most of
those arrived; pickups are ready or collected; unpaid orders wait on a payment hold, a few
on a wrong address; pre-orders are scheduled; work at the fulfillment service went through
its requests, in every state a request can be in.

Its own random stream, drawn once per order, so the orders themselves stay as they were.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.errors import DomainError
from oms_graphql.fulfillment import holds, requests, shipments
from oms_graphql.fulfillment.lifecycle import Action, Reply, supported_actions
from oms_graphql.locations import repository as locations
from oms_graphql.models import (
    FulfillmentHoldReason,
    FulfillmentOrder,
    FulfillmentOrderStatus,
    LocationKind,
    ShipmentStatus,
)
from oms_graphql.orders import repository as orders

SEED = 20261130
RECENT_DAYS = 30
"""Work at the fulfillment service placed this recently takes the request paths in turn."""
CARRIERS = (
    ("BRT", "https://vas.brt.it/vas/sped_det_show.hsm?referer=sped_numspe_par.htm&Nspediz={}"),
    ("DHL", "https://www.dhl.com/it-en/home/tracking.html?tracking-id={}"),
    ("GLS", "https://gls-group.com/track/{}"),
)
REQUEST_PATHS = (
    "unsubmitted",
    "submitted",
    "accepted",
    "shipped",
    "rejected",
    "rerouted",
    "cancellation requested",
    "cancellation accepted",
    "cancellation rejected",
)


@dataclass(frozen=True, slots=True)
class WorkPlan:
    """What happens to an order's work: drawn for every order, used where it fits."""

    roll: float
    partial: bool
    carrier: int
    tracking: int


def draw(rng: random.Random) -> WorkPlan:
    return WorkPlan(
        roll=rng.random(),
        partial=rng.random() < 0.06,
        carrier=rng.randrange(len(CARRIERS)),
        tracking=rng.randrange(10**9, 10**10),
    )


async def carry_out(
    session: AsyncSession,
    order_id: int,
    plan: WorkPlan,
    *,
    placed_at: datetime,
    age_days: float,
    paid: bool,
    pickup: bool,
    at_till: bool,
    now: datetime,
    request_paths: Iterator[str],
) -> None:
    """Hold, request or ship the order's open work as ``plan`` says; a sale at the till is
    handed over at once."""
    work = [
        fo.id
        for fo in await orders.fulfillment_orders_of(session, [order_id])
        if fo.status == FulfillmentOrderStatus.OPEN
    ]
    for fo_id in work:
        # Read each afresh: a savepoint rolled back for an earlier one expires them all.
        (fo,) = await orders.get_fulfillment_orders(session, [fo_id])
        location = await locations.get(session, fo.location_id)
        assert location is not None
        if location.kind == LocationKind.FULFILLMENT_SERVICE:
            path = next(request_paths) if age_days < RECENT_DAYS else "shipped"
            await _through_requests(session, fo, plan, path, age_days, placed_at, now)
        elif not paid:
            reason = (
                FulfillmentHoldReason.INCORRECT_ADDRESS
                if plan.roll < 0.05
                else FulfillmentHoldReason.AWAITING_PAYMENT
            )
            await holds.hold(session, fo.id, holds.NewHold(reason))
        elif plan.roll < 0.02 and age_days < 10:
            await holds.hold(
                session,
                fo.id,
                holds.NewHold(FulfillmentHoldReason.HIGH_RISK_OF_FRAUD, "Card country differs"),
            )
        elif at_till:
            fulfillment = await shipments.create_fulfillment(
                session, shipments.NewFulfillment([shipments.WorkToShip(fo.id)])
            )
            await shipments.add_event(
                session, fulfillment.id, ShipmentStatus.PICKED_UP, happened_at=placed_at
            )
        elif age_days > (0.5 if pickup else 1.5):  # shops prepare pickups the same day
            await _ship_or_schedule(session, fo, plan, age_days, placed_at, now, pickup=pickup)


async def _ship_or_schedule(
    session: AsyncSession,
    fo: FulfillmentOrder,
    plan: WorkPlan,
    age_days: float,
    placed_at: datetime,
    now: datetime,
    *,
    pickup: bool,
) -> None:
    try:
        async with session.begin_nested():
            await _ship(session, fo, plan, age_days, placed_at, now, pickup=pickup)
    except DomainError:  # pre-ordered units not in yet: the work waits for them
        await session.refresh(fo)  # the savepoint's rollback expired it
        if Action.RESCHEDULE in supported_actions(fo, now):
            await holds.reschedule(session, fo.id, now + timedelta(days=7 + plan.roll * 21))


async def _ship(
    session: AsyncSession,
    fo: FulfillmentOrder,
    plan: WorkPlan,
    age_days: float,
    placed_at: datetime,
    now: datetime,
    *,
    pickup: bool,
) -> None:
    lines = await orders.fulfillment_order_lines_of(session, [fo.id])
    parcels: list[list[shipments.LineToShip] | None] = [None]
    if plan.partial and len(lines) > 1:
        first = [shipments.LineToShip(lines[0].id, lines[0].remaining_quantity)]
        parcels = [first, None] if age_days > 4 else [first]
    company, url = CARRIERS[plan.carrier]
    for number, parcel in enumerate(parcels):
        tracking_number = f"{plan.tracking + number}"
        tracking = (
            shipments.Tracking()
            if pickup
            else shipments.Tracking(company, tracking_number, url.format(tracking_number))
        )
        fulfillment = await shipments.create_fulfillment(
            session,
            shipments.NewFulfillment([shipments.WorkToShip(fo.id, parcel)], tracking),
        )
        shipped_at = min(now, placed_at + timedelta(days=1 + number))
        for status, after_days in _steps(pickup, plan, age_days):
            when = min(now, shipped_at + timedelta(days=after_days))
            await shipments.add_event(session, fulfillment.id, status, happened_at=when)


def _steps(pickup: bool, plan: WorkPlan, age_days: float) -> list[tuple[ShipmentStatus, float]]:
    """The latest step each shipment reached (one event each keeps the load quick)."""
    if pickup:  # collected within the week
        if age_days > 6:
            return [(ShipmentStatus.PICKED_UP, 1.0)]
        return [(ShipmentStatus.READY_FOR_PICKUP, 0.1)]
    if age_days <= 3:
        return [(ShipmentStatus.IN_TRANSIT, 0.2)]
    if age_days <= 4:
        return [(ShipmentStatus.OUT_FOR_DELIVERY, 1.5)]
    if plan.roll < 0.03:
        return [(ShipmentStatus.FAILURE, 1.8)]
    return [(ShipmentStatus.DELIVERED, 2.0)]


async def _through_requests(
    session: AsyncSession,
    fo: FulfillmentOrder,
    plan: WorkPlan,
    path: str,
    age_days: float,
    placed_at: datetime,
    now: datetime,
) -> None:
    """Work at the fulfillment service goes ``path`` far through its requests (recent work
    takes the paths in turn, so every state shows; older work was shipped)."""
    if path == "unsubmitted":
        return
    await requests.submit(session, fo.id, message="Standard handling")
    if path == "submitted":
        return
    if path in ("rejected", "rerouted"):
        await requests.answer(
            session,
            fo.id,
            Reply.REJECT_FULFILLMENT,
            message="Out of packaging for this size",
            reroute_after=path == "rerouted",
        )
        return
    await requests.answer(session, fo.id, Reply.ACCEPT_FULFILLMENT)
    if path.startswith("cancellation"):
        await requests.submit(session, fo.id, message="Customer asked to change", cancellation=True)
        if path == "cancellation accepted":
            await requests.answer(session, fo.id, Reply.ACCEPT_CANCELLATION)
        elif path == "cancellation rejected":
            await requests.answer(
                session, fo.id, Reply.REJECT_CANCELLATION, message="Already packed"
            )
        return
    if path == "shipped" and age_days > 1.5:
        await _ship_or_schedule(session, fo, plan, age_days, placed_at, now, pickup=False)
