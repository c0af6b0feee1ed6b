"""The one way stock moves: conditional UPDATEs in level-id order, a ledger row per quantity
moved, and events. Every room that changes stock (adjustments, holds, transfers, orders,
fulfillments, returns) calls ``change_stock``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.actor import current_actor
from oms_graphql.db import utcnow
from oms_graphql.errors import DomainError, Problem
from oms_graphql.events import EventType, record_event
from oms_graphql.ids import GlobalId, encode_gid
from oms_graphql.inventory import repository
from oms_graphql.inventory import reservation_repository as holds
from oms_graphql.inventory.quantities import AVAILABLE, Deltas, available, available_delta, merged
from oms_graphql.models import (
    InventoryAdjustmentGroup,
    InventoryPolicy,
    InventoryReason,
    ReservationStatus,
)


@dataclass(frozen=True, slots=True)
class StockChange:
    """Deltas to stored quantities of one level; ``field`` is the input it came from."""

    level_id: int
    deltas: Deltas
    field: tuple[str, ...] = ()


@dataclass(slots=True)
class Applied:
    group: InventoryAdjustmentGroup
    changes: list[dict[str, Any]] = field(default_factory=list)
    """The ledger rows written, in level-id order."""


def _keeps_available(facts: Any) -> bool:
    return bool(facts.tracked) and facts.inventory_policy == InventoryPolicy.DENY


async def _refusal(session: AsyncSession, change: StockChange, facts: Any) -> Problem:
    """Why a guarded UPDATE matched no row: too little available, or another quantity
    would have gone below zero."""
    (level,) = await repository.levels_by_id(session, [change.level_id])
    wanted = -available_delta(change.deltas)
    if _keeps_available(facts) and wanted > level.available:
        return Problem(
            "INSUFFICIENT_STOCK",
            f"{facts.sku}: only {max(level.available, 0)} available at this location, "
            f"{wanted} asked",
            change.field,
        )
    name, delta = next(
        (name, delta) for name, delta in change.deltas.items() if level.quantities[name] + delta < 0
    )
    return Problem(
        "INSUFFICIENT_QUANTITY",
        f"{facts.sku}: only {level.quantities[name]} {name} at this location, {-delta} asked",
        change.field,
    )


async def _apply(
    session: AsyncSession,
    changes: Sequence[StockChange],
    *,
    reason: InventoryReason,
    reference_document_uri: str | None,
) -> Applied:
    group = await repository.add_group(
        session,
        reason=reason,
        reference_document_uri=reference_document_uri,
        actor=current_actor(),
    )
    applied = Applied(group)
    by_level: dict[int, list[StockChange]] = defaultdict(list)
    for change in changes:
        by_level[change.level_id].append(change)
    facts = await repository.level_facts(session, by_level)
    problems: list[Problem] = []
    now = utcnow()
    for level_id in sorted(by_level):
        deltas = merged([change.deltas for change in by_level[level_id]])
        if not deltas:
            continue
        level = facts[level_id]
        after = await repository.apply_deltas(
            session, level_id, deltas, keep_available=_keeps_available(level)
        )
        if after is None:
            first = StockChange(level_id, deltas, by_level[level_id][0].field)
            problems.append(await _refusal(session, first, level))
            continue
        if problems:
            continue
        moved = {**deltas, AVAILABLE: available_delta(deltas)}
        after[AVAILABLE] = available(after)
        for name, delta in moved.items():
            if delta:
                applied.changes.append(
                    {
                        "group_id": group.id,
                        "level_id": level_id,
                        "quantity_name": name,
                        "delta": delta,
                        "quantity_after": after[name],
                        "reason": reason,
                        "reference_document_uri": reference_document_uri,
                        "actor": group.actor,
                        "created_at": now,
                    }
                )
        await _record(session, level, moved, after, reason)
    if problems:
        raise DomainError(problems)
    await repository.append_changes(session, applied.changes)
    return applied


async def _record(
    session: AsyncSession, level: Any, moved: Deltas, after: dict[str, int], reason: InventoryReason
) -> None:
    subject = GlobalId("InventoryLevel", level.id)
    data = {
        "inventoryItemId": encode_gid("InventoryItem", level.item_id),
        "locationId": encode_gid("Location", level.location_id),
        "sku": level.sku,
        "reason": reason.value,
        "deltas": {name: delta for name, delta in moved.items() if delta},
        "quantities": after,
    }
    await record_event(session, EventType.INVENTORY_LEVEL_CHANGED, subject, data)
    threshold = level.low_stock_threshold
    before = after[AVAILABLE] - moved[AVAILABLE]
    if threshold is not None and after[AVAILABLE] < threshold <= before:
        await record_event(
            session,
            EventType.INVENTORY_LOW_STOCK,
            subject,
            {**data, "available": after[AVAILABLE], "lowStockThreshold": threshold},
        )


async def change_stock(
    session: AsyncSession,
    changes: Sequence[StockChange],
    *,
    reason: InventoryReason,
    reference_document_uri: str | None = None,
    release_expired: bool = True,
) -> Applied:
    """Apply every change or none: a refused line raises ``DomainError`` with all problems.

    Before taking stock, the same transaction returns the units of expired holds on the
    levels it takes from, so an expired reservation never blocks a sale.
    """
    if release_expired:
        taking = [c.level_id for c in changes if available_delta(c.deltas) < 0]
        await release_expired_holds(
            session, level_ids=taking, also_lock=[c.level_id for c in changes]
        )
    return await _apply(
        session, changes, reason=reason, reference_document_uri=reference_document_uri
    )


async def return_held_units(
    session: AsyncSession,
    reservation_ids: Sequence[int],
    *,
    reason: InventoryReason,
    also_lock: Sequence[int] = (),
) -> None:
    """Give back the reserved units of reservations this transaction just finished.

    Their levels (and ``also_lock``, the levels the caller changes next) are locked first,
    in id order, so that writers never wait for each other in a circle.
    """
    lines = await holds.lines_of(session, reservation_ids)
    if not lines:
        return
    await repository.lock_levels(session, [line.level_id for line in lines] + list(also_lock))
    by_reservation: dict[int, list[StockChange]] = defaultdict(list)
    for line in lines:
        by_reservation[line.reservation_id].append(
            StockChange(line.level_id, {"reserved": -line.quantity})
        )
    for reservation_id in sorted(by_reservation):
        await _apply(
            session,
            by_reservation[reservation_id],
            reason=reason,
            reference_document_uri=encode_gid("Reservation", reservation_id),
        )


async def expire(
    session: AsyncSession,
    reservation_ids: Sequence[int],
    now: datetime,
    *,
    also_lock: Sequence[int] = (),
) -> list[int]:
    """Claim expired reservations (in id order) and return their units; the ids claimed."""
    claimed = [
        reservation_id
        for reservation_id in sorted(reservation_ids)
        if await holds.finish(
            session, reservation_id, ReservationStatus.EXPIRED, expired=True, now=now
        )
    ]
    await return_held_units(
        session, claimed, reason=InventoryReason.RESERVATION, also_lock=also_lock
    )
    for reservation_id in claimed:
        await record_event(
            session, EventType.RESERVATION_EXPIRED, GlobalId("Reservation", reservation_id), {}
        )
    return claimed


async def release_expired_holds(
    session: AsyncSession, *, level_ids: Sequence[int], also_lock: Sequence[int] = ()
) -> list[int]:
    """Expire the overdue reservations holding units on these levels."""
    if not level_ids:
        return []
    now = utcnow()
    overdue = await holds.expired_holding(session, level_ids, now)
    return await expire(session, overdue, now, also_lock=also_lock)
