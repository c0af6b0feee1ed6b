"""PostgreSQL LISTEN/NOTIFY between relays of different server processes.

Notifications carry no data (the outbox is the truth, and payloads are capped at 8,000
bytes): they only say "read the outbox now". ``LISTEN`` needs its own autocommit connection
outside the pool; it reconnects after a failure, and wakes the relay when it does, since
notifications sent while it was away are lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import make_url

logger = logging.getLogger("oms_graphql.events")

CHANNEL = "oms_events"
RECONNECT_SECONDS = 1.0


def libpq_url(sqlalchemy_url: str) -> str:
    return (
        make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)
    )


class PostgresWakeups:
    def __init__(self, database_url: str, *, on_wake: Callable[[], None]) -> None:
        self._url = libpq_url(database_url)
        self._on_wake = on_wake
        self._listening: asyncio.Task[None] | None = None
        self._announcer: psycopg.AsyncConnection[object] | None = None
        self.ready = asyncio.Event()

    async def start(self) -> None:
        self._listening = asyncio.create_task(self._listen(), name="event-listen")
        # Do not serve before listening: an event announced in between would wait a poll.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                await self.ready.wait()

    async def stop(self) -> None:
        if self._listening is not None:
            self._listening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listening
        if self._announcer is not None:
            await self._announcer.close()

    async def announce(self) -> None:
        """Wake the relays of the other processes (after this process's commit)."""
        try:
            if self._announcer is None or self._announcer.closed:
                self._announcer = await psycopg.AsyncConnection.connect(self._url, autocommit=True)
            await self._announcer.execute(f"NOTIFY {CHANNEL}")
        except psycopg.Error:
            logger.warning("event relay: NOTIFY failed; other processes will poll", exc_info=True)
            self._announcer = None

    async def _listen(self) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._url, autocommit=True
                ) as connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    self.ready.set()
                    self._on_wake()
                    async for _ in connection.notifies():
                        self._on_wake()
            except psycopg.Error:
                logger.warning("event relay: LISTEN connection lost; reconnecting", exc_info=True)
            await asyncio.sleep(RECONNECT_SECONDS)
