"""Locations end to end: add, edit, activate/deactivate, validation, reads and paging."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from oms_graphql.db import Database
from tests.api import Api
from tests.factories import a_location, count_rows, row

ADD = """
mutation Add($input: LocationAddInput!) {
  locationAdd(input: $input) {
    location {
      id name kind isActive fulfillsOnlineOrders pickupEnabled priority dailyOrderCapacity
      address { address1 city zip countryCode latitude longitude }
    }
    userErrors { field message code }
  }
}
"""

EDIT = """
mutation Edit($id: ID!, $input: LocationEditInput!) {
  locationEdit(id: $id, input: $input) {
    location { id name priority dailyOrderCapacity pickupEnabled
               address { address1 city countryCode latitude longitude } }
    userErrors { field message code }
  }
}
"""

LIST = """
query List($first: Int, $after: String, $last: Int, $before: String,
           $sortKey: LocationSortKeys! = ID, $reverse: Boolean! = false) {
  locations(first: $first, after: $after, last: $last, before: $before,
            sortKey: $sortKey, reverse: $reverse) {
    edges { cursor node { id name priority } }
    nodes { id }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

BERLIN: dict[str, Any] = {
    "name": "Berlin Mitte Store",
    "kind": "STORE",
    "pickupEnabled": True,
    "priority": 5,
    "dailyOrderCapacity": 200,
    "address": {
        "address1": "Rosenthaler Str. 40",
        "city": "Berlin",
        "zip": "10178",
        "countryCode": "de",
        "latitude": 52.52,
        "longitude": 13.405,
    },
}


def gid(pk: int) -> str:
    return f"gid://oms/Location/{pk}"


async def test_location_add_stores_everything_and_returns_it(api: Api, sync_engine: Engine) -> None:
    result = await api.gql(ADD, {"input": BERLIN})

    payload = result.ok()["locationAdd"]
    assert payload["userErrors"] == []
    location = payload["location"]
    assert location["id"] == gid(1)
    assert location["kind"] == "STORE"
    assert location["isActive"] is True
    assert location["fulfillsOnlineOrders"] is True
    assert location["address"] == {
        "address1": "Rosenthaler Str. 40",
        "city": "Berlin",
        "zip": "10178",
        "countryCode": "DE",
        "latitude": 52.52,
        "longitude": 13.405,
    }
    stored = row(sync_engine, "locations", 1)
    assert stored["name"] == "Berlin Mitte Store"
    assert stored["country_code"] == "DE"
    assert stored["daily_order_capacity"] == 200


async def test_location_add_defaults(api: Api) -> None:
    result = await api.gql(ADD, {"input": {"name": "Depot", "address": {"countryCode": "IT"}}})

    location = result.ok()["locationAdd"]["location"]
    assert location["kind"] == "WAREHOUSE"
    assert location["pickupEnabled"] is False
    assert location["priority"] == 0
    assert location["dailyOrderCapacity"] is None
    assert location["address"]["latitude"] is None


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"name": ""}, ["input", "name"], "BLANK"),
        ({"name": "   "}, ["input", "name"], "BLANK"),
        ({"name": "x" * 256}, ["input", "name"], "TOO_LONG"),
        (
            {"address": {"countryCode": "IT", "latitude": 200, "longitude": 9}},
            ["input", "address", "latitude"],
            "OUT_OF_RANGE",
        ),
        (
            {"address": {"countryCode": "IT", "latitude": 45, "longitude": -180.5}},
            ["input", "address", "longitude"],
            "OUT_OF_RANGE",
        ),
        (
            {"address": {"countryCode": "IT", "latitude": 45}},
            ["input", "address", "longitude"],
            "INVALID",
        ),
        ({"address": {"countryCode": "XX"}}, ["input", "address", "countryCode"], "INVALID"),
        ({"address": {"city": "Nowhere"}}, ["input", "address", "countryCode"], "BLANK"),
        ({"dailyOrderCapacity": -1}, ["input", "dailyOrderCapacity"], "OUT_OF_RANGE"),
        (
            {"address": {"countryCode": "IT", "zip": "1" * 33}},
            ["input", "address", "zip"],
            "TOO_LONG",
        ),
    ],
)
async def test_location_add_refuses_bad_input_and_writes_nothing(
    api: Api, sync_engine: Engine, change: dict[str, Any], field: list[str], code: str
) -> None:
    result = await api.gql(ADD, {"input": {**BERLIN, **change}})

    payload = result.ok()["locationAdd"]
    assert payload["location"] is None
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in payload["userErrors"]
    ]
    assert all(e["message"] for e in payload["userErrors"])
    assert count_rows(sync_engine, "locations") == 0


