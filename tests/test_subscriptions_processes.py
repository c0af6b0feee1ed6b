"""Subscriptions across real server processes: events cross processes through the outbox and
LISTEN/NOTIFY, and a server stopped with SIGTERM mid-stream loses nothing for a client that
resumes from its last cursor."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from oms_graphql.db import Database
from oms_graphql.settings import Settings
from tests.api import Api
from tests.conftest import ROOMY_BUCKET
from tests.live import GraphQLSocket
from tests.orders_support import a_shop, create_order

pytestmark = pytest.mark.slow

CREATED = """subscription($after: String) {
  orderEvents(types: [ORDER_CREATED], after: $after) { cursor subjectId } }"""
LAST_EVENT = "{ events(last: 1) { nodes { cursor } } }"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def _server(settings: Settings, port: int, tmp_path: Path, **env: str) -> Iterator[Any]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OMS_")}
    environment.update(
        OMS_DATABASE_URL=settings.database_url,
        OMS_JWT_SECRET=settings.jwt_secret or "",
        OMS_GRAPHIQL="false",
        OMS_LOG_LEVEL="WARNING",
        OMS_COST_BUCKET_SIZE=str(ROOMY_BUCKET),
        **env,
    )
    log = (tmp_path / f"server-{port}-{time.monotonic_ns()}.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "oms_graphql", "serve", "--port", str(port)],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_ready(port, process)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
        log.close()


def _wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited while starting"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("the server did not become ready")


@contextmanager
def _api(settings: Settings, port: int) -> Iterator[Api]:
    yield Api(httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}"), settings)


async def _shop(settings: Settings) -> None:
    database = Database(settings.database_url)
    try:
        await a_shop(database)
    finally:
        await database.dispose()


async def _last_cursor(api: Api) -> str:
    cursor: str = (await api.gql(LAST_EVENT)).ok()["events"]["nodes"][0]["cursor"]
    return cursor


async def _receive_until_closed(subscriber: GraphQLSocket, into: list[dict[str, Any]]) -> None:
    while True:
        into.append((await subscriber.next_data("1", within=10))["orderEvents"])


async def test_an_event_crosses_from_one_server_process_to_another_within_a_second(
    settings: Settings, database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share PostgreSQL; SQLite serves one process")
    await _shop(settings)
    # Polling every 30 s: only LISTEN/NOTIFY can bring the event over within a second.
    slow_poll = {"OMS_EVENT_POLL_SECONDS": "30"}
    port_a, port_b = _free_port(), _free_port()
    with (
        _server(settings, port_a, tmp_path, **slow_poll),
        _server(settings, port_b, tmp_path, **slow_poll),
        _api(settings, port_a) as writer,
    ):
        token = writer.token("read_orders")
        after = await _last_cursor(writer)
        async with GraphQLSocket.open(f"ws://127.0.0.1:{port_b}/graphql", token) as subscriber:
            await subscriber.subscribe("1", CREATED, {"after": after})
            warm_up = await create_order(writer, ("TEE", 1))
            assert (await subscriber.next_data("1"))["orderEvents"]["subjectId"] == warm_up["id"]

            placed_at = time.monotonic()
            order = await create_order(writer, ("TEE", 1))
            received = (await subscriber.next_data("1", within=1.0))["orderEvents"]
            latency = time.monotonic() - placed_at

        await writer.client.aclose()
    assert received["subjectId"] == order["id"]
    assert latency < 1.0


async def test_a_client_resumes_after_a_sigterm_mid_stream_and_gets_every_event_once(
    settings: Settings, tmp_path: Path
) -> None:
    await _shop(settings)
    port = _free_port()
    url = f"ws://127.0.0.1:{port}/graphql"
    received: list[dict[str, Any]] = []
    placed: list[str] = []
    drain = {"OMS_SHUTDOWN_DRAIN_SECONDS": "1"}
    with _server(settings, port, tmp_path, **drain) as first, _api(settings, port) as api:
        token = api.token("read_orders")
        after = await _last_cursor(api)
        async with GraphQLSocket.open(url, token) as subscriber:
            await subscriber.subscribe("1", CREATED, {"after": after})
            for _ in range(3):
                placed.append((await create_order(api, ("TEE", 1)))["id"])
            received.append((await subscriber.next_data("1"))["orderEvents"])

            first.send_signal(signal.SIGTERM)
            readiness = await api.client.get("/readyz")
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await _receive_until_closed(subscriber, received)
        await api.client.aclose()
        # uvicorn shuts down gracefully, then re-raises the signal it caught.
        assert first.wait(timeout=30) in (0, -signal.SIGTERM)
    assert readiness.status_code == 503
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1012  # service restart: reconnect

    with _server(settings, port, tmp_path), _api(settings, port) as api:
        for _ in range(2):
            placed.append((await create_order(api, ("TEE", 1)))["id"])
        async with GraphQLSocket.open(url, token) as subscriber:
            await subscriber.subscribe("2", CREATED, {"after": received[-1]["cursor"]})
            while len(received) < len(placed):
                received.append((await subscriber.next_data("2"))["orderEvents"])
            assert await subscriber.silent_for(0.5)
        await api.client.aclose()

    assert [event["subjectId"] for event in received] == placed
    assert len({event["cursor"] for event in received}) == len(placed)
