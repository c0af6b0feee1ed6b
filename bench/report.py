"""The printed tables: latency of one client, and rates under concurrent clients."""

from __future__ import annotations

from dataclasses import dataclass

from bench.harness import Samples
from bench.load import Statements, Throughput


@dataclass(frozen=True, slots=True)
class Latency:
    name: str
    ours: Samples
    baseline: Samples
    baseline_name: str


@dataclass(frozen=True, slots=True)
class Rate:
    name: str
    ours: Throughput
    baseline: Throughput
    statements: Statements
    baseline_name: str


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:>8.3f}ms" if seconds < 1 else f"{seconds:>9.3f}s"


def latency_table(rows: list[Latency]) -> None:
    header = (
        f"{'scenario':<28}{'ours p50':>10}{'ours p99':>10}{'base p50':>10}"
        f"{'base p99':>10}{'ratio':>8}{'SQL/op':>8}  baseline"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        ours, base = row.ours, row.baseline
        sql = "-" if ours.statements is None else str(ours.statements)
        print(
            f"{row.name:<28}{_ms(ours.median)}{_ms(ours.percentile(0.99))}"
            f"{_ms(base.median)}{_ms(base.percentile(0.99))}"
            f"{ours.median / base.median:>7.1f}x{sql:>8}  {row.baseline_name}"
        )


def rate_table(rows: list[Rate]) -> None:
    """Requests per second with every client busy; p50/p99 are each request's latency."""
    header = (
        f"{'scenario':<28}{'ours/s':>9}{'base/s':>9}{'ratio':>8}{'SQL/op':>8}"
        f"{'ours p50':>10}{'ours p99':>10}{'base p50':>10}{'base p99':>10}{'failed':>8}  baseline"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        ours, base = row.ours, row.baseline
        print(
            f"{row.name:<28}{ours.rate:>9.1f}{base.rate:>9.1f}"
            f"{ours.rate / base.rate:>7.3f}x{row.statements!s:>8}"
            f"{_ms(ours.latency.median)}{_ms(ours.latency.percentile(0.99))}"
            f"{_ms(base.latency.median)}{_ms(base.latency.percentile(0.99))}"
            f"{ours.failures:>4}/{base.failures:<3}  {row.baseline_name}"
        )