async def test_location_add_reports_every_problem_at_once(api: Api) -> None:
    bad = {"name": "", "address": {"countryCode": "IT", "latitude": 200, "longitude": 500}}

    payload = (await api.gql(ADD, {"input": bad})).ok()["locationAdd"]

    assert sorted(e["code"] for e in payload["userErrors"]) == [
        "BLANK",
        "OUT_OF_RANGE",
        "OUT_OF_RANGE",
    ]


async def test_location_names_are_unique_ignoring_case(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_location(database, name="Milano Warehouse")

    payload = (await api.gql(ADD, {"input": {**BERLIN, "name": "milano warehouse"}})).ok()[
        "locationAdd"
    ]

    assert payload["userErrors"][0]["code"] == "TAKEN"
    assert payload["userErrors"][0]["field"] == ["input", "name"]
    assert count_rows(sync_engine, "locations") == 1


async def test_name_uniqueness_folds_case_beyond_ascii(api: Api, database: Database) -> None:
    await a_location(database, name="ÄPFEL LAGER")

    payload = (await api.gql(ADD, {"input": {**BERLIN, "name": "äpfel lager"}})).ok()["locationAdd"]

    assert [e["code"] for e in payload["userErrors"]] == ["TAKEN"]


async def test_location_edit_changes_only_what_is_given(api: Api, database: Database) -> None:
    location = await a_location(database, name="Depot", latitude=45.0, longitude=9.0)

    result = await api.gql(
        EDIT,
        {
            "id": gid(location.id),
            "input": {"priority": 7, "address": {"city": "Milano", "address1": "Via Roma 1"}},
        },
    )

    edited = result.ok()["locationEdit"]["location"]
    assert edited["name"] == "Depot"
    assert edited["priority"] == 7
    assert edited["address"] == {
        "address1": "Via Roma 1",
        "city": "Milano",
        "countryCode": "IT",
        "latitude": 45.0,
        "longitude": 9.0,
    }


async def test_location_edit_null_capacity_removes_the_limit(api: Api, database: Database) -> None:
    location = await a_location(database, daily_order_capacity=10)

    result = await api.gql(EDIT, {"id": gid(location.id), "input": {"dailyOrderCapacity": None}})

    assert result.ok()["locationEdit"]["location"]["dailyOrderCapacity"] is None


async def test_location_edit_can_clear_coordinates_together(api: Api, database: Database) -> None:
    location = await a_location(database)

    result = await api.gql(
        EDIT, {"id": gid(location.id), "input": {"address": {"latitude": None, "longitude": None}}}
    )

    address = result.ok()["locationEdit"]["location"]["address"]
    assert (address["latitude"], address["longitude"]) == (None, None)


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"name": None}, ["input", "name"], "BLANK"),
        ({"priority": None}, ["input", "priority"], "INVALID"),
        ({"address": {"latitude": -91}}, ["input", "address", "latitude"], "OUT_OF_RANGE"),
        ({"address": {"longitude": None}}, ["input", "address", "longitude"], "INVALID"),
        ({"address": {"countryCode": ""}}, ["input", "address", "countryCode"], "BLANK"),
    ],
)
async def test_location_edit_refuses_bad_input_and_changes_nothing(
    api: Api,
    database: Database,
    sync_engine: Engine,
    change: dict[str, Any],
    field: list[str],
    code: str,
) -> None:
    location = await a_location(database, name="Depot", priority=3)
    before = row(sync_engine, "locations", location.id)

    payload = (await api.gql(EDIT, {"id": gid(location.id), "input": change})).ok()["locationEdit"]

    assert payload["location"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    assert row(sync_engine, "locations", location.id) == before


async def test_location_edit_to_a_taken_name_is_refused(api: Api, database: Database) -> None:
    await a_location(database, name="North")
    south = await a_location(database, name="South")

    payload = (await api.gql(EDIT, {"id": gid(south.id), "input": {"name": "NORTH"}})).ok()[
        "locationEdit"
    ]

    assert payload["userErrors"][0]["code"] == "TAKEN"


async def test_location_edit_may_keep_its_own_name(api: Api, database: Database) -> None:
    location = await a_location(database, name="South")

    payload = (await api.gql(EDIT, {"id": gid(location.id), "input": {"name": "south"}})).ok()[
        "locationEdit"
    ]

    assert payload["userErrors"] == []
    assert payload["location"]["name"] == "south"


async def test_location_edit_of_a_missing_location_is_not_found(api: Api) -> None:
    payload = (await api.gql(EDIT, {"id": gid(99), "input": {"priority": 1}})).ok()["locationEdit"]

    assert payload["userErrors"] == [
        {"field": ["id"], "message": "location not found", "code": "NOT_FOUND"}
    ]


async def test_deactivate_and_activate(api: Api, database: Database, sync_engine: Engine) -> None:
    location = await a_location(database)
    toggle = """
    mutation($id: ID!) {
      off: locationDeactivate(id: $id) { location { isActive } userErrors { code } }
      again: locationDeactivate(id: $id) { location { isActive } userErrors { code } }
    }"""

    data = (await api.gql(toggle, {"id": gid(location.id)})).ok()
    assert data["off"] == {"location": {"isActive": False}, "userErrors": []}
    assert data["again"] == {"location": {"isActive": False}, "userErrors": []}
    assert row(sync_engine, "locations", location.id)["is_active"] in (False, 0)

    activate = "mutation($id: ID!) { locationActivate(id: $id) { location { isActive } } }"
    data = (await api.gql(activate, {"id": gid(location.id)})).ok()
    assert data["locationActivate"]["location"]["isActive"] is True


async def test_activate_missing_location_is_not_found(api: Api) -> None:
    query = (
        'mutation { locationActivate(id: "gid://oms/Location/5") { userErrors { field code } } }'
    )

    data = (await api.gql(query)).ok()

    assert data["locationActivate"]["userErrors"] == [{"field": ["id"], "code": "NOT_FOUND"}]


async def test_location_by_id(api: Api, database: Database) -> None:
    location = await a_location(database, name="Depot", latitude=41.9, longitude=12.5)
    query = "query($id: ID!) { location(id: $id) { id name address { latitude longitude } } }"

    data = (await api.gql(query, {"id": gid(location.id)})).ok()
    missing = (await api.gql(query, {"id": gid(location.id + 1)})).ok()

    assert data["location"] == {
        "id": gid(location.id),
        "name": "Depot",
        "address": {"latitude": 41.9, "longitude": 12.5},
    }
    assert missing["location"] is None


@pytest.mark.parametrize(
    "bad_id",
    [
        "nonsense",
        "gid://oms/Location/abc",
        "gid://oms/Location/0",
        "gid://shop/Location/1",
        "gid://oms/Order/1",
        "gid://oms/Location/99999999999999999999",
    ],
)
async def test_malformed_or_foreign_ids_are_bad_user_input(api: Api, bad_id: str) -> None:
    result = await api.gql("query($id: ID!) { location(id: $id) { id } }", {"id": bad_id})

    assert result.status == 200
    assert result.data == {"location": None}
    assert result.error_codes == ["BAD_USER_INPUT"]


async def test_mutation_with_malformed_id_is_bad_user_input(api: Api) -> None:
    result = await api.gql(EDIT, {"id": "gid://oms/Location/x", "input": {"priority": 1}})

    assert result.error_codes == ["BAD_USER_INPUT"]


async def _add_named(database: Database, names: list[str]) -> None:
    for priority, name in enumerate(names):
        await a_location(database, name=name, priority=priority % 3)


async def _walk(api: Api, *, forwards: bool, size: int, **variables: Any) -> list[str]:
    """Every name, page by page, in display order."""
    seen: list[str] = []
    cursor: str | None = None
    while True:
        page_args = (
            {"first": size, "after": cursor} if forwards else {"last": size, "before": cursor}
        )
        data = (await api.gql(LIST, {**variables, **page_args})).ok()["locations"]
        names = [edge["node"]["name"] for edge in data["edges"]]
        seen = seen + names if forwards else names + seen
        info = data["pageInfo"]
        more = info["hasNextPage"] if forwards else info["hasPreviousPage"]
        if not more:
            return seen
        cursor = info["endCursor"] if forwards else info["startCursor"]


@pytest.mark.parametrize("sort_key", ["ID", "NAME", "PRIORITY", "CREATED_AT"])
@pytest.mark.parametrize("reverse", [False, True])
async def test_paging_forwards_and_backwards_agree(
    api: Api, database: Database, sort_key: str, reverse: bool
) -> None:
    names = ["delta", "alpha", "echo", "charlie", "bravo", "golf", "foxtrot"]
    await _add_named(database, names)

    forwards = await _walk(api, forwards=True, size=3, sortKey=sort_key, reverse=reverse)
    backwards = await _walk(api, forwards=False, size=2, sortKey=sort_key, reverse=reverse)
    everything = (
        await api.gql(LIST, {"first": 250, "sortKey": sort_key, "reverse": reverse})
    ).ok()["locations"]

    in_one_page = [edge["node"]["name"] for edge in everything["edges"]]
    assert forwards == backwards == in_one_page
    assert sorted(in_one_page) == sorted(names)
    if sort_key == "NAME":
        assert in_one_page == sorted(names, reverse=reverse)


async def test_paging_is_stable_while_rows_are_inserted(api: Api, database: Database) -> None:
    await _add_named(database, ["b", "d", "f", "h"])
    first = (await api.gql(LIST, {"first": 2, "sortKey": "NAME"})).ok()["locations"]
    assert [e["node"]["name"] for e in first["edges"]] == ["b", "d"]

    await _add_named(database, ["a", "c", "e"])
    second = (
        await api.gql(
            LIST, {"first": 2, "after": first["pageInfo"]["endCursor"], "sortKey": "NAME"}
        )
    ).ok()["locations"]

    assert [e["node"]["name"] for e in second["edges"]] == ["e", "f"]
    assert second["pageInfo"]["hasPreviousPage"] is True


async def test_cursor_of_another_sort_key_is_refused(api: Api, database: Database) -> None:
    await _add_named(database, ["a", "b", "c"])
    page = (await api.gql(LIST, {"first": 1, "sortKey": "NAME"})).ok()["locations"]

    result = await api.gql(
        LIST, {"first": 1, "after": page["pageInfo"]["endCursor"], "sortKey": "ID"}
    )

    assert result.error_codes == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    "variables",
    [
        {"first": 251},
        {"first": 10000},
        {"last": 251},
        {"first": -1},
        {"first": 1, "last": 1},
        {"first": 1, "after": "not-a-cursor"},
    ],
)
async def test_bad_page_arguments_are_bad_user_input(api: Api, variables: dict[str, Any]) -> None:
    result = await api.gql(LIST, variables)

    assert result.data is None
    assert result.error_codes == ["BAD_USER_INPUT"]


