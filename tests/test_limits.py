"""Limits before execution, calculated query cost and throttling: refused documents run no SQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from graphql import get_introspection_query
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from starlette.testclient import TestClient

from oms_graphql.app import create_app
from oms_graphql.auth import mint_token
from oms_graphql.db import Database
from oms_graphql.graphql.throttle import CostBuckets
from oms_graphql.settings import Settings, SettingsError
from tests.api import Api, Result
from tests.factories import a_location, count_rows

LOCATIONS_10 = "{ locations(first: 10) { nodes { id name address { city } } } }"
ADD = """mutation($input: LocationAddInput!) {
  locationAdd(input: $input) { location { id name } userErrors { field message code } } }"""
NEW_LOCATION = {"input": {"name": "Torino", "address": {"city": "Torino", "countryCode": "IT"}}}
# Three connections of 250 nested in one another: 2 + 250 x (1 + 2 + 250 x (1 + 1 + ...)).
NESTED_PAGES = """{ locations(first: 250) { nodes { id inventoryLevels(first: 250) { nodes {
  item { inventoryLevels(first: 250) { nodes { id } } } } } } } }"""


def nested_levels(cycles: int) -> str:
    """A Location's selection: its levels' locations, ``cycles`` times (3 levels each)."""
    return "inventoryLevels(first: 1) { nodes { location { " * cycles + "id" + " } } }" * cycles


def deep_document(cycles: int) -> str:
    """A query ``2 + 3 x cycles`` levels deep."""
    return "{ locations(first: 1) { nodes { " + nested_levels(cycles) + " } } }"


def aliases_document(count: int) -> str:
    return (
        "{ "
        + " ".join(f"a{n}: locations(first: 1) {{ nodes {{ id }} }}" for n in range(count))
        + " }"
    )


def cost(result: Result) -> dict[str, Any]:
    extensions: dict[str, Any] = result.body["extensions"]["cost"]
    return extensions


def refused(result: Result, code: str) -> str:
    """The single error's message, after checking its code and that nothing ran."""
    assert result.status == 200, result.body
    assert result.error_codes == [code], result.body
    assert result.data is None
    assert result.statements == 0
    return str(result.errors[0]["message"])


@asynccontextmanager
async def api_with(settings: Settings, **overrides: Any) -> AsyncIterator[Api]:
    changed = Settings.from_env(
        {},
        database_url=settings.database_url,
        jwt_secret=settings.jwt_secret,
        sql_count_header=True,
        **overrides,
    )
    app = create_app(changed)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        yield Api(client, changed)


async def test_a_document_20_levels_deep_is_refused_before_any_sql(api: Api) -> None:
    message = refused(await api.gql(deep_document(6)), "GRAPHQL_VALIDATION_FAILED")

    assert "exceeds maximum operation depth of 15" in message


async def test_a_document_within_the_depth_limit_runs(api: Api, database: Database) -> None:
    await a_location(database)

    result = await api.gql(deep_document(4))

    assert result.ok()["locations"]["nodes"][0]["inventoryLevels"] == {"nodes": []}


async def test_500_aliases_are_refused_before_any_sql(api: Api) -> None:
    message = refused(await api.gql(aliases_document(500)), "GRAPHQL_VALIDATION_FAILED")

    assert message == "500 aliases found. Allowed: 100"


async def test_100_aliases_run(api: Api) -> None:
    result = await api.gql(aliases_document(100))

    assert len(result.ok()) == 100


async def test_too_many_tokens_are_refused_before_any_sql(api: Api) -> None:
    message = refused(
        await api.gql("{ " + "__typename " * 10_001 + "}"), "GRAPHQL_VALIDATION_FAILED"
    )

    assert "more than 10000 tokens" in message


async def test_three_nested_pages_of_250_are_too_costly(api: Api) -> None:
    result = await api.gql(NESTED_PAGES)

    message = refused(result, "MAX_COST_EXCEEDED")
    requested = 2 + 250 * (1 + 2 + 250 * (1 + 1 + 2 + 250 * 1))
    assert message.startswith(f"this query costs {requested}, more than the maximum of 1000")
    assert result.errors[0]["extensions"] == {
        "code": "MAX_COST_EXCEEDED",
        "cost": requested,
        "maximumCost": 1000,
    }
    assert cost(result)["requestedQueryCost"] == requested
    assert cost(result)["actualQueryCost"] == 0


