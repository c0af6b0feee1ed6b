"""S5: one order event fanned out to many subscribers, over real WebSockets.

The server runs in its own process (uvicorn, as ``oms-graphql serve`` runs it); the
subscribers are WebSocket clients on this process's event loop. For each event (a new
note on one order, ``orderUpdate``) it measures the time from the mutation's reply to the last
subscriber's message, and the server's CPU time (from /proc) per message sent.

- ours: every subscriber sends the same document, so the server executes each event
  once and writes the same bytes to every socket;
- baseline: each subscriber's document differs by a comment, so the server executes the
  event once per subscriber (strawberry's own per-subscription path does the same).

Write throughput: ``orderUpdate`` by 8 concurrent clients with no subscriber, then with the
subscribers connected and receiving every event.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import websockets
from sqlalchemy import select

from bench import order_data
from oms_graphql.auth import mint_token
from oms_graphql.auth.scopes import ADMIN_SCOPES
from oms_graphql.db import Database
from oms_graphql.ids import encode_gid
from oms_graphql.models import Order
from oms_graphql.settings import Settings

SUBSCRIPTION = "subscription { orderEvents(types: [ORDER_UPDATED]) { cursor type subjectId } }"
NOTE = """mutation($id: ID!, $note: String!) {
  orderUpdate(input: {id: $id, note: $note}) { userErrors { code } } }"""
WRITERS = 8


@dataclass(frozen=True, slots=True)
class FanOut:
    name: str
    subscribers: int
    events: int
    to_last: list[float]
    server_cpu: float

    @property
    def messages_per_cpu_second(self) -> float:
        return self.subscribers * self.events / self.server_cpu if self.server_cpu else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.to_last)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def _server(settings: Settings, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMS_")}
    env.update(
        OMS_DATABASE_URL=settings.database_url,
        OMS_JWT_SECRET=settings.jwt_secret or "",
        OMS_GRAPHIQL="false",
        OMS_LOG_LEVEL="WARNING",
        OMS_SUBSCRIPTION_QUEUE_SIZE="10000",
        # One token drives the whole load: it must not run out of query budget.
        OMS_COST_BUCKET_SIZE=str(10**12),
        OMS_MAX_QUERY_COST=str(10**12),
    )
    command = [
        *(sys.executable, "-m", "uvicorn", "oms_graphql.app:create_app", "--factory"),
        *("--port", str(port), "--loop", "uvloop", "--http", "httptools"),
        *("--ws", "websockets-sansio", "--ws-per-message-deflate", "false"),
        *("--log-level", "warning"),
    ]
    process = subprocess.Popen(command, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the S5 server did not start")
            time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


class Subscribers:
    """``count`` WebSocket clients, each counting the events it received."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.received = [0] * count
        self._target = 0
        self._arrived = 0
        self._all_arrived = asyncio.Event()

    def expect(self, target: int) -> asyncio.Event:
        """An event set when every subscriber has received ``target`` messages."""
        self._target = target
        self._arrived = sum(1 for n in self.received if n >= target)
        self._all_arrived = asyncio.Event()
        if self._arrived == self.count:
            self._all_arrived.set()
        return self._all_arrived

    def _got(self, index: int) -> None:
        self.received[index] += 1
        if self.received[index] == self._target:
            self._arrived += 1
            if self._arrived == self.count:
                self._all_arrived.set()

    @contextlib.asynccontextmanager
    async def connected(self, url: str, token: str, *, distinct: bool) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            sockets = []
            for index in range(self.count):
                ws = await stack.enter_async_context(
                    websockets.connect(url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
                )
                init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
                await ws.send(json.dumps(init))
                await ws.recv()
                query = SUBSCRIPTION + (f"\n# subscriber {index}" if distinct else "")
                await ws.send(
                    json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}})
                )
                sockets.append(ws)
            # The server handles a socket's messages in order: its pong means the
            # subscription is registered, so the first event cannot come before it.
            for ws in sockets:
                await ws.send(json.dumps({"type": "ping"}))
            for ws in sockets:
                while json.loads(await ws.recv())["type"] != "pong":
                    pass
            readers = [asyncio.create_task(self._read(i, ws)) for i, ws in enumerate(sockets)]
            try:
                yield
            finally:
                for reader in readers:
                    reader.cancel()
                await asyncio.gather(*readers, return_exceptions=True)

    async def _read(self, index: int, ws: websockets.ClientConnection) -> None:
        async for raw in ws:
            message = json.loads(raw)
            if message.get("type") == "next":
                self._got(index)


