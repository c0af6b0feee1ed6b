"""Rules for reservations: time-limited holds on stock, each pinned to one location."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.actor import current_actor
from oms_graphql.channels import repository as channels
from oms_graphql.db import utcnow
from oms_graphql.errors import DomainError, Problem
from oms_graphql.events import EventType, record_event
from oms_graphql.ids import GlobalId, encode_gid
from oms_graphql.inventory import repository
from oms_graphql.inventory import reservation_repository as holds
from oms_graphql.inventory.items import QUANTITY_MAX
from oms_graphql.inventory.stock import (
    StockChange,
    change_stock,
    expire,
    release_expired_holds,
    return_held_units,
)
from oms_graphql.locations import repository as locations
from oms_graphql.models import (
    InventoryItem,
    InventoryPolicy,
    InventoryReason,
    Reservation,
    ReservationStatus,
)

DEFAULT_TTL_SECONDS = 15 * 60
MAX_TTL_SECONDS = 7 * 24 * 3600
MAX_LINES = 250


@dataclass(frozen=True, slots=True)
class HoldLine:
    sku: str
    quantity: int


def effective_status(reservation: Reservation, now: datetime | None = None) -> ReservationStatus:
    """What callers see: an active hold past its time is EXPIRED, swept or not."""
    if reservation.status == ReservationStatus.ACTIVE and reservation.expires_at <= (
        now or utcnow()
    ):
        return ReservationStatus.EXPIRED
    return reservation.status


def _check_ttl(seconds: int, path: tuple[str, ...], problems: list[Problem]) -> None:
    if not 1 <= seconds <= MAX_TTL_SECONDS:
        problems.append(
            Problem(
                "OUT_OF_RANGE", f"expiresInSeconds must be between 1 and {MAX_TTL_SECONDS}", path
            )
        )


def _takes_stock(item: InventoryItem) -> bool:
    return item.tracked and item.inventory_policy == InventoryPolicy.DENY


async def _items(
    session: AsyncSession, lines: Sequence[HoldLine], problems: list[Problem]
) -> dict[int, tuple[InventoryItem, int, tuple[str, ...]]]:
    """Item id -> (item, total quantity, path of its first line); unknown SKUs are problems."""
    if not lines:
        problems.append(Problem("BLANK", "give at least one line", ("input", "lineItems")))
    if len(lines) > MAX_LINES:
        problems.append(Problem("TOO_MANY", f"at most {MAX_LINES} lines", ("input", "lineItems")))
        return {}
    by_sku = await repository.items_by_sku(session, [line.sku for line in lines])
    wanted: dict[int, tuple[InventoryItem, int, tuple[str, ...]]] = {}
    for index, line in enumerate(lines):
        path = ("input", "lineItems", str(index))
        item = by_sku.get(line.sku)
        if not 0 < line.quantity <= QUANTITY_MAX:
            problems.append(
                Problem(
                    "INVALID_QUANTITY",
                    f"quantity must be between 1 and {QUANTITY_MAX}",
                    (*path, "quantity"),
                )
            )
        if item is None:
            problems.append(
                Problem("NOT_FOUND", f"no inventory item has SKU {line.sku!r}", (*path, "sku"))
            )
            continue
        _, total, first = wanted.get(item.id, (item, 0, (*path, "quantity")))
        wanted[item.id] = (item, total + line.quantity, first)
    return wanted


async def reserve(
    session: AsyncSession,
    *,
    lines: Sequence[HoldLine],
    location_id: int | None,
    expires_in_seconds: int | None,
    channel: str | None = None,
) -> Reservation:
    """Hold stock at one location: the one given, or else the highest-priority active
    location that fulfils online orders (and serves ``channel``) and has every line."""
    problems: list[Problem] = []
    ttl = DEFAULT_TTL_SECONDS if expires_in_seconds is None else expires_in_seconds
    _check_ttl(ttl, ("input", "expiresInSeconds"), problems)
    wanted = await _items(session, lines, problems)
    if channel is not None and await channels.get_by_handle(session, channel) is None:
        problems.append(
            Problem("CHANNEL_NOT_FOUND", f"no channel has handle {channel!r}", ("input", "channel"))
        )
    if location_id is not None:
        location = await locations.get(session, location_id)
        if location is None:
            problems.append(Problem("NOT_FOUND", "location not found", ("input", "locationId")))
        elif not location.is_active:
            problems.append(
                Problem("LOCATION_INACTIVE", "the location is inactive", ("input", "locationId"))
            )
    if problems:
        raise DomainError(problems)
    found = await repository.levels_for_items(
        session,
        list(wanted),
        location_ids=None if location_id is None else [location_id],
        online=location_id is None,
        channel=channel,
    )
    at: dict[int, dict[int, int]] = defaultdict(dict)
    """location id -> item id -> level id"""
    enough: dict[int, bool] = defaultdict(lambda: True)
    order: list[int] = []
    for level, location in found:
        if location.id not in at:
            order.append(location.id)
        at[location.id][level.item_id] = level.id
        item, quantity, _ = wanted[level.item_id]
        if _takes_stock(item) and level.available < quantity:
            enough[location.id] = False
    complete = [loc for loc in order if len(at[loc]) == len(wanted)]
    if location_id is not None and not complete:
        missing = [
            path for item_id, (_, _, path) in wanted.items() if item_id not in at[location_id]
        ]
        raise DomainError(
            [
                Problem("NOT_STOCKED", "the item is not stocked at this location", path)
                for path in missing
            ]
        )
    candidates = [loc for loc in complete if enough[loc]] or complete[:1]
    if not candidates:
        raise DomainError.single(
            "INSUFFICIENT_STOCK", "no location has every line in stock", ("input", "lineItems")
        )
    every_level = [level for loc in candidates for level in at[loc].values()]
    await release_expired_holds(session, level_ids=every_level, also_lock=every_level)
    refusal: DomainError | None = None
    for candidate in candidates:
        try:
            async with session.begin_nested():
                return await _hold(session, candidate, at[candidate], wanted, ttl)
        except DomainError as error:
            refusal = error
    assert refusal is not None
    if location_id is None and len(candidates) > 1:
        raise DomainError.single(
            "INSUFFICIENT_STOCK", "no location has every line in stock", ("input", "lineItems")
        )
    raise refusal


async def _hold(
    session: AsyncSession,
    location_id: int,
    levels: dict[int, int],
    wanted: dict[int, tuple[InventoryItem, int, tuple[str, ...]]],
    ttl: int,
) -> Reservation:
    reservation = await holds.add(
        session,
        location_id=location_id,
        expires_at=utcnow() + timedelta(seconds=ttl),
        owner=current_actor(),
        lines=[
            (levels[item_id], item_id, quantity) for item_id, (_, quantity, _) in wanted.items()
        ],
    )
    await change_stock(
        session,
        [
            StockChange(levels[item_id], {"reserved": quantity}, path)
            for item_id, (_, quantity, path) in wanted.items()
        ],
        reason=InventoryReason.RESERVATION,
        reference_document_uri=encode_gid("Reservation", reservation.id),
        release_expired=False,
    )
    await record_event(
        session,
        EventType.RESERVATION_CREATED,
        GlobalId("Reservation", reservation.id),
        {
            "locationId": encode_gid("Location", location_id),
            "expiresAt": reservation.expires_at.isoformat(),
            "lineItems": [
                {"sku": item.sku, "quantity": quantity} for item, quantity, _ in wanted.values()
            ],
        },
    )
    return reservation


async def _active(session: AsyncSession, reservation_id: int) -> Reservation:
    reservation = await holds.get(session, reservation_id)
    if reservation is None:
        raise DomainError.single("NOT_FOUND", "reservation not found", ("id",))
    status = effective_status(reservation)
    if status != ReservationStatus.ACTIVE:
        raise DomainError.single("NOT_ACTIVE", f"the reservation is {status.value}", ("id",))
    return reservation


async def release(session: AsyncSession, *, reservation_id: int) -> Reservation:
    """Give a hold's units back before it expires."""
    reservation = await _active(session, reservation_id)
    if not await holds.finish(session, reservation_id, ReservationStatus.RELEASED, expired=False):
        raise DomainError.single("NOT_ACTIVE", "the reservation is no longer active", ("id",))
    await return_held_units(session, [reservation_id], reason=InventoryReason.RESERVATION)
    await record_event(
        session, EventType.RESERVATION_RELEASED, GlobalId("Reservation", reservation_id), {}
    )
    await session.refresh(reservation)
    return reservation


async def extend(
    session: AsyncSession, *, reservation_id: int, expires_in_seconds: int
) -> Reservation:
    """Hold the units for ``expires_in_seconds`` from now."""
    problems: list[Problem] = []
    _check_ttl(expires_in_seconds, ("expiresInSeconds",), problems)
    if problems:
        raise DomainError(problems)
    reservation = await _active(session, reservation_id)
    expires_at = utcnow() + timedelta(seconds=expires_in_seconds)
    if not await holds.extend(session, reservation_id, expires_at):
        raise DomainError.single("NOT_ACTIVE", "the reservation is no longer active", ("id",))
    await record_event(
        session,
        EventType.RESERVATION_EXTENDED,
        GlobalId("Reservation", reservation_id),
        {"expiresAt": expires_at.isoformat()},
    )
    await session.refresh(reservation)
    return reservation


async def sweep_expired(session: AsyncSession, *, limit: int = 500) -> int:
    """Expire up to ``limit`` overdue reservations; how many this call expired."""
    now = utcnow()
    return len(await expire(session, await holds.expired_batch(session, now, limit), now))
