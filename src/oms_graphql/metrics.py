"""Prometheus metrics: GraphQL requests and latency per operation name.

With several uvicorn workers, ``serve`` sets ``PROMETHEUS_MULTIPROC_DIR`` and every worker
writes there; ``/metrics`` then aggregates all workers.
"""

from __future__ import annotations

import os
import re
import threading

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

disable_created_metrics()  # type: ignore[no-untyped-call]

MAX_OPERATION_NAMES = 500
"""Operation names come from clients: past this many distinct names, the rest count as "other"."""

_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")
CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "oms_graphql_operations",
            "GraphQL operations executed, by operation name and outcome (ok or error).",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "oms_graphql_operation_duration_seconds",
            "Time to execute one GraphQL operation, by operation name.",
            ["operation"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.statements = Histogram(
            "oms_graphql_operation_sql_statements",
            "SQL statements run by one GraphQL operation, by operation name.",
            ["operation"],
            registry=self.registry,
            buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 100),
        )
        self.events_relayed = Counter(
            "oms_events_relayed",
            "Committed events the relay published to this process's subscribers.",
            registry=self.registry,
        )
        self.subscription_messages = Counter(
            "oms_subscription_messages",
            "Subscription results sent over WebSockets (shared executions count once per socket).",
            registry=self.registry,
        )
        self.subscribers_too_slow = Counter(
            "oms_subscribers_too_slow",
            "Subscriptions closed (1013) because their client could not keep up.",
            registry=self.registry,
        )
        self._known: set[str] = set()
        self._lock = threading.Lock()

    def operation_label(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if not _NAME.match(name):
            return "invalid"
        with self._lock:
            if name in self._known:
                return name
            if len(self._known) >= MAX_OPERATION_NAMES:
                return "other"
            self._known.add(name)
            return name

    def observe(self, name: str | None, *, seconds: float, ok: bool, statements: int) -> None:
        label = self.operation_label(name)
        self.requests.labels(label, "ok" if ok else "error").inc()
        self.latency.labels(label).observe(seconds)
        self.statements.labels(label).observe(statements)

    def render(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)
