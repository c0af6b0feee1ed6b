"""The background task that returns the units of expired reservations (and opens
scheduled fulfillment orders whose time came).

Reads already ignore expired holds and writers release them before taking stock; the
sweeper makes the stored quantities, statuses and events catch up. Several processes may
sweep at once: each claims reservations with a conditional UPDATE (and SKIP LOCKED on
PostgreSQL), so units are returned exactly once.
"""

from __future__ import annotations

import asyncio
import logging

from oms_graphql.db import Database
from oms_graphql.fulfillment.schedule import open_due
from oms_graphql.inventory.reservations import sweep_expired

logger = logging.getLogger(__name__)
BATCH = 500


async def sweep_once(database: Database) -> int:
    """Expire every overdue reservation, a batch per transaction; how many were expired."""
    total = 0
    while True:
        async with database.transaction() as session:
            expired = await sweep_expired(session, limit=BATCH)
        total += expired
        if expired < BATCH:
            return total


async def run_sweeper(database: Database, *, every_seconds: float) -> None:
    while True:
        await asyncio.sleep(every_seconds)
        try:
            expired = await sweep_once(database)
            if expired:
                logger.info("returned the units of %d expired reservations", expired)
            opened = await open_due(database)
            if opened:
                logger.info("opened %d scheduled fulfillment orders", opened)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("reservation sweep failed; retrying")
