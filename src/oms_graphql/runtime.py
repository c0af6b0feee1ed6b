"""What one application instance holds for its lifetime."""

from __future__ import annotations

from dataclasses import dataclass

from oms_graphql.auth import TokenVerifier
from oms_graphql.db import Database
from oms_graphql.metrics import Metrics
from oms_graphql.settings import Settings


@dataclass(slots=True)
class Runtime:
    settings: Settings
    database: Database
    verifier: TokenVerifier
    metrics: Metrics
    draining: bool = False

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        return cls(
            settings=settings,
            database=Database(settings.database_url, pool_size=settings.database_pool_size),
            verifier=TokenVerifier(settings),
            metrics=Metrics(),
        )
