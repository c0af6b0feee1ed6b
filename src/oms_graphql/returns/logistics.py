"""Goods on their way back (reverse deliveries with label and tracking) and their receipt:
dispositions, the only way returned units reach inventory."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.actor import current_actor
from oms_graphql.db import utcnow
from oms_graphql.errors import DomainError, Problem
from oms_graphql.events import EventType
from oms_graphql.ids import encode_gid
from oms_graphql.inventory import repository as inventory
from oms_graphql.inventory.stock import StockChange, change_stock
from oms_graphql.locations import repository as locations
from oms_graphql.models import (
    DispositionType,
    InventoryReason,
    Order,
    Return,
    ReverseDelivery,
    ReverseDeliveryLine,
    ReverseDisposition,
    ReverseFulfillmentOrder,
    ReverseFulfillmentOrderLine,
    ReverseFulfillmentOrderStatus,
)
from oms_graphql.orders import repository as orders
from oms_graphql.orders import service as order_service
from oms_graphql.returns import exchanges, repository
from oms_graphql.returns.common import announce, touch
from oms_graphql.returns.state import Action, check

TEXT_MAX = 255
URL_MAX = 2048

STOCK_DELTAS: dict[DispositionType, dict[str, int]] = {
    DispositionType.RESTOCKED: {"on_hand": 1},
    DispositionType.DAMAGED: {"on_hand": 1, "damaged": 1},
    DispositionType.PROCESSING_REQUIRED: {"on_hand": 1, "quality_control": 1},
}
"""Per unit received, what each disposition adds at its location (DOMAIN.md's table);
NOT_RESTOCKED and MISSING move no stock."""


@dataclass(frozen=True, slots=True)
class Shipping:
    carrier_name: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    label_url: str | None = None


@dataclass(frozen=True, slots=True)
class Disposal:
    line_id: int
    quantity: int
    type: DispositionType
    location_id: int | None = None


async def _lock_returns(
    session: AsyncSession,
    return_ids: Sequence[int],
    *,
    channels: frozenset[str] | None,
    field: Sequence[str],
) -> dict[int, tuple[Order, Return]]:
    """The returns and their orders, orders first in id order, then returns in id order."""
    found = {row.id: row for row in await repository.returns_by_id(session, return_ids)}
    locked_orders = await order_service.locked_in_order(
        session, (row.order_id for row in found.values()), channels=channels, path=field
    )
    return {
        row.id: (locked_orders[row.order_id], row)
        for row in await repository.returns_by_id(session, sorted(found), for_update=True)
    }


def _checked_shipping(shipping: Shipping) -> None:
    problems: list[Problem] = []
    checks = (
        (shipping.carrier_name, TEXT_MAX, ("trackingInput", "company"), False),
        (shipping.tracking_number, TEXT_MAX, ("trackingInput", "number"), False),
        (shipping.tracking_url, URL_MAX, ("trackingInput", "url"), True),
        (shipping.label_url, URL_MAX, ("labelInput", "fileUrl"), True),
    )
    for value, limit, path, is_url in checks:
        if value is None:
            continue
        if len(value) > limit:
            problems.append(Problem("TOO_LONG", f"at most {limit} characters", path))
        elif is_url and not value.lower().startswith(("https://", "http://")):
            problems.append(Problem("INVALID", "the URL starts with https:// or http://", path))
    if problems:
        raise DomainError(problems)


async def create_delivery(
    session: AsyncSession,
    *,
    reverse_fulfillment_order_id: int,
    lines: Sequence[tuple[int, int]] | None,
    shipping: Shipping,
    channels: frozenset[str] | None,
) -> ReverseDelivery:
    """A parcel coming back for some (default: all) units of a reverse fulfillment order."""
    field = ("reverseFulfillmentOrderId",)
    (rfo,) = await repository.reverse_fulfillment_orders_by_id(
        session, [reverse_fulfillment_order_id]
    ) or (None,)
    if rfo is None:
        raise DomainError.single("NOT_FOUND", "reverse fulfillment order not found", field)
    order, row = (await _lock_returns(session, [rfo.return_id], channels=channels, field=field))[
        rfo.return_id
    ]
    check(Action.SHIP_BACK, row.status, field)
    _checked_shipping(shipping)
    own = {line.id: line for line in await repository.rfo_lines_of(session, [rfo.id])}
    wanted = [(line.id, line.total_quantity) for line in own.values()] if lines is None else lines
    problems: list[Problem] = []
    for index, (line_id, quantity) in enumerate(wanted):
        at = ("reverseDeliveryLineItems", str(index))
        line = own.get(line_id)
        if line is None:
            problems.append(
                Problem(
                    "NOT_FOUND",
                    "no line of this reverse fulfillment order has this id",
                    (*at, "reverseFulfillmentOrderLineItemId"),
                )
            )
        elif not 1 <= quantity <= line.total_quantity:
            problems.append(
                Problem(
                    "INVALID_QUANTITY",
                    f"between 1 and the line's {line.total_quantity} units",
                    (*at, "quantity"),
                )
            )
    if not wanted:
        problems.append(Problem("BLANK", "name at least one line", ("reverseDeliveryLineItems",)))
    if problems:
        raise DomainError(problems)
    delivery = ReverseDelivery(
        reverse_fulfillment_order_id=rfo.id,
        carrier_name=shipping.carrier_name,
        tracking_number=shipping.tracking_number,
        tracking_url=shipping.tracking_url,
        label_url=shipping.label_url,
        created_at=utcnow(),
    )
    session.add(delivery)
    await session.flush()
    for line_id, quantity in wanted:
        session.add(
            ReverseDeliveryLine(reverse_delivery_id=delivery.id, line_id=line_id, quantity=quantity)
        )
    await session.flush()
    touch(row)
    await announce(
        session,
        EventType.REVERSE_DELIVERY_CREATED,
        order,
        row,
        {
            "reverseFulfillmentOrderId": encode_gid("ReverseFulfillmentOrder", rfo.id),
            "reverseDeliveryId": encode_gid("ReverseDelivery", delivery.id),
            "trackingNumber": shipping.tracking_number,
            "labelUrl": shipping.label_url,
        },
    )
    return delivery


async def _levels_for(
    session: AsyncSession, wanted: set[tuple[int, int]]
) -> dict[tuple[int, int], int]:
    """Level ids of (item, location) pairs; a location that never held the item starts to
    (a returned unit has to be counted somewhere)."""
    found = {pair: level.id for pair, level in (await inventory.levels_at(session, wanted)).items()}
    for item_id, location_id in sorted(wanted - found.keys()):
        level = await inventory.create_level(session, item_id=item_id, location_id=location_id)
        found[(item_id, location_id)] = level.id
    return found


def _input_problems(
    given: Sequence[Disposal],
    lines: dict[int, ReverseFulfillmentOrderLine],
    known_locations: set[int],
) -> list[Problem]:
    problems: list[Problem] = []
    asked: dict[int, int] = defaultdict(int)
    for index, disposal in enumerate(given):
        at = ("dispositionInputs", str(index))
        line = lines.get(disposal.line_id)
        if line is None:
            problems.append(
                Problem(
                    "NOT_FOUND",
                    "reverse fulfillment order line item not found",
                    (*at, "reverseFulfillmentOrderLineItemId"),
                )
            )
            continue
        if disposal.quantity < 1:
            problems.append(Problem("INVALID_QUANTITY", "at least 1", (*at, "quantity")))
            continue
        moves_stock = disposal.type in STOCK_DELTAS
        if moves_stock and disposal.location_id is None:
            problems.append(
                Problem("BLANK", f"{disposal.type.value} needs a location", (*at, "locationId"))
            )
        elif disposal.location_id is not None and disposal.location_id not in known_locations:
            problems.append(Problem("NOT_FOUND", "location not found", (*at, "locationId")))
        asked[line.id] += disposal.quantity
        if asked[line.id] > line.remaining_quantity:
            problems.append(
                Problem(
                    "OVER_DISPOSAL",
                    f"only {line.remaining_quantity} of the line's {line.total_quantity} "
                    f"returned units remain to dispose, {asked[line.id]} asked",
                    (*at, "quantity"),
                )
            )
    return problems


async def dispose(
    session: AsyncSession,
    *,
    given: Sequence[Disposal],
    channels: frozenset[str] | None,
    exchanges_at_once: bool = False,
) -> list[ReverseFulfillmentOrderLine]:
    """Receive returned units: each disposition says what became of them and where; a
    return received in full gets its exchange placed and settled."""
    field = ("dispositionInputs",)
    if not given:
        raise DomainError.single("BLANK", "name at least one disposition", field)
    seen = await repository.rfo_lines_by_id(session, [d.line_id for d in given])
    works = {
        rfo.id: rfo
        for rfo in await repository.reverse_fulfillment_orders_by_id(
            session, [line.reverse_fulfillment_order_id for line in seen]
        )
    }
    returns = await _lock_returns(
        session, [rfo.return_id for rfo in works.values()], channels=channels, field=field
    )
    lines = {
        line.id: line
        for line in await repository.rfo_lines_by_id(
            session, [line.id for line in seen], for_update=True
        )
    }
    location_ids = {d.location_id for d in given if d.location_id is not None}
    known = {row.id for row in await locations.get_many(session, sorted(location_ids))}
    problems = _input_problems(given, lines, known)
    for index, disposal in enumerate(given):
        line = lines.get(disposal.line_id)
        if line is None:
            continue
        rfo = works[line.reverse_fulfillment_order_id]
        _, row = returns[rfo.return_id]
        try:
            check(Action.DISPOSE, row.status, ("dispositionInputs", str(index)))
            if rfo.status != ReverseFulfillmentOrderStatus.OPEN:
                raise DomainError.single(
                    "INVALID_STATE",
                    "this reverse fulfillment order is not open",
                    ("dispositionInputs", str(index)),
                )
        except DomainError as error:
            problems.extend(error.problems)
    if problems:
        raise DomainError(problems)
    await _move_stock(session, given, lines, works)
    result = await _record(session, given, lines, works, returns)
    by_order: dict[int, list[Return]] = defaultdict(list)
    orders_of: dict[int, Order] = {}
    for order, row in returns.values():
        by_order[order.id].append(row)
        orders_of[order.id] = order
    for order_id in sorted(by_order):
        await exchanges.advance(
            session, orders_of[order_id], by_order[order_id], at_once=exchanges_at_once
        )
    return result


async def _move_stock(
    session: AsyncSession,
    given: Sequence[Disposal],
    lines: dict[int, ReverseFulfillmentOrderLine],
    works: dict[int, ReverseFulfillmentOrder],
) -> None:
    return_lines = {
        line.id: line
        for line in await repository.return_lines_by_id(
            session, [line.return_line_id for line in lines.values()]
        )
    }
    order_lines = {
        line.id: line
        for line in await orders.order_lines_by_id(
            session, [line.order_line_id for line in return_lines.values()]
        )
    }
    problems: list[Problem] = []
    placed: list[tuple[int, int, Disposal, int]] = []
    for index, disposal in enumerate(given):
        if disposal.type not in STOCK_DELTAS:
            continue
        line = lines[disposal.line_id]
        item_id = order_lines[return_lines[line.return_line_id].order_line_id].item_id
        if item_id is None:
            problems.append(
                Problem(
                    "INVALID",
                    "this line has no inventory item to put back in stock",
                    ("dispositionInputs", str(index), "dispositionType"),
                )
            )
            continue
        assert disposal.location_id is not None
        return_id = works[line.reverse_fulfillment_order_id].return_id
        placed.append((return_id, item_id, disposal, index))
    if problems:
        raise DomainError(problems)
    levels = await _levels_for(
        session, {(item, d.location_id) for _, item, d, _ in placed if d.location_id}
    )
    by_return: dict[int, list[StockChange]] = defaultdict(list)
    for return_id, item_id, disposal, index in placed:
        assert disposal.location_id is not None
        by_return[return_id].append(
            StockChange(
                levels[(item_id, disposal.location_id)],
                {
                    name: per_unit * disposal.quantity
                    for name, per_unit in STOCK_DELTAS[disposal.type].items()
                },
                ("dispositionInputs", str(index)),
            )
        )
    for return_id in sorted(by_return):
        await change_stock(
            session,
            by_return[return_id],
            reason=InventoryReason.RETURN,
            reference_document_uri=encode_gid("Return", return_id),
            release_expired=False,
        )


async def _record(
    session: AsyncSession,
    given: Sequence[Disposal],
    lines: dict[int, ReverseFulfillmentOrderLine],
    works: dict[int, ReverseFulfillmentOrder],
    returns: dict[int, tuple[Order, Return]],
) -> list[ReverseFulfillmentOrderLine]:
    now = utcnow()
    actor = current_actor()
    touched: dict[int, list[dict[str, object]]] = defaultdict(list)
    for disposal in given:
        line = lines[disposal.line_id]
        line.remaining_quantity -= disposal.quantity
        session.add(
            ReverseDisposition(
                line_id=line.id,
                type=disposal.type,
                quantity=disposal.quantity,
                location_id=disposal.location_id,
                actor=actor,
                created_at=now,
            )
        )
        touched[line.reverse_fulfillment_order_id].append(
            {
                "reverseFulfillmentOrderLineItemId": encode_gid(
                    "ReverseFulfillmentOrderLineItem", line.id
                ),
                "quantity": disposal.quantity,
                "dispositionType": disposal.type.value,
                "locationId": encode_gid("Location", disposal.location_id)
                if disposal.location_id is not None
                else None,
            }
        )
    await session.flush()
    open_work = {
        line.reverse_fulfillment_order_id
        for line in await repository.rfo_lines_of(session, sorted(touched))
        if line.remaining_quantity > 0
    }
    for rfo_id in sorted(touched):
        rfo = works[rfo_id]
        if rfo_id not in open_work:
            rfo.status = ReverseFulfillmentOrderStatus.CLOSED
        rfo.updated_at = now
        order, row = returns[rfo.return_id]
        touch(row)
        await announce(
            session,
            EventType.REVERSE_FULFILLMENT_ORDER_DISPOSED,
            order,
            row,
            {
                "reverseFulfillmentOrderId": encode_gid("ReverseFulfillmentOrder", rfo_id),
                "dispositions": touched[rfo_id],
            },
        )
    seen: set[int] = set()
    result = []
    for disposal in given:
        if disposal.line_id not in seen:
            seen.add(disposal.line_id)
            result.append(lines[disposal.line_id])
    return result
