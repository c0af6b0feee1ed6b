"""GraphQL over WebSocket (graphql-transport-ws): the token travels in connection_init."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from oms_graphql.app import create_app
from oms_graphql.auth import mint_token
from oms_graphql.settings import Settings

PROTOCOL = ["graphql-transport-ws"]
QUERY = "{ locations(first: 1) { nodes { id } } }"


def _run(client: TestClient, init_payload: dict[str, Any]) -> dict[str, Any]:
    with client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        ws.send_json({"type": "connection_init", "payload": init_payload})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": QUERY}})
        message: dict[str, Any] = ws.receive_json()
        assert ws.receive_json() == {"id": "1", "type": "complete"}
        return message


def test_operations_run_with_the_token_from_connection_init(settings: Settings) -> None:
    token = mint_token(settings, scopes=["read_locations"])
    with TestClient(create_app(settings)) as client:
        message = _run(client, {"Authorization": f"Bearer {token}"})

    assert (message["id"], message["type"]) == ("1", "next")
    assert message["payload"]["data"] == {"locations": {"nodes": []}}
    assert message["payload"]["extensions"]["cost"]["requestedQueryCost"] == 3


def test_without_a_token_fields_are_unauthenticated(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        message = _run(client, {})

    assert message["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("authorization", ["Bearer not-a-token", "Basic abc", 42])
def test_a_bad_token_closes_the_socket_with_4403(settings: Settings, authorization: Any) -> None:
    with (
        TestClient(create_app(settings)) as client,
        client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {"Authorization": authorization}})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()

    assert closed.value.code == 4403
