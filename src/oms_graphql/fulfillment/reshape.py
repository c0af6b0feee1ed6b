"""Reshaping open work by hand: move a fulfillment order (or some of its units) to another
location with its committed stock, split units off into a new fulfillment order, merge
fulfillment orders of one order at one location."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import utcnow
from oms_graphql.errors import DomainError, Problem
from oms_graphql.events import EventType
from oms_graphql.fulfillment import lifecycle
from oms_graphql.fulfillment.lifecycle import Action
from oms_graphql.fulfillment.work import announce, lock_orders_of, locked, refresh_order, touch
from oms_graphql.ids import encode_gid
from oms_graphql.inventory import repository as inventory
from oms_graphql.inventory.stock import StockChange, change_stock
from oms_graphql.locations import repository as locations
from oms_graphql.models import (
    FulfillmentOrder,
    FulfillmentOrderLine,
    FulfillmentOrderRequestStatus,
    FulfillmentOrderStatus,
    InventoryReason,
)
from oms_graphql.orders import repository as orders
from oms_graphql.orders.events import Statuses
from oms_graphql.orders.placement import open_fulfillment_order

MAX_GROUPS = 50


@dataclass(frozen=True, slots=True)
class Part:
    """Units of one fulfillment order line."""

    fulfillment_order_line_id: int
    quantity: int


@dataclass(frozen=True, slots=True)
class SplitRequest:
    fulfillment_order_id: int
    parts: Sequence[Part]


async def _open_lines(
    session: AsyncSession, fulfillment_order: FulfillmentOrder
) -> dict[int, FulfillmentOrderLine]:
    lines = await orders.fulfillment_order_lines_of(session, [fulfillment_order.id])
    return {line.id: line for line in lines if line.remaining_quantity > 0}


def _chosen(
    lines: dict[int, FulfillmentOrderLine], parts: Sequence[Part] | None, path: tuple[str, ...]
) -> list[tuple[FulfillmentOrderLine, int]]:
    """(line, units) to take: every remaining unit when ``parts`` is None."""
    if parts is None:
        return [(line, line.remaining_quantity) for line in lines.values()]
    if not parts:
        raise DomainError.single("BLANK", "name at least one line", path)
    problems: list[Problem] = []
    chosen: list[tuple[FulfillmentOrderLine, int]] = []
    seen: set[int] = set()
    for index, part in enumerate(parts):
        at = (*path, str(index))
        line = lines.get(part.fulfillment_order_line_id)
        if line is None or line.id in seen:
            problems.append(Problem("NOT_FOUND", "no such open line on it", (*at, "id")))
            continue
        seen.add(line.id)
        if not 1 <= part.quantity <= line.remaining_quantity:
            problems.append(
                Problem(
                    "INVALID_QUANTITY",
                    f"between 1 and the {line.remaining_quantity} units left",
                    (*at, "quantity"),
                )
            )
            continue
        chosen.append((line, part.quantity))
    if problems:
        raise DomainError(problems)
    return chosen


def _carve(
    session: AsyncSession,
    chosen: Sequence[tuple[FulfillmentOrderLine, int]],
    into: FulfillmentOrder,
    level_for: dict[int, int | None],
) -> None:
    """Move ``chosen`` units into ``into``: whole unshipped lines move, others divide."""
    for line, units in chosen:
        level_id = level_for.get(line.id, line.level_id)
        if units == line.remaining_quantity == line.total_quantity:
            line.fulfillment_order_id = into.id
            line.level_id = level_id
            continue
        line.total_quantity -= units
        line.remaining_quantity -= units
        session.add(
            FulfillmentOrderLine(
                fulfillment_order_id=into.id,
                order_line_id=line.order_line_id,
                level_id=level_id,
                total_quantity=units,
                remaining_quantity=units,
            )
        )


async def move(
    session: AsyncSession,
    fulfillment_order_id: int,
    new_location_id: int,
    parts: Sequence[Part] | None = None,
    *,
    expected_version: int | None = None,
) -> tuple[FulfillmentOrder, FulfillmentOrder]:
    """(moved, original): the whole fulfillment order moves (the same one twice), or the
    units named leave in a new fulfillment order at the new location. Committed stock moves
    with them; the new location must stock each item (and have the units of DENY items)."""
    order, fulfillment_order = await locked(
        session, fulfillment_order_id, expected_version=expected_version
    )
    now = utcnow()
    lifecycle.check(Action.MOVE, fulfillment_order, now, ("id",))
    destination = await locations.get(session, new_location_id)
    if destination is None:
        raise DomainError.single("NOT_FOUND", "location not found", ("newLocationId",))
    if not destination.is_active:
        raise DomainError.single("INVALID", f"{destination.name} is inactive", ("newLocationId",))
    if destination.id == fulfillment_order.location_id:
        raise DomainError.single(
            "INVALID", f"the work is already at {destination.name}", ("newLocationId",)
        )
    lines = await _open_lines(session, fulfillment_order)
    chosen = _chosen(lines, parts, ("fulfillmentOrderLineItems",))
    whole = sum(units for _, units in chosen) == sum(
        line.remaining_quantity for line in lines.values()
    )
    order_lines = {
        line.id: line
        for line in await orders.order_lines_by_id(
            session, [part.order_line_id for part, _ in chosen]
        )
    }
    tracked = [(line, units) for line, units in chosen if line.level_id is not None]
    levels = await inventory.levels_at(
        session,
        [(order_lines[line.order_line_id].item_id or 0, destination.id) for line, _ in tracked],
    )
    problems: list[Problem] = []
    level_for: dict[int, int | None] = {}
    changes: list[StockChange] = []
    for line, units in tracked:
        order_line = order_lines[line.order_line_id]
        level = levels.get((order_line.item_id or 0, destination.id))
        if level is None:
            problems.append(
                Problem(
                    "INSUFFICIENT_STOCK",
                    f"{destination.name} does not stock {order_line.sku}",
                    ("newLocationId",),
                )
            )
            continue
        level_for[line.id] = level.id
        assert line.level_id is not None
        changes.append(StockChange(line.level_id, {"committed": -units}, ("newLocationId",)))
        changes.append(StockChange(level.id, {"committed": units}, ("newLocationId",)))
    if problems:
        raise DomainError(problems)
    before = Statuses.of(order)
    if changes:
        await change_stock(
            session,
            changes,
            reason=InventoryReason.ORDER,
            reference_document_uri=encode_gid("Order", order.id),
        )
    origin = fulfillment_order.location_id
    if whole:
        for line, _ in chosen:
            line.level_id = level_for.get(line.id, line.level_id)
        fulfillment_order.location_id = destination.id
        fulfillment_order.request_status = FulfillmentOrderRequestStatus.UNSUBMITTED
        fulfillment_order.routing_decision_id = None  # a person chose, not routing
        moved = fulfillment_order
    else:
        moved = open_fulfillment_order(order, destination.id, None)
        session.add(moved)
        await session.flush()
        _carve(session, chosen, moved, level_for)
    touch(fulfillment_order, now)
    await session.flush()
    await announce(
        session,
        EventType.FULFILLMENT_ORDER_MOVED,
        order,
        moved,
        {
            "fromLocationId": encode_gid("Location", origin),
            "originalFulfillmentOrderId": encode_gid("FulfillmentOrder", fulfillment_order.id),
            "lineItems": [
                {"sku": order_lines[line.order_line_id].sku, "quantity": units}
                for line, units in chosen
            ],
        },
    )
    await refresh_order(session, order, before)
    return moved, fulfillment_order


async def split(
    session: AsyncSession,
    requests: Sequence[SplitRequest],
) -> list[tuple[FulfillmentOrder, FulfillmentOrder]]:
    """(original, split off) per request: the units named leave into a new fulfillment order
    at the same location; at least one unit stays."""
    if not requests:
        raise DomainError.single("BLANK", "name at least one split", ("fulfillmentOrderSplits",))
    if len(requests) > MAX_GROUPS:
        raise DomainError.single(
            "INVALID", f"at most {MAX_GROUPS} splits at once", ("fulfillmentOrderSplits",)
        )
    now = utcnow()
    results = []
    for index, request in enumerate(requests):
        path = ("fulfillmentOrderSplits", str(index))
        order, fulfillment_order = await locked(
            session,
            request.fulfillment_order_id,
            field=(*path, "fulfillmentOrderId"),
        )
        lifecycle.check(Action.SPLIT, fulfillment_order, now, (*path, "fulfillmentOrderId"))
        lines = await _open_lines(session, fulfillment_order)
        chosen = _chosen(lines, request.parts, (*path, "fulfillmentOrderLineItems"))
        if sum(units for _, units in chosen) == sum(
            left.remaining_quantity for left in lines.values()
        ):
            raise DomainError.single(
                "INVALID",
                "a split leaves at least one unit behind; nothing would remain",
                (*path, "fulfillmentOrderLineItems"),
            )
        before = Statuses.of(order)
        split_off = open_fulfillment_order(order, fulfillment_order.location_id, None)
        split_off.routing_decision_id = fulfillment_order.routing_decision_id
        session.add(split_off)
        await session.flush()
        _carve(session, chosen, split_off, {})
        touch(fulfillment_order, now)
        await session.flush()
        await announce(
            session,
            EventType.FULFILLMENT_ORDER_SPLIT,
            order,
            split_off,
            {"originalFulfillmentOrderId": encode_gid("FulfillmentOrder", fulfillment_order.id)},
        )
        await refresh_order(session, order, before)
        results.append((fulfillment_order, split_off))
    return results


async def merge(
    session: AsyncSession,
    groups: Sequence[Sequence[int]],
) -> list[FulfillmentOrder]:
    """One fulfillment order per group: the first named takes the others' lines (lines of
    the same order line become one); the others are CLOSED, empty."""
    if not groups:
        raise DomainError.single(
            "BLANK", "name at least one merge", ("fulfillmentOrderMergeInputs",)
        )
    if len(groups) > MAX_GROUPS:
        raise DomainError.single(
            "INVALID", f"at most {MAX_GROUPS} merges at once", ("fulfillmentOrderMergeInputs",)
        )
    now = utcnow()
    merged = []
    for index, ids in enumerate(groups):
        path = ("fulfillmentOrderMergeInputs", str(index), "fulfillmentOrderIds")
        if len(ids) < 2 or len(set(ids)) != len(ids):
            raise DomainError.single("INVALID", "merge two or more different ones", path)
        found = await orders.get_fulfillment_orders(session, ids)
        if len(found) != len(ids):
            raise DomainError.single("NOT_FOUND", "fulfillment order not found", path)
        locked_orders = await lock_orders_of(session, found, field=path)
        if len(locked_orders) > 1:
            raise DomainError.single("INVALID", "only one order's work can merge", path)
        if len({fo.location_id for fo in found}) > 1:
            raise DomainError.single("MIXED_LOCATIONS", "only work at one location merges", path)
        (order,) = locked_orders.values()
        by_id = {
            fo.id: fo for fo in await orders.get_fulfillment_orders(session, ids, for_update=True)
        }
        group = [by_id[pk] for pk in ids]
        for fo in group:
            lifecycle.check(Action.MERGE, fo, now, path)
        before = Statuses.of(order)
        target, others = group[0], group[1:]
        lines = await orders.fulfillment_order_lines_of(session, [fo.id for fo in group])
        kept: dict[tuple[int, int | None], FulfillmentOrderLine] = {
            (line.order_line_id, line.level_id): line
            for line in lines
            if line.fulfillment_order_id == target.id
        }
        leftovers: dict[int, list[FulfillmentOrderLine]] = defaultdict(list)
        for line in lines:
            if line.fulfillment_order_id == target.id:
                continue
            same = kept.get((line.order_line_id, line.level_id))
            if same is None:
                line.fulfillment_order_id = target.id
                kept[(line.order_line_id, line.level_id)] = line
            else:
                same.total_quantity += line.total_quantity
                same.remaining_quantity += line.remaining_quantity
                leftovers[line.fulfillment_order_id].append(line)
        for emptied in leftovers.values():
            for line in emptied:
                await session.delete(line)
        touch(target, now)
        for fo in others:
            fo.status = FulfillmentOrderStatus.CLOSED
            touch(fo, now)
        await session.flush()
        for fo in others:
            await announce(
                session,
                EventType.FULFILLMENT_ORDER_MERGED,
                order,
                fo,
                {"mergedIntoId": encode_gid("FulfillmentOrder", target.id)},
            )
        await refresh_order(session, order, before)
        merged.append(target)
    return merged
