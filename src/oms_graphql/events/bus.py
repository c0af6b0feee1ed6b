"""The in-process bus: the relay publishes committed events, subscribers take what they match.

Each subscriber has a bounded queue. A subscriber that falls behind is not allowed to grow
memory: its queue overflows, it is marked ``overflowed`` and stops receiving; it ends with
``SubscriberTooSlow`` and may resume from its last cursor.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from oms_graphql.access import UNRESTRICTED, Access


class Position(NamedTuple):
    """Where an event sits in the feed: commit order is (txid, id) order (see ``Event``)."""

    txid: int
    id: int


ORIGIN = Position(0, 0)
"""Before every event."""


class EventRow(Protocol):
    """A stored event as the relay and the replay read it (a Core row or an ORM object)."""

    @property
    def id(self) -> int: ...
    @property
    def txid(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def subject_type(self) -> str: ...
    @property
    def subject_id(self) -> int: ...
    @property
    def channel(self) -> str | None: ...
    @property
    def actor(self) -> str | None: ...
    @property
    def data(self) -> dict[str, Any]: ...
    @property
    def occurred_at(self) -> datetime: ...


def position_of(event: EventRow) -> Position:
    return Position(event.txid, event.id)


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events one subscriber receives: the subscriber's access and its arguments.

    ``access`` is the subscriber's (``Access.sees_channel`` decides, the same rule the
    database applies to the events feed). ``location_ids`` and ``skus`` match the event's
    ``locationId`` and ``sku`` data.
    """

    subject_types: frozenset[str]
    types: frozenset[str] | None = None
    access: Access = UNRESTRICTED
    subject_id: int | None = None
    location_ids: frozenset[str] | None = None
    skus: frozenset[str] | None = None

    def matches(self, event: EventRow) -> bool:
        if event.subject_type not in self.subject_types:
            return False
        if self.types is not None and event.type not in self.types:
            return False
        if not self.access.sees_channel(event.channel):
            return False
        if self.subject_id is not None and event.subject_id != self.subject_id:
            return False
        if self.location_ids is not None and event.data.get("locationId") not in self.location_ids:
            return False
        return self.skus is None or event.data.get("sku") in self.skus


class SubscriberTooSlow(Exception):
    """The subscriber's queue overflowed: it missed live events and must resume by cursor."""


class Subscriber:
    """One subscriber's bounded queue of matching events."""

    def __init__(self, bus: EventBus, event_filter: EventFilter, max_queued: int) -> None:
        self._bus = bus
        self.filter = event_filter
        self._queue: asyncio.Queue[EventRow] = asyncio.Queue(max_queued)
        self.overflowed = False

    def offer(self, event: EventRow) -> None:
        if self.overflowed or not self.filter.matches(event):
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True
            self._bus.unsubscribe(self)

    async def events(self) -> AsyncIterator[EventRow]:
        while not self.overflowed:
            yield await self._queue.get()
        raise SubscriberTooSlow("the subscriber fell behind the live events")

    def close(self) -> None:
        self._bus.unsubscribe(self)


class EventBus:
    def __init__(self) -> None:
        self._subscribers: set[Subscriber] = set()
        self.ready = False
        """False until the relay has read where the feed ends."""
        self.position = ORIGIN
        """The position of the last event published: everything up to it is in the database
        and final; everything after it will be published here."""

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def subscribe(self, event_filter: EventFilter, *, max_queued: int) -> Subscriber:
        subscriber = Subscriber(self, event_filter, max_queued)
        self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    def publish(self, events: Iterable[EventRow]) -> None:
        for event in events:
            for subscriber in tuple(self._subscribers):
                subscriber.offer(event)
            self.position = position_of(event)
