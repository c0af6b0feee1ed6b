"""A real server for subscription tests: uvicorn on a free port, clients over real sockets."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
import websockets
from starlette.applications import Starlette

from oms_graphql.app import create_app
from oms_graphql.db import Database
from oms_graphql.settings import Settings
from tests.api import Api

PROTOCOL = "graphql-transport-ws"


@dataclass
class LiveServer:
    app: Starlette
    port: int
    api: Api

    @property
    def database(self) -> Database:
        database: Database = self.app.state.runtime.database
        return database

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[LiveServer]:
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", ws="websockets-sansio")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield LiveServer(app, port, Api(client, settings))
    finally:
        server.should_exit = True
        await task


class GraphQLSocket:
    """A minimal graphql-transport-ws client with timeouts, to see exactly what is sent."""

    def __init__(self, connection: websockets.ClientConnection) -> None:
        self.connection = connection

    @classmethod
    @asynccontextmanager
    async def open(
        cls, url: str, token: str | None, *, acknowledged: bool = True
    ) -> AsyncIterator[GraphQLSocket]:
        async with websockets.connect(url, subprotocols=[PROTOCOL]) as connection:  # type: ignore[list-item]
            socket = cls(connection)
            payload = {"Authorization": f"Bearer {token}"} if token else {}
            await socket.send({"type": "connection_init", "payload": payload})
            if acknowledged:
                assert (await socket.receive())["type"] == "connection_ack"
            yield socket

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self, within: float = 5.0) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.connection.recv(), within)
        message: dict[str, Any] = json.loads(raw)
        return message

    async def subscribe(
        self, operation_id: str, query: str, variables: dict[str, Any] | None = None
    ) -> None:
        await self.send(
            {
                "id": operation_id,
                "type": "subscribe",
                "payload": {"query": query, "variables": variables or {}},
            }
        )

    async def next_data(self, operation_id: str, within: float = 5.0) -> Any:
        message = await self.receive(within)
        assert (message["type"], message["id"]) == ("next", operation_id), message
        assert "errors" not in message["payload"], message
        return message["payload"]["data"]

    async def silent_for(self, seconds: float) -> bool:
        """True when nothing arrives within ``seconds``."""
        try:
            message = await asyncio.wait_for(self.connection.recv(), seconds)
        except TimeoutError:
            return True
        raise AssertionError(f"unexpected message: {message}")
