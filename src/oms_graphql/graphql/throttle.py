"""Leaky buckets of query cost, one per caller, held in this server process."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

# Buckets that have refilled are forgotten once this many callers are tracked.
PRUNE_AT = 10_000


class CostBuckets:
    """Each caller starts with ``size`` points; queries take their cost, time restores them.

    In-process: with N server processes a caller can spend up to N buckets.
    """

    def __init__(
        self, size: int, restore_rate: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.size = size
        self.restore_rate = restore_rate
        self.clock = clock
        self._levels: dict[Hashable, tuple[float, float]] = {}

    def available(self, key: Hashable) -> float:
        level, since = self._levels.get(key, (self.size, 0.0))
        return min(self.size, level + (self.clock() - since) * self.restore_rate)

    def take(self, key: Hashable, cost: int) -> bool:
        """Take ``cost`` points when that many are available; otherwise take nothing."""
        available = self.available(key)
        if cost > available:
            return False
        if len(self._levels) >= PRUNE_AT and key not in self._levels:
            self._prune()
        self._levels[key] = (available - cost, self.clock())
        return True

    def give_back(self, key: Hashable, cost: int) -> None:
        """Return points taken for work that did not run (never past ``size``)."""
        self._levels[key] = (min(self.size, self.available(key) + cost), self.clock())

    def seconds_until(self, key: Hashable, cost: int) -> float:
        missing = cost - self.available(key)
        return round(max(missing, 0) / self.restore_rate, 3)

    def _prune(self) -> None:
        for key in [key for key in self._levels if self.available(key) >= self.size]:
            del self._levels[key]
