"""All SQL about reservations (time-limited holds on stock)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import utcnow
from oms_graphql.models import Reservation, ReservationLine, ReservationStatus


async def get(session: AsyncSession, reservation_id: int) -> Reservation | None:
    return await session.get(Reservation, reservation_id)


async def lines_of(session: AsyncSession, reservation_ids: Iterable[int]) -> list[ReservationLine]:
    wanted = set(reservation_ids)
    if not wanted:
        return []
    statement = (
        select(ReservationLine)
        .where(ReservationLine.reservation_id.in_(wanted))
        .order_by(ReservationLine.id)
    )
    return list((await session.scalars(statement)).all())


async def add(
    session: AsyncSession,
    *,
    location_id: int,
    expires_at: datetime,
    owner: str | None,
    lines: list[tuple[int, int, int]],
) -> Reservation:
    """A new ACTIVE reservation with (level id, item id, quantity) lines."""
    reservation = Reservation(
        location_id=location_id, status=ReservationStatus.ACTIVE, expires_at=expires_at, owner=owner
    )
    session.add(reservation)
    await session.flush()
    await session.execute(
        insert(ReservationLine),
        [
            {"reservation_id": reservation.id, "level_id": level, "item_id": item, "quantity": q}
            for level, item, q in lines
        ],
    )
    return reservation


def _expired(now: datetime) -> Select[Any]:
    return select(Reservation.id).where(
        Reservation.status == ReservationStatus.ACTIVE, Reservation.expires_at <= now
    )


async def expired_holding(
    session: AsyncSession, level_ids: Iterable[int], now: datetime
) -> list[int]:
    """Ids of expired, still active reservations with a line on one of these levels."""
    wanted = set(level_ids)
    if not wanted:
        return []
    holding = select(ReservationLine.reservation_id).where(ReservationLine.level_id.in_(wanted))
    statement = _expired(now).where(Reservation.id.in_(holding)).order_by(Reservation.id)
    return list((await session.scalars(statement)).all())


async def expired_batch(session: AsyncSession, now: datetime, limit: int) -> list[int]:
    """Up to ``limit`` expired active reservations no other sweeper is working on."""
    statement = _expired(now).order_by(Reservation.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return list((await session.scalars(statement)).all())


async def finish(
    session: AsyncSession,
    reservation_id: int,
    status: ReservationStatus,
    *,
    expired: bool | None = None,
    now: datetime | None = None,
) -> bool:
    """Move an ACTIVE reservation to ``status``; False when it was not active (any more).

    ``expired`` narrows the claim to reservations whose time has (True) or has not (False)
    run out, so a release and the sweeper never both return the same units.
    """
    now = now or utcnow()
    conditions = [Reservation.id == reservation_id, Reservation.status == ReservationStatus.ACTIVE]
    if expired is True:
        conditions.append(Reservation.expires_at <= now)
    elif expired is False:
        conditions.append(Reservation.expires_at > now)
    statement = (
        update(Reservation)
        .where(*conditions)
        .values(status=status, updated_at=now)
        .returning(Reservation.id)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(statement)).first() is not None


async def extend(session: AsyncSession, reservation_id: int, expires_at: datetime) -> bool:
    now = utcnow()
    statement = (
        update(Reservation)
        .where(
            Reservation.id == reservation_id,
            Reservation.status == ReservationStatus.ACTIVE,
            Reservation.expires_at > now,
        )
        .values(expires_at=expires_at, updated_at=now)
        .returning(Reservation.id)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(statement)).first() is not None
