"""The relay publishes committed events in commit order, never skipping one still being written."""

from __future__ import annotations

import pytest

from oms_graphql.access import Access
from oms_graphql.db import Database
from oms_graphql.events import EventType, record_event
from oms_graphql.events.bus import EventBus, EventFilter
from oms_graphql.events.relay import EventRelay
from oms_graphql.ids import GlobalId

EVERYTHING = EventFilter(subject_types=frozenset({"Location"}))


async def test_an_event_committed_early_waits_for_an_older_transaction(
    database: Database,
) -> None:
    """On PostgreSQL a later transaction can commit first; the relay must not pass the older
    one, or it would skip its event for good."""
    if database.dialect != "postgresql":
        pytest.skip("SQLite serializes writers: ids follow commit order")
    bus = EventBus()
    relay = EventRelay(database, bus, poll_seconds=60)
    subscriber = bus.subscribe(EVERYTHING, max_queued=10)

    async with database.transaction() as older:
        await record_event(older, EventType.LOCATION_CREATED, GlobalId("Location", 1), {})
        async with database.transaction() as newer:
            await record_event(newer, EventType.LOCATION_CREATED, GlobalId("Location", 2), {})
        assert await relay.catch_up() == 0

    assert await relay.catch_up() == 2
    received = [await anext(subscriber.events()) for _ in range(2)]
    assert [event.subject_id for event in received] == [1, 2]


async def test_a_subscriber_that_falls_behind_is_told_so_and_receives_nothing_more(
    database: Database,
) -> None:
    bus = EventBus()
    relay = EventRelay(database, bus, poll_seconds=60)
    slow = bus.subscribe(EVERYTHING, max_queued=2)
    for pk in range(1, 4):
        async with database.transaction() as session:
            await record_event(session, EventType.LOCATION_CREATED, GlobalId("Location", pk), {})

    assert await relay.catch_up() == 3

    assert slow.overflowed
    assert bus.subscriber_count == 0
    with pytest.raises(Exception, match="fell behind"):
        await anext(slow.events())


def test_a_channel_limited_filter_keeps_events_of_no_channel() -> None:
    partner = EventFilter(
        subject_types=frozenset({"Order"}), access=Access(channels=frozenset({"web"}))
    )

    class Row:
        id = txid = subject_id = 1
        type = "order.created"
        subject_type = "Order"
        actor = None
        data: dict[str, object] = {}
        occurred_at = None

        def __init__(self, channel: str | None) -> None:
            self.channel = channel

    assert partner.matches(Row("web"))  # type: ignore[arg-type]
    assert not partner.matches(Row("pos"))  # type: ignore[arg-type]
    assert partner.matches(Row(None))  # type: ignore[arg-type]
