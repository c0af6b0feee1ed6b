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


def _run(client: TestClient, init_payload: dict[str, Any], query: str = QUERY) -> dict[str, Any]:
    with client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        ws.send_json({"type": "connection_init", "payload": init_payload})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
        message: dict[str, Any] = ws.receive_json()
        if message["type"] == "next":
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


def test_introspection_over_a_socket_needs_a_token(settings: Settings) -> None:
    introspection = "{ __schema { queryType { name } } }"
    token = mint_token(settings, scopes=["storefront"])
    with TestClient(create_app(settings)) as client:
        anonymous = _run(client, {}, introspection)
        with_token = _run(client, {"Authorization": f"Bearer {token}"}, introspection)

    assert anonymous["type"] == "error"
    assert "introspection has been disabled" in anonymous["payload"][0]["message"]
    assert with_token["payload"]["data"] == {"__schema": {"queryType": {"name": "Query"}}}


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


def _handshake(settings: Settings, origin: str | None) -> dict[str, Any]:
    headers = {"origin": origin} if origin else {}
    with (
        TestClient(create_app(settings)) as client,
        client.websocket_connect("/graphql", subprotocols=PROTOCOL, headers=headers) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {}})
        message: dict[str, Any] = ws.receive_json()
        return message


@pytest.mark.parametrize("origin", [None, "http://testserver"])
def test_clients_without_an_origin_and_same_origin_pages_may_connect(
    settings: Settings, origin: str | None
) -> None:
    assert _handshake(settings, origin)["type"] == "connection_ack"


def test_a_page_on_another_origin_is_refused_at_the_handshake(settings: Settings) -> None:
    with pytest.raises(WebSocketDisconnect) as refused:
        _handshake(settings, "https://evil.example")

    assert refused.value.code == 1008


def test_origins_listed_in_the_settings_may_connect(settings: Settings) -> None:
    allowed = Settings.from_env(
        {},
        **{
            **{name: getattr(settings, name) for name in settings.__dataclass_fields__},
            "allowed_origins": "https://shop.example, https://admin.example:8443",
        },
    )

    assert _handshake(allowed, "https://admin.example:8443")["type"] == "connection_ack"
    with pytest.raises(WebSocketDisconnect):
        _handshake(allowed, "https://admin.example")