async def test_first_250_is_allowed(api: Api) -> None:
    assert (await api.gql(LIST, {"first": 250})).ok()["locations"]["edges"] == []


async def test_a_page_costs_one_statement_whatever_its_size(api: Api, database: Database) -> None:
    await _add_named(database, [f"loc-{i:03}" for i in range(30)])

    small = await api.gql(LIST, {"first": 1})
    large = await api.gql(LIST, {"first": 30})

    assert len(large.ok()["locations"]["nodes"]) == 30
    assert small.statements == large.statements == 1


async def test_node_and_nodes_resolve_locations_in_one_batch(api: Api, database: Database) -> None:
    locations = [await a_location(database, name=f"n{i}") for i in range(5)]
    ids = [gid(loc.id) for loc in locations] + [gid(999)]
    query = """query($id: ID!, $ids: [ID!]!) {
      node(id: $id) { id ... on Location { name } }
      nodes(ids: $ids) { id ... on Location { name } }
    }"""

    result = await api.gql(query, {"id": ids[0], "ids": ids})

    data = result.ok()
    assert data["node"] == {"id": ids[0], "name": "n0"}
    assert [n and n["name"] for n in data["nodes"]] == ["n0", "n1", "n2", "n3", "n4", None]
    assert result.statements == 1


async def test_node_hides_objects_the_token_may_not_read(api: Api, database: Database) -> None:
    location = await a_location(database)
    token = api.token("read_orders")

    result = await api.gql(
        "query($id: ID!) { node(id: $id) { id } }", {"id": gid(location.id)}, token=token
    )

    assert result.ok() == {"node": None}


async def test_nodes_refuses_more_than_250_ids(api: Api) -> None:
    result = await api.gql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [gid(1)] * 251}
    )

    assert result.error_codes == ["BAD_USER_INPUT"]


async def test_node_of_an_unknown_type_is_bad_user_input(api: Api) -> None:
    result = await api.gql('{ node(id: "gid://oms/Spaceship/1") { id } }')

    assert result.error_codes == ["BAD_USER_INPUT"]