async def test_page_size_variables_and_the_default_page_count(api: Api) -> None:
    by_variable = await api.gql(
        "query($n: Int) { locations(first: $n) { nodes { id } } }", {"n": 7}
    )
    by_default_value = await api.gql(
        "query($n: Int = 3) { locations(last: $n) { edges { cursor node { id } } } }"
    )
    by_default_page = await api.gql("{ locations { pageInfo { hasNextPage } nodes { id } } }")

    assert cost(by_variable)["requestedQueryCost"] == 2 + 7
    assert cost(by_default_value)["requestedQueryCost"] == 2 + 3
    assert cost(by_default_page)["requestedQueryCost"] == 2 + 50
    not_a_number = await api.gql(
        "query($n: Int) { locations(first: $n) { nodes { id } } }", {"n": [1, 2]}
    )
    assert not_a_number.error_codes == ["BAD_USER_INPUT"]


async def test_a_page_size_sent_as_250_point_0_costs_like_250(api: Api) -> None:
    # GraphQL's Int coerces the JSON number 250.0 to 250: the page is 250 items, not 50.
    query = """query($n: Int) { locations(first: $n) { nodes {
      inventoryLevels(first: 3) { nodes { id } } } } }"""

    as_float = await api.gql(query, {"n": 250.0})
    as_int = await api.gql(query, {"n": 250})

    assert refused(as_float, "MAX_COST_EXCEEDED") == refused(as_int, "MAX_COST_EXCEEDED")
    assert cost(as_float)["requestedQueryCost"] == 2 + 250 * (1 + 2 + 3)


async def test_a_page_size_variable_sent_as_null_costs_the_default_page(api: Api) -> None:
    # An explicit null is not replaced by the variable's default: the connection takes 50.
    query = "query($n: Int = 3) { locations(first: $n) { nodes { id } } }"

    left_out = await api.gql(query)
    sent_null = await api.gql(query, {"n": None})

    assert cost(left_out)["requestedQueryCost"] == 2 + 3
    assert cost(sent_null)["requestedQueryCost"] == 2 + 50


async def test_mutations_in_fragments_cost_as_much_as_written_out(api: Api) -> None:
    a = "a: locationAdd(input: $input) { userErrors { code } }"
    b = "b: locationAdd(input: $input) { userErrors { code } }"
    head = "mutation($input: LocationAddInput!) { "
    written_out = head + a + " " + b + " }"
    inline = head + "... on Mutation { " + a + " } " + b + " }"
    spread = head + "...M " + b + " } fragment M on Mutation { " + a + " }"

    costs = [
        cost(await api.gql(document, NEW_LOCATION))["requestedQueryCost"]
        for document in (written_out, inline, spread)
    ]

    assert costs == [2 * (10 + 1), 2 * (10 + 1), 2 * (10 + 1)]


async def test_fragments_on_other_types_count_the_dearest(api: Api) -> None:
    result = await api.gql(
        """query($id: ID!) { node(id: $id) {
          id
          ... on Location { address { city } channels { handle } }
          ... on InventoryItem { unitPrice { amount } }
        } }""",
        {"id": "gid://oms/Location/1"},
    )

    named = await api.gql(
        'query { location(id: "gid://oms/Location/1") { ...Where'
        " inventoryLevels(first: 2) { nodes { location { ...Where } } } } }"
        " fragment Where on Location { address { city } }"
    )

    assert cost(result)["requestedQueryCost"] == 1 + 2
    assert cost(named)["requestedQueryCost"] == 1 + 1 + 2 + 2 * (1 + 1 + 1)


