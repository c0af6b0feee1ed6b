"""Real subscription clients receive an order status change caused by a mutation:
the Python ``gql`` client and the npm ``graphql-ws`` client (tests/js)."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport

from oms_graphql.settings import Settings
from tests.live import LiveServer, serving
from tests.orders_support import a_shop, create_order

STATUS = """subscription($orderId: ID) {
  orderStatusChanged(orderId: $orderId) { cursor order { id displayFinancialStatus } } }"""
MARK_PAID = """mutation($id: ID!) { orderMarkAsPaid(id: $id) { userErrors { code } } }"""
JS_CLIENT = Path(__file__).parent / "js"


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[LiveServer]:
    async with serving(settings) as live:
        yield live


async def _subscribed(server: LiveServer) -> None:
    """Wait until the server runs the subscription (clients do not say when they are)."""
    hub = server.app.state.subscription_hub
    for _ in range(500):
        if hub.group_count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the client never subscribed")


async def test_the_python_gql_client_receives_a_status_change(server: LiveServer) -> None:
    await a_shop(server.database)
    order = await create_order(server.api, ("TEE", 1))
    transport = WebsocketsTransport(
        url=server.ws_url,
        init_payload={"Authorization": f"Bearer {server.api.token('read_orders')}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        # gql waits this long for a reply to its closing message; the protocol has none.
        close_timeout=0.5,
    )
    async with Client(transport=transport) as session:
        request = gql(STATUS)
        request.variable_values = {"orderId": order["id"]}
        results = session.subscribe(request)

        async def first() -> dict[str, object]:
            async for result in results:
                return result
            raise AssertionError("the subscription ended")

        receiving = asyncio.create_task(first())
        await _subscribed(server)
        await server.api.gql(MARK_PAID, {"id": order["id"]})
        received = await asyncio.wait_for(receiving, 5)

    assert received["orderStatusChanged"]["order"] == {  # type: ignore[index]
        "id": order["id"],
        "displayFinancialStatus": "PAID",
    }


async def test_the_npm_graphql_ws_client_receives_a_status_change(server: LiveServer) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    assert (JS_CLIENT / "node_modules" / "graphql-ws").is_dir(), (
        "run scripts/test (it installs tests/js with npm ci)"
    )
    await a_shop(server.database)
    order = await create_order(server.api, ("TEE", 1))
    client = await asyncio.create_subprocess_exec(
        node,
        str(JS_CLIENT / "subscribe.mjs"),
        server.ws_url,
        server.api.token("read_orders"),
        STATUS,
        json.dumps({"orderId": order["id"]}),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await _subscribed(server)
        await server.api.gql(MARK_PAID, {"id": order["id"]})
        stdout, stderr = await asyncio.wait_for(client.communicate(), 10)
    finally:
        if client.returncode is None:
            client.kill()
            await client.wait()

    assert client.returncode == 0, stderr.decode()
    received = json.loads(stdout.decode().splitlines()[0])
    assert received["data"]["orderStatusChanged"]["order"] == {
        "id": order["id"],
        "displayFinancialStatus": "PAID",
    }
