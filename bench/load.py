"""Concurrent load: many clients on one event loop, throughput and latency under contention."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bench.harness import Call, Reply, Samples

CLIENTS = 32

Attempt = Callable[[int], Awaitable[bool]]
"""One request by client number ``n`` (0..CLIENTS-1); False when it failed."""


@dataclass
class Throughput:
    latency: Samples = field(default_factory=Samples)
    seconds: float = 0.0
    failures: int = 0

    @property
    def done(self) -> int:
        return len(self.latency.seconds)

    @property
    def rate(self) -> float:
        return self.done / self.seconds


async def concurrently(attempt: Attempt, total: int, into: Throughput) -> None:
    """``total`` attempts shared by CLIENTS clients, each waiting for its previous reply."""
    remaining = total

    async def client(number: int) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            ok = await attempt(number)
            into.latency.seconds.append(time.perf_counter() - started)
            into.failures += not ok

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    into.seconds += time.perf_counter() - started


async def alternate(
    ours: Attempt, our_total: int, baseline: Attempt, base_total: int, *, rounds: int
) -> tuple[Throughput, Throughput]:
    """Both sides in alternating rounds, so that drift on a shared machine hits them equally."""
    mine, theirs = Throughput(), Throughput()
    for _ in range(rounds):
        await concurrently(ours, max(1, our_total // rounds), mine)
        await concurrently(baseline, max(1, base_total // rounds), theirs)
    return mine, theirs


@dataclass
class Statements:
    """The fewest and most SQL statements a kind of request ran (the app's header)."""

    fewest: int | None = None
    most: int | None = None

    def note(self, reply: Reply) -> None:
        if "x-sql-statements" not in reply.headers:
            return
        count = int(reply.headers["x-sql-statements"])
        self.fewest = count if self.fewest is None else min(self.fewest, count)
        self.most = count if self.most is None else max(self.most, count)

    def __str__(self) -> str:
        if self.fewest is None:
            return "-"
        return str(self.fewest) if self.fewest == self.most else f"{self.fewest}-{self.most}"


def graphql_attempt(call: Call, statements: Statements) -> Attempt:
    """A GraphQL request that must answer 200 with no errors."""

    async def attempt(_: int) -> bool:
        reply = await call()
        statements.note(reply)
        return reply.status == 200 and b'"errors"' not in reply.body

    return attempt