async def test_every_response_carries_the_cost(api: Api, database: Database) -> None:
    await a_location(database)

    query = await api.gql(LOCATIONS_10)
    mutation = await api.gql(ADD, NEW_LOCATION)
    invalid = await api.gql("{ locations { nope } }")
    unparsable = await api.gql("{ locations(")
    status = {"maximumAvailable": 1_000_000, "restoreRate": 100.0}

    assert query.ok()
    assert mutation.ok()
    assert cost(query)["requestedQueryCost"] == cost(query)["actualQueryCost"] == 2 + 10 * 2
    assert cost(query)["throttleStatus"] == {
        **status,
        "currentlyAvailable": cost(query)["throttleStatus"]["currentlyAvailable"],
    }
    assert 1_000_000 - 22 <= cost(query)["throttleStatus"]["currentlyAvailable"] < 1_000_000
    assert cost(mutation)["requestedQueryCost"] == 10 + 1 + 1
    assert cost(mutation)["actualQueryCost"] == 12
    for error in (invalid, unparsable):
        assert error.error_codes == ["GRAPHQL_VALIDATION_FAILED"]
        assert cost(error)["requestedQueryCost"] == cost(error)["actualQueryCost"] == 0
        assert cost(error)["throttleStatus"].keys() == {*status, "currentlyAvailable"}


async def test_graphiql_introspection_passes_every_limit(api: Api) -> None:
    result = await api.gql(get_introspection_query(descriptions=True), token=api.token())

    assert result.ok()["__schema"]["queryType"]["name"] == "Query"
    assert cost(result)["requestedQueryCost"] == 1


@pytest.mark.parametrize(
    "query",
    [
        get_introspection_query(descriptions=True),
        "{ __schema { types { name } } }",
        '{ __type(name: "Order") { fields { name } } }',
        '{ locations(first: 1) { nodes { id } } __type(name: "Order") { name } }',
    ],
)
async def test_anonymous_callers_get_no_introspection_and_no_sql_runs(api: Api, query: str) -> None:
    result = await api.gql(query, token=None)

    assert set(result.error_codes) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "introspection has been disabled" in result.errors[0]["message"]
    assert result.data is None
    assert result.statements == 0


async def test_any_token_keeps_introspection(api: Api) -> None:
    storefront = await api.gql("{ __schema { queryType { name } } }", token=api.token("storefront"))
    no_scope = await api.gql('{ __type(name: "Order") { name } }', token=api.token())

    assert storefront.ok() == {"__schema": {"queryType": {"name": "Query"}}}
    assert no_scope.ok() == {"__type": {"name": "Order"}}


async def test_typename_stays_open_to_anonymous_callers(api: Api) -> None:
    assert (await api.gql("{ __typename }", token=None)).ok() == {"__typename": "Query"}


MISSPELT = [
    ("{ nodez(ids: []) { id } }", None, "Did you mean 'node', 'nodes'"),
    ("{ orders(first: 1, sortKeyy: CREATED_AT) { nodes { id } } }", None, "'sortKey'"),
    ("{ orders(first: 1, sortKey: CREATED_ATT) { nodes { id } } }", None, "'CREATED_AT'"),
    (
        "query($s: OrderSortKeys) { orders(first: 1, sortKey: $s) { nodes { id } } }",
        {"s": "CREATED_ATT"},
        "'CREATED_AT'",
    ),
    ("{ locations(first: 1) { nodes { nmae } } }", None, "'name'"),
    ("{ locations(first: 1) }", None, "'locations { ... }'"),
]


@pytest.mark.parametrize(("query", "variables", "suggestion"), MISSPELT)
async def test_anonymous_callers_get_no_field_suggestions(
    api: Api, query: str, variables: dict[str, Any] | None, suggestion: str
) -> None:
    anonymous = await api.gql(query, variables, token=None)
    with_token = await api.gql(query, variables, token=api.token("storefront"))

    assert anonymous.data is None
    assert anonymous.statements == 0
    assert anonymous.errors
    assert not any("Did you mean" in e["message"] for e in anonymous.errors), anonymous.errors
    assert [e["message"].split(" Did you mean")[0] for e in with_token.errors] == [
        e["message"] for e in anonymous.errors
    ]
    assert any(suggestion in e["message"] for e in with_token.errors), with_token.errors


