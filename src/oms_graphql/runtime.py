"""What one application instance holds for its lifetime."""

from __future__ import annotations

from dataclasses import dataclass

from oms_graphql.auth import TokenVerifier
from oms_graphql.db import Database
from oms_graphql.events.bus import EventBus
from oms_graphql.events.relay import EventRelay
from oms_graphql.metrics import Metrics
from oms_graphql.settings import Settings


@dataclass(slots=True)
class Runtime:
    settings: Settings
    database: Database
    verifier: TokenVerifier
    metrics: Metrics
    bus: EventBus
    relay: EventRelay
    draining: bool = False

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        database = Database(
            settings.database_url,
            pool_size=settings.database_pool_size,
            statement_timeout_ms=settings.statement_timeout_ms,
        )
        bus = EventBus()
        metrics = Metrics()
        return cls(
            settings=settings,
            database=database,
            verifier=TokenVerifier(settings),
            metrics=metrics,
            bus=bus,
            relay=EventRelay(
                database, bus, poll_seconds=settings.event_poll_seconds, metrics=metrics
            ),
        )