async def _note(client: httpx.AsyncClient, order_id: str, note: str) -> None:
    """A new note: an order change, one ORDER_UPDATED event."""
    reply = await client.post(
        "/graphql", json={"query": NOTE, "variables": {"id": order_id, "note": note}}
    )
    body = reply.json()
    if reply.status_code != 200 or body.get("errors") or body["data"]["orderUpdate"]["userErrors"]:
        raise RuntimeError(f"orderUpdate failed: {reply.text}")


async def _fan_out(
    name: str,
    server: subprocess.Popen[bytes],
    url: str,
    client: httpx.AsyncClient,
    order_id: str,
    token: str,
    *,
    subscribers: int,
    events: int,
    distinct: bool,
) -> FanOut:
    audience = Subscribers(subscribers)
    async with audience.connected(url, token, distinct=distinct):
        # A first event proves every subscription is live (and warms the server up).
        arrived = audience.expect(1)
        await _note(client, order_id, f"{name}-warm-up")
        await asyncio.wait_for(arrived.wait(), 120)
        to_last = []
        cpu = _cpu_seconds(server.pid)
        for n in range(events):
            arrived = audience.expect(n + 2)
            await _note(client, order_id, f"{name}-{n}")
            replied = time.perf_counter()
            await asyncio.wait_for(arrived.wait(), 120)
            to_last.append(time.perf_counter() - replied)
        cpu = _cpu_seconds(server.pid) - cpu
    return FanOut(name, subscribers, events, to_last, cpu)


async def _write_rate(client: httpx.AsyncClient, order_id: str, writes: int, label: str) -> float:
    remaining = writes

    async def writer(number: int) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await _note(client, order_id, f"{label}-{number}-{remaining}")

    started = time.perf_counter()
    await asyncio.gather(*(writer(n) for n in range(WRITERS)))
    return writes / (time.perf_counter() - started)


async def run(
    database: Database, settings: Settings, *, subscribers: int, events: int, writes: int
) -> str:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, subscribers * 2 + 256)), hard))
    await order_data.seed_orders(database, orders=1, customers=1, lines_per_order=1, skus=1)
    async with database.reading() as session:
        (pk,) = (await session.scalars(select(Order.id))).all()
    order_id = encode_gid("Order", pk)
    token = mint_token(settings, scopes=ADMIN_SCOPES)
    port = _free_port()
    url = f"ws://127.0.0.1:{port}/graphql"
    headers = {"Authorization": f"Bearer {token}"}
    with _server(settings, port) as server:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers=headers
        ) as client:
            quiet = await _write_rate(client, order_id, writes, "quiet")
            ours = await _fan_out(
                "shared",
                server,
                url,
                client,
                order_id,
                token,
                subscribers=subscribers,
                events=events,
                distinct=False,
            )
            naive = await _fan_out(
                "naive",
                server,
                url,
                client,
                order_id,
                token,
                subscribers=subscribers,
                events=events,
                distinct=True,
            )
            audience = Subscribers(subscribers)
            async with audience.connected(url, token, distinct=False):
                arrived = audience.expect(1)
                await _note(client, order_id, "listened-warm-up")
                await asyncio.wait_for(arrived.wait(), 120)
                listened = await _write_rate(client, order_id, writes, "listened")
    return _table(ours, naive, quiet, listened, writes)


def _table(ours: FanOut, naive: FanOut, quiet: float, listened: float, writes: int) -> str:
    def row(result: FanOut) -> str:
        return (
            f"{result.name:<30}{result.messages_per_cpu_second:>12,.0f}"
            f"{statistics.median(result.to_last) * 1e3:>10.1f}ms"
            f"{result.percentile(0.99) * 1e3:>10.1f}ms"
        )

    ratio = ours.messages_per_cpu_second / naive.messages_per_cpu_second
    title = f"S5: 1 event -> {ours.subscribers} subscribers"
    header = f"{title:<30}{'msg/CPU-s':>12}{'last p50':>12}{'last p99':>12}"
    return "\n".join(
        [
            header,
            "-" * len(header),
            row(ours),
            row(naive) + "   (baseline: executed per subscriber)",
            f"{'ratio (ours / baseline)':<30}{ratio:>11.1f}x",
            "",
            f"S5 write throughput (orderUpdate, {WRITERS} clients, {writes} writes a side): "
            f"{quiet:.1f}/s with no subscriber, {listened:.1f}/s with {ours.subscribers} "
            f"subscribers receiving every event: {listened / quiet:.0%}",
            f"({ours.events} events a side; server CPU from /proc; subscribers share this "
            "process, on the other core)",
        ]
    )