async def test_throttled_when_the_bucket_is_empty_and_restored_in_time(settings: Settings) -> None:
    query = "{ locations(first: 50) { nodes { id } } }"  # costs 52
    async with api_with(
        settings, max_query_cost=60, cost_bucket_size=100, cost_restore_rate=10
    ) as api:
        first = await api.gql(query)
        second = await api.gql(query)
        other_caller = await api.gql(query, token=api.token("read_locations", subject="other"))
        await asyncio.sleep(second.errors[0]["extensions"]["retryAfterSeconds"] + 0.05)
        third = await api.gql(query)

    assert first.ok() == {"locations": {"nodes": []}}
    assert 48 <= cost(first)["throttleStatus"]["currentlyAvailable"] <= 50
    message = refused(second, "THROTTLED")
    assert message.startswith("throttled: this query costs 52 and ")
    assert message.endswith("10 is restored per second")
    assert 0 < second.errors[0]["extensions"]["retryAfterSeconds"] <= 0.4
    assert cost(second)["actualQueryCost"] == 0
    assert other_caller.ok() == {"locations": {"nodes": []}}
    assert third.ok() == {"locations": {"nodes": []}}


async def test_variables_that_do_not_coerce_cost_the_caller_nothing(settings: Settings) -> None:
    query = "query($n: Int) { locations(first: $n) { nodes { id } } }"
    async with api_with(
        settings, max_query_cost=60, cost_bucket_size=100, cost_restore_rate=0.01
    ) as api:
        refused_variables = await api.gql(query, {"n": "many"})
        paid = await api.gql(query, {"n": 3})

    assert refused_variables.error_codes == ["BAD_USER_INPUT"]
    assert cost(refused_variables)["actualQueryCost"] == 0
    assert cost(refused_variables)["throttleStatus"]["currentlyAvailable"] == 100
    assert paid.ok() == {"locations": {"nodes": []}}
    assert cost(paid)["actualQueryCost"] == 5
    assert cost(paid)["throttleStatus"]["currentlyAvailable"] == 95


async def test_anonymous_callers_share_the_bucket_of_their_address(settings: Settings) -> None:
    costly = "{ locations(first: 3) { nodes { id } } }"  # costs 5
    async with api_with(settings, max_query_cost=5, cost_bucket_size=5, cost_restore_rate=1) as api:
        spent = await api.gql(costly, token=None)
        anonymous = await api.gql(costly, token=None)
        admin = await api.gql(costly)

    assert spent.error_codes == ["UNAUTHENTICATED"]
    assert cost(spent)["actualQueryCost"] == 5
    refused(anonymous, "THROTTLED")
    assert admin.ok() == {"locations": {"nodes": []}}


async def test_a_refused_mutation_changes_nothing(settings: Settings, sync_engine: Engine) -> None:
    async with api_with(
        settings, max_query_cost=20, cost_bucket_size=20, cost_restore_rate=0.01
    ) as api:
        added = await api.gql(ADD, NEW_LOCATION)
        throttled = await api.gql(ADD, {"input": {**NEW_LOCATION["input"], "name": "Bari"}})
        too_deep = await api.gql(
            'mutation { locationAdd(input: {name: "Asti", address: {countryCode: "IT"}}) {'
            " location { " + nested_levels(6) + " } } }"
        )

    assert added.ok()["locationAdd"]["userErrors"] == []
    refused(throttled, "THROTTLED")
    refused(too_deep, "GRAPHQL_VALIDATION_FAILED")
    assert count_rows(sync_engine, "locations") == 1


async def test_input_lists_longer_than_250_are_refused_before_any_sql(api: Api) -> None:
    skus = ", ".join(f'"S{n}"' for n in range(251))
    literal = await api.gql(f"{{ availability(skus: [{skus}]) {{ sku }} }}")
    variable = await api.gql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["gid://oms/Location/1"] * 251}
    )
    fits = await api.gql("{ availability(skus: [" + skus.rsplit(",", 1)[0] + "]) { sku } }")

    for result in (literal, variable):
        message = refused(result, "BAD_USER_INPUT")
        assert message == "an input list holds 251 items; at most 250 are allowed"
    assert len(fits.ok()["availability"]) == 250


