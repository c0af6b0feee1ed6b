"""Events are kept ``OMS_EVENT_RETENTION_DAYS`` (30 by default), then pruned."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from oms_graphql.db import Database, utcnow
from oms_graphql.events import repository

logger = logging.getLogger("oms_graphql.events")

BATCH = 5_000


async def prune_events(database: Database, *, retention_days: int) -> int:
    """Delete events older than the retention, in short transactions; returns how many."""
    older_than = utcnow() - timedelta(days=retention_days)
    total = 0
    while True:
        async with database.transaction() as session:
            pruned = await repository.prune(session, older_than=older_than, limit=BATCH)
        total += pruned
        if pruned < BATCH:
            return total


async def run_pruner(database: Database, *, retention_days: int, every_seconds: int) -> None:
    """The background task: prune now, then every ``every_seconds``."""
    while True:
        try:
            pruned = await prune_events(database, retention_days=retention_days)
            if pruned:
                logger.info("pruned %d events older than %d days", pruned, retention_days)
        except Exception:
            logger.exception("pruning events failed; trying again later")
        await asyncio.sleep(every_seconds)
