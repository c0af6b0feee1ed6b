"""Keyset pagination shared by every list: page arguments, cursors and the page query.

A cursor encodes the sort value and the id of a row, and is tied to the sort key, the
direction and the search query it came from; it stays valid while rows are inserted.
NULL sort values order as if greater than every other value, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from oms_graphql import values
from oms_graphql.errors import BadUserInput

MAX_PAGE_SIZE = 250
DEFAULT_PAGE_SIZE = 50
_CURSOR_VERSION = 1

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class SortKey:
    """How a list can be ordered: by one column, ties broken by the id."""

    name: str
    column: InstrumentedAttribute[Any]
    nullable: bool = False

    @property
    def attribute(self) -> str:
        return self.column.key


@dataclass(frozen=True, slots=True)
class PageRequest:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    @classmethod
    def from_args(
        cls,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> PageRequest:
        """Validate connection arguments; with neither ``first`` nor ``last``, take 50."""
        if first is not None and last is not None:
            raise BadUserInput("pass either first or last, not both")
        for name, value in (("first", first), ("last", last)):
            if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
                raise BadUserInput(
                    f"{name} must be between 0 and {MAX_PAGE_SIZE}, got {value}",
                    argument=name,
                    maximum=MAX_PAGE_SIZE,
                )
        if first is None and last is None:
            first = DEFAULT_PAGE_SIZE
        return cls(first=first, after=after, last=last, before=before)

    @property
    def backwards(self) -> bool:
        return self.last is not None

    @property
    def size(self) -> int:
        size = self.last if self.backwards else self.first
        assert size is not None
        return size


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    edges: list[tuple[str, T]]
    has_next_page: bool
    has_previous_page: bool


@dataclass(frozen=True, slots=True)
class _Position:
    value: Any
    id: int


class CursorCodec:
    """Encodes positions for one (sort key, direction, query) combination."""

    def __init__(self, sort: SortKey, *, reverse: bool, query: str | None) -> None:
        self.sort = sort
        normalized_query = " ".join((query or "").split())
        self._scope = [
            sort.name,
            reverse,
            hashlib.sha256(normalized_query.encode()).hexdigest()[:12],
        ]

    def encode(self, value: Any, row_id: int) -> str:
        payload = [_CURSOR_VERSION, *self._scope, _dump_value(value), row_id]
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, cursor: str) -> _Position:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            version, *scope, value, row_id = json.loads(raw)
        except (ValueError, TypeError):
            raise BadUserInput(f"invalid cursor {cursor!r}", cursor=cursor) from None
        if version != _CURSOR_VERSION:
            raise BadUserInput(f"invalid cursor {cursor!r}", cursor=cursor)
        if scope != self._scope:
            raise BadUserInput(
                "this cursor belongs to another sortKey, reverse or query; "
                "start again without after/before",
                cursor=cursor,
            )
        try:
            position = _Position(_load_value(self.sort, value), values.integer(row_id))
        except ValueError:
            raise BadUserInput(f"invalid cursor {cursor!r}", cursor=cursor) from None
        if position.id < 1:
            raise BadUserInput(f"invalid cursor {cursor!r}", cursor=cursor)
        return position


def _dump_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _load_value(sort: SortKey, value: Any) -> Any:
    if value is None:
        if not sort.nullable:
            raise ValueError("null position for a non-null sort key")
        return None
    kind = sort.column.type.python_type
    if kind is datetime:
        return values.moment(value, assume_utc=False)
    if kind is Decimal:
        return values.amount(value)
    if kind is int:
        return values.integer(value)
    if not isinstance(value, kind):
        raise ValueError(f"{value!r} is not a {kind.__name__}")
    return value


def _beyond(
    sort: SortKey, id_column: InstrumentedAttribute[int], at: _Position, *, greater: bool
) -> ColumnElement[bool]:
    """Rows strictly after ``at`` in the given direction (NULL counts as the greatest value)."""
    column = sort.column
    tie = id_column > at.id if greater else id_column < at.id
    if at.value is None:
        if greater:
            return and_(column.is_(None), tie)
        return or_(column.is_not(None), and_(column.is_(None), tie))
    strictly = column > at.value if greater else column < at.value
    conditions = [strictly, and_(column == at.value, tie)]
    if sort.nullable and greater:
        conditions.append(column.is_(None))
    return or_(*conditions)


def _order(sort: SortKey, id_column: InstrumentedAttribute[int], *, descending: bool) -> list[Any]:
    column = sort.column.desc() if descending else sort.column.asc()
    if sort.nullable:
        column = column.nulls_first() if descending else column.nulls_last()
    return [column, id_column.desc() if descending else id_column.asc()]


async def fetch_page(
    session: AsyncSession,
    statement: Select[Any],
    *,
    sort: SortKey,
    id_column: InstrumentedAttribute[int],
    request: PageRequest,
    reverse: bool = False,
    query: str | None = None,
    scalars: bool = True,
) -> Page[Any]:
    """Run ``statement`` for one page: one SQL statement, whatever the page size."""
    codec = CursorCodec(sort, reverse=reverse, query=query)
    for cursor, forward in ((request.after, True), (request.before, False)):
        if cursor is not None:
            at = codec.decode(cursor)
            statement = statement.where(_beyond(sort, id_column, at, greater=forward != reverse))
    if request.size == 0:
        return Page(edges=[], has_next_page=False, has_previous_page=False)
    descending = reverse != request.backwards
    statement = statement.order_by(*_order(sort, id_column, descending=descending))
    statement = statement.limit(request.size + 1)
    result = await session.execute(statement)
    rows: Sequence[Any] = result.scalars().all() if scalars else result.all()
    has_more = len(rows) > request.size
    rows = list(rows[: request.size])
    if request.backwards:
        rows.reverse()
    edges = [(codec.encode(getattr(row, sort.attribute), row.id), row) for row in rows]
    if request.backwards:
        return Page(edges, has_next_page=request.before is not None, has_previous_page=has_more)
    return Page(edges, has_next_page=has_more, has_previous_page=request.after is not None)


def first_page(rows: Sequence[T], request: PageRequest, codec: CursorCodec) -> Page[T]:
    """A first page from rows already fetched (up to ``size + 1``, in order) by a batch."""
    attribute = codec.sort.attribute
    kept = list(rows[: request.size])
    edges = [(codec.encode(getattr(row, attribute), row.id), row) for row in kept]  # type: ignore[attr-defined]
    return Page(edges, has_next_page=len(rows) > request.size, has_previous_page=False)


async def first_per_parent(
    session: AsyncSession,
    model: type[T],
    *,
    parent: InstrumentedAttribute[Any],
    parents: Sequence[int],
    order: InstrumentedAttribute[Any],
    size: int,
) -> list[T]:
    """The first ``size + 1`` rows (by ``order``) of each parent, in one statement,
    ordered by parent and then ``order``: a batch of first pages of a nested list."""
    if not parents:
        return []
    rank = func.row_number().over(partition_by=parent, order_by=order).label("_rank")
    inner = select(model).where(parent.in_(set(parents))).add_columns(rank).subquery()
    rows = aliased(model, inner)
    statement = (
        select(rows)
        .where(inner.c._rank <= size + 1)
        .order_by(inner.c[parent.key], inner.c[order.key])
    )
    return list((await session.scalars(statement)).all())


class Nested(Protocol[R]):
    """What a nested connection needs of its list: its sort key, which parent a row belongs
    to, the first pages of many parents (one statement) and a later page of one parent."""

    @property
    def sort(self) -> SortKey: ...

    def parent_of(self, row: R, /) -> int: ...

    async def first(self, session: AsyncSession, parents: Sequence[int], size: int) -> list[R]: ...

    async def page(
        self, session: AsyncSession, parent_id: int, request: PageRequest
    ) -> Page[R]: ...


@dataclass(frozen=True, slots=True, eq=False)
class ChildList(Generic[T]):
    """A nested list (an order's lines, a return's exchange lines...): the rows of ``model``
    whose ``parent`` column names one parent, in ``sort`` order, ties broken by the id.

    One declaration gives both queries a nested connection needs: ``first`` pages of many
    parents in one statement (for a dataloader) and one later ``page`` of one parent.
    Compared by identity, so each declaration gets its own dataloader.
    """

    model: type[T]
    parent: InstrumentedAttribute[Any]
    sort: SortKey

    def parent_of(self, row: T) -> int:
        return int(getattr(row, self.parent.key))

    async def first(self, session: AsyncSession, parents: Sequence[int], size: int) -> list[T]:
        return await first_per_parent(
            session,
            self.model,
            parent=self.parent,
            parents=parents,
            order=self.sort.column,
            size=size,
        )

    async def page(self, session: AsyncSession, parent_id: int, request: PageRequest) -> Page[T]:
        return await fetch_page(
            session,
            select(self.model).where(self.parent == parent_id),
            sort=self.sort,
            id_column=self.model.id,  # type: ignore[attr-defined]
            request=request,
        )


__all__ = ["MAX_PAGE_SIZE", "ChildList", "Nested", "Page", "PageRequest", "SortKey", "fetch_page"]
