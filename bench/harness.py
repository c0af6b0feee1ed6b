"""Timing: raw ASGI calls, rounds that alternate scenario and baseline, percentiles."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

Call = Callable[[], Awaitable["Reply"]]


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]


async def asgi_call(
    app: Any, method: str, path: str, *, body: bytes = b"", headers: dict[str, str] | None = None
) -> Reply:
    """One request straight into the ASGI app: no client library cost in the measurement."""
    raw_headers = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    raw_headers.append((b"content-length", str(len(body)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw_headers,
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    status = 0
    chunks: list[bytes] = []
    reply_headers: dict[str, str] = {}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            reply_headers.update({k.decode(): v.decode() for k, v in message["headers"]})
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return Reply(status, b"".join(chunks), reply_headers)


def graphql_call(app: Any, query: str, token: str | None) -> Call:
    body = orjson.dumps({"query": query})
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"

    async def call() -> Reply:
        return await asgi_call(app, "POST", "/graphql", body=body, headers=headers)

    return call


@dataclass
class Samples:
    seconds: list[float] = field(default_factory=list)
    statements: int | None = None

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


async def _timed(call: Call, samples: Samples, count: int) -> None:
    for _ in range(count):
        started = time.perf_counter()
        reply = await call()
        samples.seconds.append(time.perf_counter() - started)
        if reply.status != 200:
            raise RuntimeError(f"benchmark request failed: {reply.status} {reply.body[:300]!r}")
        if "x-sql-statements" in reply.headers:
            samples.statements = int(reply.headers["x-sql-statements"])


async def compare(
    ours: Call, baseline: Call, *, rounds: int, per_round: int
) -> tuple[Samples, Samples]:
    """Alternate batches of both so that drift on a shared machine hits them equally."""
    for call in (ours, baseline):  # warm caches, pools and JIT-free code paths alike
        await _timed(call, Samples(), per_round)
    mine, theirs = Samples(), Samples()
    for _ in range(rounds):
        await _timed(ours, mine, per_round)
        await _timed(baseline, theirs, per_round)
    return mine, theirs
