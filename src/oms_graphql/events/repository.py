"""All SQL about events: appending to the outbox and reading it in commit order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, insert, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

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
    statement = select(Event).where(Event.subject_type.in_(subject_types))
    if _is_postgresql(session):
        # Only transactions older than every running one: their events are final.
        statement = statement.where(Event.txid < _PG_OLDEST_RUNNING)
    if types:
        statement = statement.where(Event.type.in_(types))
    if subject is not None:
        statement = statement.where(
            Event.subject_type == subject[0], Event.subject_id == subject[1]
        )
    return await fetch_page(session, statement, sort=POSITION, id_column=Event.id, request=request)


def cursor_of(event: Event) -> str:
    return CURSORS.encode(event.txid, event.id)


async def get_many(session: AsyncSession, ids: Sequence[int]) -> list[Event]:
    if not ids:
        return []
    return list((await session.scalars(select(Event).where(Event.id.in_(ids)))).all())
