"""The HTTP surface: health, readiness, metrics, GraphiQL, request ids and error handling."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import Engine
from starlette.applications import Starlette

from oms_graphql.app import create_app
from oms_graphql.db import Database
from oms_graphql.listing import Listing
from oms_graphql.settings import Settings
from tests.api import Api
from tests.conftest import TEST_JWT_SECRET
from tests.factories import a_location, count_rows
from tests.live import serving


async def test_healthz(api: Api) -> None:
    response = await api.client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_checks_the_database(api: Api) -> None:
    response = await api.client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_readyz_fails_when_the_database_is_unreachable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    nothing_listens = "postgresql+psycopg://oms@127.0.0.1:1/oms?connect_timeout=2"
    settings = Settings.from_env({}, database_url=nothing_listens, jwt_secret=TEST_JWT_SECRET)
    app = create_app(settings)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        response = await client.get("/readyz")
        health = await client.get("/healthz")

    assert response.status_code == 503
    assert health.status_code == 200
    assert "database unreachable" in caplog.text


async def test_metrics_count_operations_by_name(api: Api, database: Database) -> None:
    await a_location(database)
    await api.gql("query ListLocations { locations(first: 5) { nodes { id } } }")
    await api.gql("query ListLocations { locations(first: 5) { nodes { id } } }")
    await api.gql("query Broken { locations(first: 5000) { nodes { id } } }")

    text = (await api.client.get("/metrics")).text

    assert 'oms_graphql_operations_total{operation="ListLocations",outcome="ok"} 2.0' in text
    assert 'oms_graphql_operations_total{operation="Broken",outcome="error"} 1.0' in text
    assert 'oms_graphql_operation_duration_seconds_count{operation="ListLocations"} 2.0' in text
    assert 'oms_graphql_operation_sql_statements_sum{operation="ListLocations"} 2.0' in text


async def test_graphiql_is_served_to_browsers(api: Api) -> None:
    response = await api.client.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_graphiql_loads_every_asset_from_this_server(api: Api) -> None:
    page = (await api.client.get("/graphql", headers={"Accept": "text/html"})).text
    assets = re.findall(
        r'(?:src|href)="(/graphiql/static/[^"]+)"\s+integrity="sha384-([^"]+)"', page
    )

    assert "unpkg.com" not in page
    assert len(assets) == 7
    for path, integrity in assets:
        response = await api.client.get(path)
        assert response.status_code == 200, path
        digest = base64.b64encode(hashlib.sha384(response.content).digest()).decode()
        assert digest == integrity, path


async def test_graphiql_can_be_switched_off(settings: Settings) -> None:
    app = create_app(Settings.from_env({}, **{**_fields(settings), "graphiql": False}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        response = await c.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 404


def _fields(settings: Settings) -> dict[str, object]:
    return {name: getattr(settings, name) for name in settings.__dataclass_fields__}


async def test_queries_work_over_get(api: Api) -> None:
    response = await api.client.get("/graphql", params={"query": "{ __typename }"})

    assert response.json()["data"] == {"__typename": "Query"}
    assert response.json()["extensions"]["cost"]["requestedQueryCost"] == 0


async def test_mutations_over_get_are_405_and_change_nothing(api: Api, database: Database) -> None:
    location = await a_location(database)
    location_id = f"gid://oms/Location/{location.id}"
    query = f'mutation {{ locationDeactivate(id: "{location_id}") {{ location {{ id }} }} }}'
    response = await api.client.get(
        "/graphql",
        params={"query": query},
        headers={"Authorization": f"Bearer {api.token('admin')}"},
    )
    after = await api.gql(f'{{ location(id: "gid://oms/Location/{location.id}") {{ isActive }} }}')

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["message"] == "mutations are not allowed when using GET"
    assert after.ok() == {"location": {"isActive": True}}


async def test_request_ids_are_kept_or_made(api: Api) -> None:
    kept = await api.client.get("/healthz", headers={"X-Request-Id": "abc-123"})
    made = await api.client.get("/healthz", headers={"X-Request-Id": "bad id with spaces"})

    assert kept.headers["x-request-id"] == "abc-123"
    assert made.headers["x-request-id"] not in ("", "bad id with spaces")


async def test_syntax_errors_are_validation_failures(api: Api) -> None:
    result = await api.gql("{ locations(first: ")

    assert result.error_codes == ["GRAPHQL_VALIDATION_FAILED"]


async def test_variables_of_the_wrong_type_are_bad_user_input(api: Api) -> None:
    result = await api.gql(
        "query($n: Int) { locations(first: $n) { nodes { id } } }", {"n": "many"}
    )

    assert result.error_codes == ["BAD_USER_INPUT"]


async def test_unexpected_errors_are_masked_and_logged_with_the_request_id(
    app: Starlette,
    api: Api,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret connection string postgres://admin:hunter2@db")

    monkeypatch.setattr(Listing, "page", explode)

    response = await api.client.post(
        "/graphql",
        json={"query": "{ locations(first: 1) { nodes { id } } }"},
        headers={"Authorization": f"Bearer {api.token('admin')}", "X-Request-Id": "req-42"},
    )

    error = response.json()["errors"][0]
    assert error["message"] == "Internal server error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-42"}
    assert "hunter2" not in response.text
    records = [r for r in caplog.records if r.name == "oms_graphql.errors"]
    assert records
    assert records[0].levelno == logging.ERROR
    assert records[0].exc_info is not None


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (
            "mutation($i: CustomerInput!) { customerCreate(input: $i) { customer { id } } }",
            {"i": {"email": "a@b.it", "tags": ["ok", "bad\x00"]}},
        ),
        (
            'mutation { customerCreate(input: {email: "a@b.it", firstName: "a\\u0000b"}) '
            "{ customer { id } } }",
            None,
        ),
        ("query($q: String) { customers(query: $q) { nodes { id } } }", {"q": "email:a\x00"}),
    ],
)
async def test_nul_characters_are_refused_before_anything_runs(
    api: Api, sync_engine: Engine, query: str, variables: dict[str, object] | None
) -> None:
    result = await api.gql(query, variables)

    assert result.error_codes == ["BAD_USER_INPUT"]
    assert result.statements == 0
    assert count_rows(sync_engine, "customers") == 0


async def test_a_body_nested_too_deep_is_a_400_not_a_crash(api: Api) -> None:
    depth = 5_000
    body = '{"query": "{ __typename }", "variables": {"v": ' + "[" * depth + "]" * depth + "}}"
    response = await api.client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert "JSON" in response.text


# --- GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/) ---------------

NEW = "application/graphql-response+json"
TYPENAME = {"query": "{ __typename }"}
ADD = (
    'mutation { locationAdd(input: {name: "X", address: {countryCode: "IT"}}) { location { id } } }'
)
JS = Path(__file__).parent / "js"


async def _post(api: Api, body: Any, accept: str | None, **headers: str) -> httpx.Response:
    sent = {"Authorization": f"Bearer {api.token('admin')}", **headers}
    if accept is not None:
        sent["Accept"] = accept
    return await api.client.post("/graphql", json=body, headers=sent)


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        (NEW, NEW),
        (f"{NEW}, application/json", NEW),
        (f"application/json, {NEW};q=0.9", "application/json"),
        (f"text/html, {NEW};q=0.5", NEW),
    ],
)
async def test_the_response_media_type_follows_accept_with_a_charset(
    api: Api, accept: str | None, media_type: str
) -> None:
    response = await _post(api, TYPENAME, accept)

    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert response.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize("accept", ["text/plain", "text/html", f"application/json;q=0, {NEW};q=0"])
async def test_an_accept_without_either_json_type_is_406(api: Api, accept: str) -> None:
    response = await _post(api, TYPENAME, accept)

    assert response.status_code == 406
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"query": "{ locations(first: "}, "GRAPHQL_VALIDATION_FAILED"),
        ({"query": "{ noSuchField }"}, "GRAPHQL_VALIDATION_FAILED"),
        (
            {
                "query": "query($n: Int) { locations(first: $n) { nodes { id } } }",
                "variables": {"n": "many"},
            },
            "BAD_USER_INPUT",
        ),
        (
            {
                "query": "{ locations(first: 250) { nodes { inventoryLevels(first: 250) { nodes "
                "{ id } } } } }"
            },
            "MAX_COST_EXCEEDED",
        ),
    ],
)
async def test_request_errors_are_400_without_data_only_under_the_new_media_type(
    api: Api, body: dict[str, Any], code: str
) -> None:
    new = await _post(api, body, NEW)
    legacy = await _post(api, body, "application/json")

    assert new.status_code == 400
    assert "data" not in new.json()
    assert [e["extensions"]["code"] for e in new.json()["errors"]] == [code]
    assert "cost" in new.json()["extensions"]
    assert legacy.status_code == 200
    assert legacy.json()["data"] is None
    assert legacy.json()["errors"] == new.json()["errors"]


async def test_field_errors_keep_200_and_the_data_entry_under_the_new_media_type(api: Api) -> None:
    response = await api.client.post(
        "/graphql",
        json={"query": "{ __typename locations(first: 1) { nodes { id } } }"},
        headers={"Accept": NEW},
    )

    # locations is non-null: its error nulls the whole data, which still stays in the body.
    assert response.status_code == 200
    assert "data" in response.json()
    assert response.json()["data"] is None
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response.json()["errors"][0]["path"] == ["locations"]


async def test_throttled_is_429_with_retry_after_under_the_new_media_type(
    settings: Settings,
) -> None:
    changed = Settings.from_env(
        {},
        **{
            **_fields(settings),
            "max_query_cost": 60,
            "cost_bucket_size": 60,
            "cost_restore_rate": 0.1,
        },
    )
    app = create_app(changed)
    query = {"query": "{ locations(first: 50) { nodes { id } } }"}
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        api = Api(client, changed)
        first = await _post(api, query, NEW)
        second = await _post(api, query, NEW)

    assert first.status_code == 200
    assert second.status_code == 429
    assert [e["extensions"]["code"] for e in second.json()["errors"]] == ["THROTTLED"]
    assert 1 <= int(second.headers["retry-after"]) <= 600


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/plain",
        "text/plain; charset=utf-8",
        "application/json; charset=latin-1",
        None,
    ],
)
async def test_bodies_browsers_send_cross_site_without_preflight_are_415(
    api: Api, sync_engine: Engine, content_type: str | None
) -> None:
    headers = {"Authorization": f"Bearer {api.token('admin')}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = await api.client.post(
        "/graphql", content=f'{{"query": {ADD!r}}}'.replace("'", '"'), headers=headers
    )

    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert response.headers["x-sql-statements"] == "0"
    assert count_rows(sync_engine, "locations") == 0


async def test_json_with_a_utf8_charset_is_accepted(api: Api) -> None:
    response = await api.client.post(
        "/graphql",
        content=b'{"query": "{ __typename }"}',
        headers={"Content-Type": "application/json; charset=UTF-8"},
    )

    assert response.json()["data"] == {"__typename": "Query"}


async def test_malformed_json_is_a_400_json_error_in_the_negotiated_type(api: Api) -> None:
    response = await api.client.post(
        "/graphql",
        content=b'{"query": ',
        headers={"Content-Type": "application/json", "Accept": NEW},
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == f"{NEW}; charset=utf-8"
    assert response.json()["errors"][0]["message"] == "Unable to parse request body as JSON"


async def test_the_npm_graphql_http_audit_passes_without_warnings(settings: Settings) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    assert (JS / "node_modules" / "graphql-http").is_dir(), (
        "run scripts/test (it installs tests/js with npm ci)"
    )
    async with serving(settings) as server:
        # With a token: some audits ask for __type, which callers without one may not.
        audit = await asyncio.create_subprocess_exec(
            node,
            str(JS / "audit.mjs"),
            server.http_url,
            f"Bearer {server.api.token('storefront')}",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(audit.communicate(), 60)

    results = [json.loads(line) for line in stdout.decode().splitlines()]
    not_ok = [r for r in results if r["status"] != "ok"]
    assert audit.returncode == 0, stderr.decode() or not_ok
    assert len(results) >= 50
    assert not_ok == []
