"""All SQL about events: appending to the outbox and reading it in commit order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, delete, insert, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.access import events_visible
from oms_graphql.db import EVENTS_WRITTEN
from oms_graphql.events.bus import EventFilter, EventRow, Position
from oms_graphql.models import Event
from oms_graphql.paging import CursorCodec, Page, PageRequest, SortKey, fetch_page

POSITION = SortKey("POSITION", Event.txid)
"""Events are ordered by (txid, id): commit order on both databases (see ``Event``)."""

CURSORS = CursorCodec(POSITION, reverse=False, query=None)
"""Event cursors are positions in the whole feed, valid whatever filter a reader uses."""

_PG_TXID: ColumnElement[int] = literal_column("pg_current_xact_id()::text::bigint")
_PG_OLDEST_RUNNING: ColumnElement[int] = literal_column(
    "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
)


def _is_postgresql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def append(
    session: AsyncSession,
    *,
    type: str,
    subject_type: str,
    subject_id: int,
    data: dict[str, Any],
    channel: str | None,
    actor: str | None,
) -> None:
    session.info[EVENTS_WRITTEN] = True
    await session.execute(
        insert(Event).values(
            txid=_PG_TXID if _is_postgresql(session) else 0,
            type=type,
            subject_type=subject_type,
            subject_id=subject_id,
            data=data,
            channel=channel,
            actor=actor,
        )
    )


async def page(
    session: AsyncSession,
    *,
    request: PageRequest,
    subject_types: Sequence[str],
    types: Sequence[str] | None = None,
    subject: tuple[str, int] | None = None,
) -> Page[Event]:
    statement = select(Event).where(Event.subject_type.in_(subject_types), *_final(session))
    if types:
        statement = statement.where(Event.type.in_(types))
    if subject is not None:
        statement = statement.where(
            Event.subject_type == subject[0], Event.subject_id == subject[1]
        )
    return await fetch_page(session, statement, sort=POSITION, id_column=Event.id, request=request)


def _final(session: AsyncSession) -> list[ColumnElement[bool]]:
    """Only events of transactions older than every running one: no event can still
    appear before them (on SQLite, writers are serialized and ids follow commit order)."""
    return [Event.txid < _PG_OLDEST_RUNNING] if _is_postgresql(session) else []


def _beyond(position: Position) -> ColumnElement[bool]:
    return or_(
        Event.txid > position.txid, and_(Event.txid == position.txid, Event.id > position.id)
    )


def _not_beyond(position: Position) -> ColumnElement[bool]:
    return or_(
        Event.txid < position.txid, and_(Event.txid == position.txid, Event.id <= position.id)
    )


_COLUMNS = Event.__table__.c


async def following(
    session: AsyncSession,
    position: Position,
    *,
    limit: int,
    until: Position | None = None,
    event_filter: EventFilter | None = None,
) -> Sequence[Row[Any]]:
    """Final events after ``position`` (up to ``until``) in commit order, as plain rows.

    With a filter, the conditions SQL can check are applied here; the caller still applies
    ``event_filter.matches`` for those on the event's data.
    """
    statement = select(*_COLUMNS).where(_beyond(position), *_final(session))
    if until is not None:
        statement = statement.where(_not_beyond(until))
    if event_filter is not None:
        statement = statement.where(
            Event.subject_type.in_(sorted(event_filter.subject_types)),
            # A Core statement: the session's access does not reach it, the filter's does.
            events_visible(event_filter.access),
        )
        if event_filter.types is not None:
            statement = statement.where(Event.type.in_(sorted(event_filter.types)))
        if event_filter.subject_id is not None:
            statement = statement.where(Event.subject_id == event_filter.subject_id)
    statement = statement.order_by(Event.txid, Event.id).limit(limit)
    return (await session.execute(statement)).all()


async def head(session: AsyncSession) -> Position:
    """The position of the newest final event (the origin when there is none)."""
    row = (
        await session.execute(
            select(Event.txid, Event.id)
            .where(*_final(session))
            .order_by(Event.txid.desc(), Event.id.desc())
            .limit(1)
        )
    ).first()
    return Position(0, 0) if row is None else Position(row.txid, row.id)


async def exists_at(session: AsyncSession, position: Position) -> bool:
    found = await session.scalar(
        select(Event.id).where(Event.id == position.id, Event.txid == position.txid)
    )
    return found is not None


async def prune(session: AsyncSession, *, older_than: datetime, limit: int) -> int:
    """Delete those of the ``limit`` oldest events that occurred before ``older_than``.

    Walks the primary key from the oldest event (no index on the time needed): ids follow
    time closely enough that an event written a moment out of order is kept a little longer.
    """
    oldest = (
        await session.execute(select(Event.id, Event.occurred_at).order_by(Event.id).limit(limit))
    ).all()
    expired = [row.id for row in oldest if row.occurred_at < older_than]
    if expired:
        await session.execute(delete(Event).where(Event.id.in_(expired)))
    return len(expired)


def cursor_of(event: EventRow) -> str:
    return CURSORS.encode(event.txid, event.id)


def position_at(cursor: str) -> Position:
    """The position a cursor names; a malformed cursor is ``BadUserInput``."""
    decoded = CURSORS.decode(cursor)
    return Position(int(decoded.value), decoded.id)


async def get_many(session: AsyncSession, ids: Sequence[int]) -> list[Event]:
    if not ids:
        return []
    return list((await session.scalars(select(Event).where(Event.id.in_(ids)))).all())
