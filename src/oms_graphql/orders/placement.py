"""Placing an order's lines: routing chooses locations, stock is committed there, and one
fulfillment order per location records the work.

Stock moves through ``change_stock`` (conditional UPDATEs in level-id order), so two orders
never take the same last unit. Routing reads availability without locks; when a
concurrent order took the stock first, the commit is refused, rolled back to a savepoint,
and routing runs again on fresh numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.errors import DomainError, Problem
from oms_graphql.events import EventType, record_event
from oms_graphql.ids import GlobalId, encode_gid
from oms_graphql.inventory import repository as inventory
from oms_graphql.inventory import reservation_repository as holds
from oms_graphql.inventory.stock import StockChange, change_stock
from oms_graphql.locations import repository as locations_repository
from oms_graphql.models import (
    Channel,
    FulfillmentOrder,
    FulfillmentOrderLine,
    FulfillmentOrderRequestStatus,
    FulfillmentOrderStatus,
    InventoryItem,
    InventoryPolicy,
    InventoryReason,
    Location,
    Order,
    OrderLine,
    Reservation,
    ReservationLine,
    ReservationStatus,
)
from oms_graphql.routing import Candidate, LineDemand, RoutingRequest, RoutingResult, route

ATTEMPTS = 3
"""How often routing runs again when concurrent orders took the stock it chose."""


def _demand(index: int, line: OrderLine, item: InventoryItem | None) -> LineDemand:
    tracked = item is not None and item.tracked
    return LineDemand(
        index=index,
        item_id=line.item_id,
        quantity=line.current_quantity,
        needs_level=tracked,
        needs_stock=tracked and item is not None and item.inventory_policy == InventoryPolicy.DENY,
    )


async def _candidates(
    session: AsyncSession,
    locations: Sequence[Location],
    item_ids: Sequence[int],
    held: dict[int, int],
) -> tuple[list[Candidate], dict[tuple[int, int], int]]:
    """Candidates with their availability, and (item, location) -> level id.

    ``held`` (level id -> units) are units the order's own reservation holds: they count as
    available to this order.
    """
    found = await inventory.levels_for_items(
        session, item_ids, location_ids=[location.id for location in locations]
    )
    available: dict[int, dict[int, int]] = defaultdict(dict)
    level_ids: dict[tuple[int, int], int] = {}
    for level, location in found:
        available[location.id][level.item_id] = level.available + held.get(level.id, 0)
        level_ids[(level.item_id, location.id)] = level.id
    candidates = [
        Candidate(location.id, location.name, location.priority, available[location.id])
        for location in locations
    ]
    return candidates, level_ids


def _refusal(result: RoutingResult, demands: Sequence[LineDemand], where: str) -> DomainError:
    return DomainError(
        [
            Problem(
                "INSUFFICIENT_STOCK",
                f"not enough stock {where} for {demands[index].quantity} units; "
                + result.explanation,
                ("input", "lineItems", str(index), "quantity"),
            )
            for index in result.unroutable
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
    """Commit stock for ``lines`` and create the fulfillment orders; the routing explanation.

    A reservation is consumed: its location fulfils the order, its held units become
    committed (held units the order does not need go back to available).
    """
    demands = [
        _demand(index, line, items.get(line.item_id) if line.item_id else None)
        for index, line in enumerate(lines)
    ]
    item_ids = sorted({line.item_id for line in lines if line.item_id is not None})
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
        location = await locations_repository.get(session, reservation.location_id)
        assert location is not None
        locations: Sequence[Location] = [location]
        where = f"at {location.name}, where the reservation holds stock"
    elif pickup is not None:
        locations, where = [pickup], f"at {pickup.name} for pickup"
    else:
        locations = await locations_repository.fulfilling_online_orders(
            session, channel=channel.handle
        )
        where = "at any location fulfilling this channel's orders"
    held: dict[int, int] = defaultdict(int)
    for held_line in held_lines:
        held[held_line.level_id] += held_line.quantity
    for attempt in range(1, ATTEMPTS + 1):
        candidates, level_ids = await _candidates(session, locations, item_ids, held)
        result = route(
            RoutingRequest(demands, candidates, allow_split=channel.allow_split_shipments)
        )
        if result.unroutable:
            raise _refusal(result, demands, where)
        tracked_levels = {
            index: level_ids[(lines[index].item_id, location_id)]  # type: ignore[index]
            for location_id, indexes in result.assignments.items()
            for index in indexes
            if demands[index].needs_level
        }
        changes = [
            StockChange(
                level_id,
                {"committed": lines[index].current_quantity},
                ("input", "lineItems", str(index), "quantity"),
            )
            for index, level_id in tracked_levels.items()
        ]
        changes += [
            StockChange(level_id, {"reserved": -units}, ("input", "reservationId"))
            for level_id, units in held.items()
        ]
        try:
            async with session.begin_nested():
                await change_stock(
                    session,
                    changes,
                    reason=InventoryReason.ORDER,
                    reference_document_uri=encode_gid("Order", order.id),
                )
            break
        except DomainError as error:
            raced = all(p.code == "INSUFFICIENT_STOCK" for p in error.problems)
            if not raced or attempt == ATTEMPTS or reservation is not None:
                raise
    if reservation is not None:
        await record_event(
            session,
            EventType.RESERVATION_CONSUMED,
            GlobalId("Reservation", reservation.id),
            {"orderId": encode_gid("Order", order.id)},
        )
    fulfillment_orders = await _fulfillment_orders(
        session, order, lines, result, tracked_levels, channel
    )
    return fulfillment_orders, result.explanation


async def _fulfillment_orders(
    session: AsyncSession,
    order: Order,
    lines: Sequence[OrderLine],
    result: RoutingResult,
    tracked_levels: dict[int, int],
    channel: Channel,
) -> list[FulfillmentOrder]:
    """One OPEN fulfillment order per chosen location; ``tracked_levels`` maps a line's
    index to the level holding its committed units."""
    created = [
        FulfillmentOrder(
            order_id=order.id,
            location_id=location_id,
            status=FulfillmentOrderStatus.OPEN,
            request_status=FulfillmentOrderRequestStatus.UNSUBMITTED,
            delivery_method=order.delivery_method,
        )
        for location_id in result.assignments
    ]
    session.add_all(created)
    await session.flush()
    for fulfillment_order in created:
        indexes = result.assignments[fulfillment_order.location_id]
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
