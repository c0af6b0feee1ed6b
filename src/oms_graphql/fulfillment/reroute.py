"""fulfillmentOrdersReroute: route open fulfillment orders again, within the locations the
caller includes or excludes, and move their committed stock in the same transaction.

A fulfillment order whose lines all go to one new location moves there (same id); lines
sent to further locations leave in new fulfillment orders. Lines routed back to where they
are stay put, stock untouched.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import utcnow
from oms_graphql.errors import DomainError, Problem
from oms_graphql.events import EventType
from oms_graphql.fulfillment import lifecycle, planning
from oms_graphql.fulfillment.planning import Limits, Where
from oms_graphql.fulfillment.work import announce, lock_orders_of
from oms_graphql.ids import encode_gid
from oms_graphql.inventory import repository as inventory
from oms_graphql.inventory.stock import StockChange, change_stock
from oms_graphql.locations import repository as locations
from oms_graphql.models import (
    FulfillmentOrder,
    FulfillmentOrderLine,
    FulfillmentOrderRequestStatus,
    InventoryReason,
    Order,
    OrderLine,
)
from oms_graphql.orders import repository as orders
from oms_graphql.orders import service as order_service
from oms_graphql.orders.placement import destination_of, open_fulfillment_order
from oms_graphql.routing import Delivery

MAX_FULFILLMENT_ORDERS = 250


@dataclass(frozen=True, slots=True)
class RerouteRequest:
    fulfillment_order_ids: Sequence[int]
    included_location_ids: Sequence[int] | None = None
    excluded_location_ids: Sequence[int] = ()


async def _check_locations(session: AsyncSession, given: RerouteRequest) -> None:
    problems: list[Problem] = []
    named = [
        ("includedLocationIds", given.included_location_ids or ()),
        ("excludedLocationIds", given.excluded_location_ids),
    ]
    known = {
        location.id
        for location in await locations.get_many(
            session, sorted({pk for _, ids in named for pk in ids})
        )
    }
    for argument, ids in named:
        for index, pk in enumerate(ids):
            if pk not in known:
                problems.append(Problem("NOT_FOUND", "location not found", (argument, str(index))))
    both = set(given.included_location_ids or ()) & set(given.excluded_location_ids)
    if both:
        problems.append(
            Problem(
                "INVALID",
                "a location cannot be both included and excluded",
                ("excludedLocationIds",),
            )
        )
    if given.included_location_ids is not None and not given.included_location_ids:
        problems.append(
            Problem(
                "BLANK", "include at least one location, or leave it out", ("includedLocationIds",)
            )
        )
    if problems:
        raise DomainError(problems)


async def _locked_fulfillment_orders(
    session: AsyncSession, given: RerouteRequest
) -> tuple[Order, list[FulfillmentOrder]]:
    ids = list(given.fulfillment_order_ids)
    if not ids:
        raise DomainError.single(
            "BLANK", "name at least one fulfillment order", ("fulfillmentOrderIds",)
        )
    if len(ids) > MAX_FULFILLMENT_ORDERS or len(set(ids)) != len(ids):
        raise DomainError.single(
            "INVALID",
            f"name at most {MAX_FULFILLMENT_ORDERS} fulfillment orders, each once",
            ("fulfillmentOrderIds",),
        )
    found = {fo.id: fo for fo in await orders.get_fulfillment_orders(session, ids)}
    missing = [
        Problem("NOT_FOUND", "fulfillment order not found", ("fulfillmentOrderIds", str(index)))
        for index, pk in enumerate(ids)
        if pk not in found
    ]
    if missing:
        raise DomainError(missing)
    locked_orders = await lock_orders_of(
        session, list(found.values()), field=("fulfillmentOrderIds", "0")
    )
    if len(locked_orders) > 1:
        raise DomainError.single(
            "INVALID",
            "reroute the fulfillment orders of one order at a time",
            ("fulfillmentOrderIds",),
        )
    (order,) = locked_orders.values()
    fulfillment_orders = await orders.get_fulfillment_orders(session, ids, for_update=True)
    fulfillment_orders.sort(key=lambda fo: ids.index(fo.id))
    now = utcnow()
    problems: list[Problem] = []
    for index, fo in enumerate(fulfillment_orders):
        try:
            lifecycle.check(lifecycle.Action.MOVE, fo, now, ("fulfillmentOrderIds", str(index)))
        except DomainError as error:
            problems.extend(error.problems)
    if problems:
        raise DomainError(problems)
    return order, fulfillment_orders


async def reroute(session: AsyncSession, given: RerouteRequest) -> list[FulfillmentOrder]:
    """Route the fulfillment orders again; those that moved or were created."""
    await _check_locations(session, given)
    order, fulfillment_orders = await _locked_fulfillment_orders(session, given)
    fo_lines = [
        line
        for line in await orders.fulfillment_order_lines_of(
            session, [fo.id for fo in fulfillment_orders]
        )
        if line.remaining_quantity > 0
    ]
    order_lines = {
        line.id: line
        for line in await orders.order_lines_by_id(
            session, [fo_line.order_line_id for fo_line in fo_lines]
        )
    }
    items = {
        item.id: item
        for item in await inventory.items_by_id(
            session, {line.item_id for line in order_lines.values() if line.item_id is not None}
        )
    }
    demands = []
    for fo_line in fo_lines:
        line = order_lines[fo_line.order_line_id]
        demands.append(
            planning.demand(
                item=items.get(line.item_id) if line.item_id is not None else None,
                item_id=line.item_id,
                sku=line.sku,
                quantity=fo_line.remaining_quantity,
            )
        )
    held: dict[int, int] = defaultdict(int)
    for fo_line in fo_lines:
        if fo_line.level_id is not None:
            held[fo_line.level_id] += fo_line.remaining_quantity
    pickup = (
        await locations.get(session, order.pickup_location_id)
        if order.pickup_location_id is not None
        else None
    )
    channel = await orders.channel_of(session, order)
    plan = await planning.plan(
        session,
        demands,
        channel=channel.handle,
        allow_split=channel.allow_split_shipments,
        where=Where(
            delivery=Delivery(order.delivery_method.value),
            destination=destination_of(order, pickup),
            pickup_location_id=order.pickup_location_id,
        ),
        limits=Limits(
            included=frozenset(given.included_location_ids)
            if given.included_location_ids is not None
            else None,
            excluded=frozenset(given.excluded_location_ids),
            held=held,
        ),
    )
    if plan.decision.unroutable:
        raise DomainError.single(
            "INSUFFICIENT_STOCK",
            "the fulfillment orders cannot be rerouted: " + plan.decision.explanation,
            ("fulfillmentOrderIds",),
        )
    decision_id = await planning.store(
        session,
        order.id,
        plan,
        planning.record(plan, demands, [line.order_line_id for line in fo_lines]),
    )
    destination = {
        index: assignment.location_id
        for assignment in plan.decision.assignments
        for index in assignment.line_indexes
    }
    await _move_stock(session, order, fo_lines, order_lines, destination, plan.level_ids)
    return await _regroup(
        session,
        order,
        fulfillment_orders,
        fo_lines,
        order_lines,
        destination,
        decision_id,
    )


async def _move_stock(
    session: AsyncSession,
    order: Order,
    fo_lines: Sequence[FulfillmentOrderLine],
    order_lines: dict[int, OrderLine],
    destination: dict[int, int],
    level_ids: dict[tuple[int, int], int],
) -> None:
    """Committed units leave the old level and are committed at the new one."""
    changes: list[StockChange] = []
    for index, fo_line in enumerate(fo_lines):
        if fo_line.level_id is None:
            continue
        item_id = order_lines[fo_line.order_line_id].item_id
        assert item_id is not None
        new_level = level_ids[(item_id, destination[index])]
        if new_level == fo_line.level_id:
            continue
        path = ("fulfillmentOrderIds",)
        changes.append(
            StockChange(fo_line.level_id, {"committed": -fo_line.remaining_quantity}, path)
        )
        changes.append(StockChange(new_level, {"committed": fo_line.remaining_quantity}, path))
        fo_line.level_id = new_level
    if changes:
        await change_stock(
            session,
            changes,
            reason=InventoryReason.ORDER,
            reference_document_uri=encode_gid("Order", order.id),
        )


async def _regroup(
    session: AsyncSession,
    order: Order,
    fulfillment_orders: Sequence[FulfillmentOrder],
    fo_lines: Sequence[FulfillmentOrderLine],
    order_lines: dict[int, OrderLine],
    destination: dict[int, int],
    decision_id: int,
) -> list[FulfillmentOrder]:
    """Each fulfillment order keeps the lines going to one location (its own, when some
    stay); lines going elsewhere leave in new fulfillment orders."""
    now = utcnow()
    moved: list[FulfillmentOrder] = []
    for fo in fulfillment_orders:
        groups: dict[int, list[int]] = defaultdict(list)
        for index, fo_line in enumerate(fo_lines):
            if fo_line.fulfillment_order_id == fo.id:
                groups[destination[index]].append(index)
        if list(groups) in ([], [fo.location_id]):
            continue
        origin = fo.location_id
        keep = origin if origin in groups else next(iter(groups))
        if keep != origin:
            fo.location_id = keep
            fo.request_status = FulfillmentOrderRequestStatus.UNSUBMITTED
            await _announce_move(session, order, fo, origin, groups[keep], fo_lines, order_lines)
        fo.routing_decision_id = decision_id
        fo.version += 1
        fo.updated_at = now
        moved.append(fo)
        for location_id, indexes in groups.items():
            if location_id == keep:
                continue
            split_off = open_fulfillment_order(order, location_id, decision_id)
            session.add(split_off)
            await session.flush()
            for index in indexes:
                fo_lines[index].fulfillment_order_id = split_off.id
            await _announce_move(session, order, split_off, origin, indexes, fo_lines, order_lines)
            moved.append(split_off)
    if moved:
        order_service.touch(order)
    await session.flush()
    return moved


async def _announce_move(
    session: AsyncSession,
    order: Order,
    fo: FulfillmentOrder,
    origin: int,
    indexes: Sequence[int],
    fo_lines: Sequence[FulfillmentOrderLine],
    order_lines: dict[int, OrderLine],
) -> None:
    await announce(
        session,
        EventType.FULFILLMENT_ORDER_REROUTED,
        order,
        fo,
        {
            "fromLocationId": encode_gid("Location", origin),
            "lineItems": [
                {
                    "sku": order_lines[fo_lines[i].order_line_id].sku,
                    "quantity": fo_lines[i].remaining_quantity,
                }
                for i in indexes
            ],
        },
    )
