"""Placing an order's lines: routing chooses locations, stock is committed there, the
decision is stored, and one fulfillment order per location records the work.

Stock moves through ``change_stock`` (conditional UPDATEs in level-id order), so two orders
never take the same last unit. Routing reads availability without locks; when a
concurrent order took the stock first, the commit is refused, rolled back to a savepoint,
and routing runs again on fresh numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import utcnow
from oms_graphql.errors import DomainError, Problem
from oms_graphql.events import EventType, record_event
from oms_graphql.fulfillment import planning
from oms_graphql.fulfillment.planning import Limits, Plan, Where
from oms_graphql.ids import GlobalId, encode_gid
from oms_graphql.inventory import reservation_repository as holds
from oms_graphql.inventory.stock import StockChange, change_stock
from oms_graphql.models import (
    Channel,
    FulfillmentOrder,
    FulfillmentOrderLine,
    FulfillmentOrderRequestStatus,
    FulfillmentOrderStatus,
    InventoryItem,
    InventoryReason,
    Location,
    Order,
    OrderLine,
    Reservation,
    ReservationLine,
    ReservationStatus,
)
from oms_graphql.routing import Delivery, Destination, LineDemand

ATTEMPTS = 3
"""How often routing runs again when concurrent orders took the stock it chose."""


def destination_of(order: Order, pickup: Location | None) -> Destination:
    """Where the goods go: the pickup location, else the shipping address."""
    if pickup is not None:
        return Destination(pickup.country_code, pickup.latitude, pickup.longitude)
    return Destination(
        order.shipping_country_code, order.shipping_latitude, order.shipping_longitude
    )


def open_fulfillment_order(
    order: Order, location_id: int, decision_id: int | None, *, at: datetime | None = None
) -> FulfillmentOrder:
    """A new OPEN fulfillment order of ``order`` at a location (``decision_id``: the routing
    decision that chose it, if any); ``at`` dates it (an imported order's fulfillment orders
    are as old as the order)."""
    when = at or utcnow()
    return FulfillmentOrder(
        order_id=order.id,
        location_id=location_id,
        status=FulfillmentOrderStatus.OPEN,
        request_status=FulfillmentOrderRequestStatus.UNSUBMITTED,
        delivery_method=order.delivery_method,
        routing_decision_id=decision_id,
        created_at=when,
        updated_at=when,
    )


def _refusal(plan: Plan, demands: Sequence[LineDemand]) -> DomainError:
    return DomainError(
        [
            Problem(
                "INSUFFICIENT_STOCK",
                f"no eligible location can fulfil {demands[index].quantity} units of this line; "
                + plan.decision.explanation,
                ("input", "lineItems", str(index), "quantity"),
            )
            for index in plan.decision.unroutable
        ]
    )


async def place(
    session: AsyncSession,
    *,
    order: Order,
    lines: Sequence[OrderLine],
    items: dict[int, InventoryItem],
    channel: Channel,
    pickup: Location | None = None,
    reservation: Reservation | None = None,
) -> tuple[list[FulfillmentOrder], str]:
    """Commit stock for ``lines`` where routing decides, store the decision and create the
    fulfillment orders; the routing explanation.

    A reservation is consumed: its location fulfils the order, its held units become
    committed (held units the order does not need go back to available).
    """
    held_lines: list[ReservationLine] = []
    if reservation is not None:
        if not await holds.finish(
            session, reservation.id, ReservationStatus.CONSUMED, expired=False
        ):
            raise DomainError.single(
                "RESERVATION_NOT_ACTIVE",
                "the reservation expired or was released",
                ("input", "reservationId"),
            )
        held_lines = await holds.lines_of(session, [reservation.id])
    held: dict[int, int] = defaultdict(int)
    for held_line in held_lines:
        held[held_line.level_id] += held_line.quantity
    quantities = [line.current_quantity for line in lines]
    placed = await route_and_commit(
        session,
        order=order,
        lines=lines,
        quantities=quantities,
        items=items,
        channel=channel,
        pickup=pickup,
        limits=Limits(
            reserved_location_id=reservation.location_id if reservation is not None else None,
            held=held,
        ),
        also=[
            StockChange(level_id, {"reserved": -units}, ("input", "reservationId"))
            for level_id, units in held.items()
        ],
        retry=reservation is None,
    )
    if reservation is not None:
        await record_event(
            session,
            EventType.RESERVATION_CONSUMED,
            GlobalId("Reservation", reservation.id),
            {"orderId": encode_gid("Order", order.id)},
            # It names the order: readers limited to other channels must not see it.
            channel=channel.handle,
        )
    fulfillment_orders = await _fulfillment_orders(
        session, order, lines, placed.plan, placed.levels, channel, placed.decision_id
    )
    return fulfillment_orders, placed.plan.decision.explanation


@dataclass(frozen=True, slots=True)
class Placed:
    plan: Plan
    levels: dict[int, int]
    """Line index -> the level holding its committed units (tracked items only)."""
    decision_id: int


async def route_and_commit(
    session: AsyncSession,
    *,
    order: Order,
    lines: Sequence[OrderLine],
    quantities: Sequence[int],
    items: dict[int, InventoryItem],
    channel: Channel,
    pickup: Location | None = None,
    limits: Limits | None = None,
    also: Sequence[StockChange] = (),
    retry: bool = True,
) -> Placed:
    """Route ``quantities`` of ``lines``, commit that stock where routing decides (with the
    ``also`` changes, in one conditional batch) and store the decision; routing runs again
    on fresh numbers when a concurrent order took the stock (``retry``). Order creation
    and order edits (for the units they add) both place through here."""
    demands = [
        planning.demand(
            item=items.get(line.item_id) if line.item_id else None,
            item_id=line.item_id,
            sku=line.sku,
            quantity=quantity,
        )
        for line, quantity in zip(lines, quantities, strict=True)
    ]
    where = Where(
        delivery=Delivery(order.delivery_method.value),
        destination=destination_of(order, pickup),
        pickup_location_id=pickup.id if pickup is not None else None,
    )
    for attempt in range(1, ATTEMPTS + 1):
        plan = await planning.plan(
            session,
            demands,
            channel=channel.handle,
            allow_split=channel.allow_split_shipments,
            where=where,
            limits=limits or Limits(),
        )
        if plan.decision.unroutable:
            raise _refusal(plan, demands)
        tracked_levels = {
            index: plan.level_ids[(lines[index].item_id, assignment.location_id)]  # type: ignore[index]
            for assignment in plan.decision.assignments
            for index in assignment.line_indexes
            if demands[index].needs_level
        }
        changes = [
            StockChange(
                level_id,
                {"committed": quantities[index]},
                ("input", "lineItems", str(index), "quantity"),
            )
            for index, level_id in tracked_levels.items()
        ]
        try:
            async with session.begin_nested():
                await change_stock(
                    session,
                    [*changes, *also],
                    reason=InventoryReason.ORDER,
                    reference_document_uri=encode_gid("Order", order.id),
                )
            break
        except DomainError as error:
            raced = all(p.code == "INSUFFICIENT_STOCK" for p in error.problems)
            if not raced or attempt == ATTEMPTS or not retry:
                raise
    details = planning.record(plan, demands, [line.id for line in lines])
    decision_id = await planning.store(session, order.id, plan, details)
    return Placed(plan, tracked_levels, decision_id)


async def _fulfillment_orders(
    session: AsyncSession,
    order: Order,
    lines: Sequence[OrderLine],
    plan: Plan,
    tracked_levels: dict[int, int],
    channel: Channel,
    decision_id: int,
) -> list[FulfillmentOrder]:
    """One OPEN fulfillment order per chosen location; ``tracked_levels`` maps a line's
    index to the level holding its committed units."""
    created = [
        open_fulfillment_order(order, assignment.location_id, decision_id, at=order.created_at)
        for assignment in plan.decision.assignments
    ]
    session.add_all(created)
    await session.flush()
    for fulfillment_order, assignment in zip(created, plan.decision.assignments, strict=True):
        indexes = assignment.line_indexes
        session.add_all(
            FulfillmentOrderLine(
                fulfillment_order_id=fulfillment_order.id,
                order_line_id=lines[index].id,
                level_id=tracked_levels.get(index),
                total_quantity=lines[index].current_quantity,
                remaining_quantity=lines[index].current_quantity,
            )
            for index in indexes
        )
        await record_event(
            session,
            EventType.FULFILLMENT_ORDER_CREATED,
            GlobalId("FulfillmentOrder", fulfillment_order.id),
            {
                "orderId": encode_gid("Order", order.id),
                "locationId": encode_gid("Location", fulfillment_order.location_id),
                "lineItems": [
                    {"sku": lines[i].sku, "quantity": lines[i].current_quantity} for i in indexes
                ],
            },
            channel=channel.handle,
        )
    await session.flush()
    return created