async def test_variables_nested_900_lists_deep_are_a_user_error_not_a_crash(api: Api) -> None:
    # Valid JSON that the old recursive walks (NUL characters, list lengths) could not finish.
    body = '{"query": "query($v: ID!) { node(id: $v) { id } }", "variables": {"v": %s}}' % (
        "[" * 900 + "]" * 900
    )
    response = await api.client.post(
        "/graphql",
        content=body,
        headers={
            "content-type": "application/json",
            "Authorization": f"Bearer {api.token('admin')}",
        },
    )

    assert response.status_code == 200, response.text
    assert [error["extensions"]["code"] for error in response.json()["errors"]] == [
        "BAD_USER_INPUT"
    ]


async def test_mutation_lists_beyond_ten_times_the_limit_are_refused(api: Api) -> None:
    lines = [{"sku": "TEE", "quantity": 1}] * 2_501
    result = await api.gql(
        "mutation($input: OrderCreateInput!) {"
        " orderCreate(input: $input) { userErrors { code } } }",
        {"input": {"channel": "web", "lineItems": lines}},
    )

    assert refused(result, "BAD_USER_INPUT").startswith("an input list holds 2501 items")


async def test_postgresql_cancels_statements_past_the_timeout(
    settings: Settings, database: Database
) -> None:
    if settings.is_sqlite:
        pytest.skip("SQLite has no statement timeout (its busy timeout bounds lock waits)")
    async with database.reading() as session:
        default = (await session.execute(text("SHOW statement_timeout"))).scalar_one()
    assert default == "30s"
    database = Database(settings.database_url, statement_timeout_ms=50)
    try:
        async with database.reading() as session:
            with pytest.raises(DBAPIError, match="statement timeout"):
                await session.execute(text("SELECT pg_sleep(1)"))
    finally:
        await database.dispose()


def test_limits_come_from_settings() -> None:
    with pytest.raises(SettingsError, match="OMS_COST_BUCKET_SIZE"):
        Settings.from_env({"OMS_MAX_QUERY_COST": "3000"})
    with pytest.raises(SettingsError, match="OMS_MAX_QUERY_DEPTH"):
        Settings.from_env({"OMS_MAX_QUERY_DEPTH": "0"})
    assert Settings.from_env({"OMS_STATEMENT_TIMEOUT_MS": "0"}).statement_timeout_ms == 0


def test_buckets_restore_at_their_rate() -> None:
    now = [0.0]
    buckets = CostBuckets(100, 10, clock=lambda: now[0])

    assert buckets.take("a", 80)
    assert not buckets.take("a", 30)
    now[0] = 1.0
    assert buckets.take("a", 30)
    assert buckets.available("a") == 0
    now[0] = 100.0
    assert buckets.available("a") == 100
    assert buckets.available("b") == 100


PROTOCOL = ["graphql-transport-ws"]


def _subscribe(settings: Settings, query: str) -> dict[str, Any]:
    token = mint_token(settings, scopes=["read_orders", "read_inventory", "read_locations"])
    with (
        TestClient(create_app(settings)) as client,
        client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
        message: dict[str, Any] = ws.receive_json()
        return message


@pytest.mark.parametrize(
    ("selection", "code", "words"),
    [
        ("location { " + nested_levels(6) + " }", "GRAPHQL_VALIDATION_FAILED", "depth"),
        (
            "location { inventoryLevels(first: 250) { nodes { item {"
            " inventoryLevels(first: 250) { nodes { id } } } } } }",
            "MAX_COST_EXCEEDED",
            "more than the maximum",
        ),
    ],
)
def test_an_over_limit_subscription_gets_an_error_message(
    settings: Settings, selection: str, code: str, words: str
) -> None:
    message = _subscribe(
        settings, "subscription { inventoryChanged { inventoryLevel { " + selection + " } } }"
    )

    assert (message["id"], message["type"]) == ("1", "error")
    assert [error["extensions"]["code"] for error in message["payload"]] == [code]
    assert words in message["payload"][0]["message"]
