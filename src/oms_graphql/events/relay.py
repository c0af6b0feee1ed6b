"""The relay: reads committed events from the outbox in commit order and publishes them.

One relay runs in every server process. It wakes when this process commits events, when
another process announces some (PostgreSQL ``NOTIFY``, sent after commit, never inside the
write transaction), and every ``poll_seconds`` in any case, so a lost notification delays an
event but never drops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from oms_graphql.db import Database
from oms_graphql.events import repository
from oms_graphql.events.bus import EventBus, position_of
from oms_graphql.events.wakeups import PostgresWakeups
from oms_graphql.metrics import Metrics

logger = logging.getLogger("oms_graphql.events")

BATCH = 500
FIRST_RETRY_SECONDS = 0.005


class EventRelay:
    def __init__(
        self,
        database: Database,
        bus: EventBus,
        *,
        poll_seconds: float,
        metrics: Metrics | None = None,
    ) -> None:
        self.database = database
        self.bus = bus
        self.metrics = metrics
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._local_commit = False
        self._task: asyncio.Task[None] | None = None
        self._wakeups = (
            PostgresWakeups(database.url, on_wake=self.wake)
            if database.dialect == "postgresql"
            else None
        )

    def wake(self) -> None:
        """Read the outbox now (another process announced events, or a test asks)."""
        self._wake.set()

    def committed_here(self) -> None:
        """This process committed events: publish them, then tell the other processes."""
        self._local_commit = True
        self._wake.set()

    async def start(self) -> None:
        """Start from the newest event; a database that is down now is retried in the loop."""
        try:
            await self._begin()
        except Exception:
            logger.exception("event relay: the database is unreachable; retrying")
        if self._wakeups is not None and self.bus.ready:
            await self._wakeups.start()
        self.database.after_events_committed(self.committed_here)
        self._task = asyncio.create_task(self._run(), name="event-relay")

    async def _begin(self) -> None:
        async with self.database.reading() as session:
            self.bus.position = await repository.head(session)
        self.bus.ready = True

    async def stop(self) -> None:
        self.database.after_events_committed(None)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._wakeups is not None:
            await self._wakeups.stop()

    async def _run(self) -> None:
        retry = FIRST_RETRY_SECONDS
        while True:
            # Events committed here may not be final yet (an older transaction still runs):
            # look again soon, backing off, instead of waiting for the next poll.
            timeout = min(retry, self.poll_seconds) if self._local_commit else self.poll_seconds
            # Not asyncio.wait_for: on Python 3.11 it swallows a cancellation that arrives
            # just as the wait completes, and the relay would outlive its application.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
            self._wake.clear()
            try:
                if not self.bus.ready:
                    await self._begin()
                    if self._wakeups is not None:
                        await self._wakeups.start()
                published = await self.catch_up()
            except Exception:
                logger.exception("event relay: reading the outbox failed; retrying")
                await asyncio.sleep(self.poll_seconds)
                continue
            if published and self._local_commit:
                self._local_commit = False
                retry = FIRST_RETRY_SECONDS
                if self._wakeups is not None:
                    await self._wakeups.announce()
            elif self._local_commit:
                retry *= 2

    async def catch_up(self) -> int:
        """Publish every final event after the bus position; returns how many."""
        published = 0
        while True:
            async with self.database.reading() as session:
                rows = await repository.following(session, self.bus.position, limit=BATCH)
            if not rows:
                return published
            self.bus.publish(rows)
            assert self.bus.position == position_of(rows[-1])
            published += len(rows)
            if self.metrics is not None:
                self.metrics.events_relayed.inc(len(rows))
            if len(rows) < BATCH:
                return published
