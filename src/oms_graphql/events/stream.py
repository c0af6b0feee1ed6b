"""One subscriber's stream: the events it missed, from the outbox, then live ones.

The seam has neither gap nor duplicate: the subscriber joins the bus first, then replays
from the database up to the bus position of that moment; everything after it comes live.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from oms_graphql.db import Database
from oms_graphql.events import repository
from oms_graphql.events.bus import EventBus, EventFilter, EventRow, Position, position_of

REPLAY_BATCH = 500


async def follow(
    database: Database,
    bus: EventBus,
    event_filter: EventFilter,
    *,
    start: Position,
    max_queued: int,
) -> AsyncIterator[EventRow]:
    """Events matching ``event_filter`` after ``start``, for as long as it is iterated.

    Raises ``SubscriberTooSlow`` when live events outrun the reader.
    """
    subscriber = bus.subscribe(event_filter, max_queued=max_queued)
    try:
        replayed_until = bus.position
        position = start
        while position < replayed_until:
            async with database.reading() as session:
                rows = await repository.following(
                    session,
                    position,
                    limit=REPLAY_BATCH,
                    until=replayed_until,
                    event_filter=event_filter,
                )
            for row in rows:
                if event_filter.matches(row):
                    yield row
            if len(rows) < REPLAY_BATCH:
                break
            position = position_of(rows[-1])
        async for event in subscriber.events():
            # A cursor from a process whose relay is ahead of ours may lie beyond the seam.
            if position_of(event) > start:
                yield event
    finally:
        subscriber.close()
