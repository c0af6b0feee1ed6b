"""Engine, sessions, the declarative base and the column types every model shares."""

from __future__ import annotations

import asyncio
import copy
import enum
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, DateTime, Dialect, Enum, MetaData, event, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

if TYPE_CHECKING:
    from oms_graphql.access import Access

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments an ``INTEGER PRIMARY KEY``; PostgreSQL gets 64-bit ids.
IdType = BigInteger().with_variant(sqlite.INTEGER(), "sqlite")

MONEY_SCALE = 4
"""Money is stored as an integer count of 1/10,000 units: exact on SQLite and PostgreSQL
alike, enough for every ISO 4217 currency (at most 3 decimals), and summable in SQL."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def string_enum(kind: type[enum.Enum]) -> Enum:
    """An enum stored as its name in a short string column (no database enum types to
    migrate when values are added)."""
    return Enum(kind, native_enum=False, length=32)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on both databases (SQLite returns naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass a timezone-aware value")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class ScaledDecimal(TypeDecorator[Decimal]):
    """An exact decimal stored as an integer count of ``10**-scale`` units."""

    impl = BigInteger
    cache_ok = True
    scale = MONEY_SCALE

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal

    def process_bind_param(self, value: Decimal | int | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        scaled = Decimal(value).scaleb(self.scale)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimal places")
        return int(scaled)

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value).scaleb(-self.scale)


class MoneyAmount(ScaledDecimal):
    """An exact money amount (see ``MONEY_SCALE``)."""

    cache_ok = True


RATE_SCALE = 6


class RateValue(ScaledDecimal):
    """An exact fraction such as a tax rate (0.08875), to ``RATE_SCALE`` decimals."""

    cache_ok = True
    scale = RATE_SCALE


# --- statement counting -------------------------------------------------------------------


@dataclass(slots=True)
class StatementCount:
    value: int = 0


_statement_count: ContextVar[StatementCount | None] = ContextVar("statement_count", default=None)


@contextmanager
def count_statements() -> Iterator[StatementCount]:
    """Count the SQL statements run by this task and the tasks it starts (dataloader batches)."""
    counter = StatementCount()
    token = _statement_count.set(counter)
    try:
        yield counter
    finally:
        _statement_count.reset(token)


def current_statement_count() -> int:
    counter = _statement_count.get()
    return 0 if counter is None else counter.value


def _count_statement(_connection: Any, _cursor: Any, statement: str, *_: Any, **__: Any) -> None:
    counter = _statement_count.get()
    if counter is not None:
        counter.value += 1


# --- engine and sessions ------------------------------------------------------------------

_WRITE_OPTION = "oms_write_transaction"
ACCESS_KEY = "oms.access"
"""Set in each session's ``info``: the caller's access (see ``oms_graphql.access``)."""
LOCKED = {"populate_existing": True}
"""Execution options of every locking read (``with_for_update``): rows the session read
before the lock are read again under it. Without it the ORM keeps the values it already
holds, and a change another transaction committed while this one waited is missed (two
approvals of one return each opened its reverse work; a returned unit was restocked once
per concurrent disposal)."""
EVENTS_WRITTEN = "oms.events_written"
"""Set in a session's ``info`` when the transaction wrote to the outbox."""


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that "begin" below decides how to begin.
        dbapi_connection.isolation_level = None
        # SQLite's lower() folds ASCII only; PostgreSQL and Python fold all of Unicode.
        # Case-insensitive names, emails and searches must agree on both databases.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=30000",
            "PRAGMA synchronous=NORMAL",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Writers take the write lock up front: a deferred transaction that later upgrades
        # to a writer fails with "database is locked" instead of waiting for the busy timeout.
        begin = (
            "BEGIN IMMEDIATE" if connection.get_execution_options().get(_WRITE_OPTION) else "BEGIN"
        )
        # Straight to the driver, as the PostgreSQL driver's own BEGIN is: transaction control
        # is not a query, so statement counting and logging never see it.
        driver = connection.connection.dbapi_connection
        assert driver is not None
        cursor = driver.cursor()
        cursor.execute(begin)
        cursor.close()


class Database:
    """One engine per application, with separate session factories for reads and writes.

    Sessions carry an access (``for_access``): what the caller may see of orders; the
    application's own database is unrestricted (internal work).
    """

    access: Access | None = None

    def __init__(
        self, url: str, *, pool_size: int = 10, statement_timeout_ms: int = 0, echo: bool = False
    ) -> None:
        self.url = url
        self.dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
        options: dict[str, Any] = {"echo": echo}
        if self.dialect == "sqlite":
            options["connect_args"] = {"timeout": 30}
        else:
            options.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
            if statement_timeout_ms:
                # Per connection, so a runaway statement is cancelled by the server itself;
                # SQLite has no equivalent (its busy timeout bounds only waits for the lock).
                options["connect_args"] = {
                    "options": f"-c statement_timeout={statement_timeout_ms}"
                }
        self.engine = create_async_engine(url, **options)
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine)
        event.listen(self.engine.sync_engine, "before_cursor_execute", _count_statement)
        writer = self.engine.execution_options(**{_WRITE_OPTION: True})
        # SQLite has one writer at a time. Writers of this process queue here, in order,
        # instead of polling the file lock in the busy handler (which sleeps and retries,
        # and under 32 concurrent writers timed out: bench S3). Other processes still wait
        # through the busy timeout.
        self._sqlite_writers = asyncio.Lock() if self.dialect == "sqlite" else None
        self._read_sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = async_sessionmaker(writer, expire_on_commit=False)
        self._events_committed: Callable[[], None] | None = None
        self._root = self

    def for_access(self, access: Access) -> Database:
        """The same engine and sessions, whose sessions see only what ``access`` allows
        (an ``oms_graphql.access.Access``, applied by its ORM listener)."""
        view = copy.copy(self)
        view.access = access
        return view

    def after_events_committed(self, callback: Callable[[], None] | None) -> None:
        """Call ``callback`` after each transaction that wrote events commits (the relay)."""
        self._root._events_committed = callback

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        async with AsyncExitStack() as stack:
            if self._sqlite_writers is not None:
                await stack.enter_async_context(self._sqlite_writers)
            session = await stack.enter_async_context(self._write_sessions())
            session.info[ACCESS_KEY] = self.access
            async with session.begin():
                yield session
            committed = self._root._events_committed
            if session.info.pop(EVENTS_WRITTEN, False) and committed is not None:
                committed()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A short read-only session (one per dataloader batch or list query)."""
        async with self._read_sessions() as session:
            session.info[ACCESS_KEY] = self.access
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
