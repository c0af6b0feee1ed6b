"""Channels, the channels a location serves, and location search."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from oms_graphql.db import Database
from oms_graphql.demo import load_demo
from oms_graphql.models import ChannelKind, LocationKind
from tests.api import Api
from tests.factories import a_channel, a_location, count_rows

CREATE = """
mutation($input: ChannelCreateInput!) {
  channelCreate(input: $input) {
    channel { id handle name kind allowSplitShipments }
    userErrors { field message code }
  }
}
"""
UPDATE = """
mutation($handle: String!, $input: ChannelUpdateInput!) {
  channelUpdate(handle: $handle, input: $input) {
    channel { handle name allowSplitShipments }
    userErrors { field code }
  }
}
"""


async def test_channel_create_and_read(api: Api) -> None:
    created = await api.gql(
        CREATE,
        {
            "input": {
                "handle": "amazon-it",
                "name": "Amazon Italy",
                "kind": "MARKETPLACE",
                "allowSplitShipments": False,
            }
        },
    )
    read = await api.gql(
        '{ channel(handle: "amazon-it") { id name } channels { nodes { handle } } }'
    )

    assert created.ok()["channelCreate"] == {
        "channel": {
            "id": "gid://oms/Channel/1",
            "handle": "amazon-it",
            "name": "Amazon Italy",
            "kind": "MARKETPLACE",
            "allowSplitShipments": False,
        },
        "userErrors": [],
    }
    assert read.ok() == {
        "channel": {"id": "gid://oms/Channel/1", "name": "Amazon Italy"},
        "channels": {"nodes": [{"handle": "amazon-it"}]},
    }


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"handle": "Web"}, ["input", "handle"], "INVALID"),
        ({"handle": "-web"}, ["input", "handle"], "INVALID"),
        ({"handle": "web shop"}, ["input", "handle"], "INVALID"),
        ({"handle": "w" * 65}, ["input", "handle"], "INVALID"),
        ({"handle": "taken"}, ["input", "handle"], "TAKEN"),
        ({"name": " "}, ["input", "name"], "BLANK"),
    ],
)
async def test_channel_create_refuses_bad_input(
    api: Api,
    database: Database,
    sync_engine: Engine,
    change: dict[str, Any],
    field: list[str],
    code: str,
) -> None:
    await a_channel(database, handle="taken")

    payload = (
        await api.gql(CREATE, {"input": {"handle": "web", "name": "Web", "kind": "WEB", **change}})
    ).ok()["channelCreate"]

    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    assert count_rows(sync_engine, "channels") == 1


async def test_channel_update_changes_name_and_splits_never_the_handle(
    api: Api, database: Database
) -> None:
    await a_channel(database, handle="web")

    payload = (
        await api.gql(
            UPDATE, {"handle": "web", "input": {"name": "Shop", "allowSplitShipments": False}}
        )
    ).ok()["channelUpdate"]
    missing = (await api.gql(UPDATE, {"handle": "nope", "input": {"name": "X"}})).ok()

    assert payload == {
        "channel": {"handle": "web", "name": "Shop", "allowSplitShipments": False},
        "userErrors": [],
    }
    assert missing["channelUpdate"]["userErrors"] == [{"field": ["handle"], "code": "NOT_FOUND"}]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"name": None}, ["input", "name"], "BLANK"),
        ({"allowSplitShipments": None}, ["input", "allowSplitShipments"], "INVALID"),
    ],
)
async def test_channel_update_refuses_nulls_and_changes_nothing(
    api: Api, database: Database, change: dict[str, Any], field: list[str], code: str
) -> None:
    await a_channel(database, handle="web")

    payload = (await api.gql(UPDATE, {"handle": "web", "input": change})).ok()["channelUpdate"]
    after = (await api.gql('{ channel(handle: "web") { name allowSplitShipments } }')).ok()

    assert payload["userErrors"] == [{"field": field, "code": code}]
    assert after == {"channel": {"name": "Web", "allowSplitShipments": True}}


async def test_channels_need_settings_scopes(api: Api) -> None:
    read = await api.gql("{ channels { nodes { id } } }", token=api.token("read_orders"))
    write = await api.gql(
        CREATE,
        {"input": {"handle": "web", "name": "Web", "kind": "WEB"}},
        token=api.token("read_settings"),
    )

    assert read.error_codes == ["FORBIDDEN"]
    assert write.error_codes == ["FORBIDDEN"]


LOCATION_CHANNELS = """
mutation($input: LocationAddInput!) {
  locationAdd(input: $input) { location { id channels { handle } } userErrors { field code } }
}
"""


async def test_a_location_names_the_channels_it_serves(api: Api, database: Database) -> None:
    await a_channel(database, handle="web")
    await a_channel(database, handle="pos", kind=ChannelKind.POS)
    base = {"name": "Store", "address": {"countryCode": "IT"}}

    served = await api.gql(
        LOCATION_CHANNELS, {"input": {**base, "channels": ["pos", "web", "pos"]}}
    )
    unknown = await api.gql(
        LOCATION_CHANNELS, {"input": {**base, "name": "Other", "channels": ["web", "ebay"]}}
    )

    location = served.ok()["locationAdd"]["location"]
    assert sorted(c["handle"] for c in location["channels"]) == ["pos", "web"]
    assert unknown.ok()["locationAdd"]["userErrors"] == [
        {"field": ["input", "channels", "1"], "code": "CHANNEL_NOT_FOUND"}
    ]

    cleared = await api.gql(
        """mutation($id: ID!) { locationEdit(id: $id, input: {channels: null}) {
             location { channels { handle } } } }""",
        {"id": location["id"]},
    )
    assert cleared.ok()["locationEdit"]["location"]["channels"] == []


async def test_channels_of_many_locations_cost_one_statement(api: Api, database: Database) -> None:
    web = await a_channel(database, handle="web")
    for i in range(6):
        await a_location(database, name=f"S{i}", channels=[web.handle])

    result = await api.gql("{ locations(first: 10) { nodes { name channels { handle } } } }")

    assert all(n["channels"] == [{"handle": "web"}] for n in result.ok()["locations"]["nodes"])
    assert result.statements == 2


async def _places(database: Database) -> None:
    await a_channel(database, handle="web")
    await a_channel(database, handle="pos", kind=ChannelKind.POS)
    await a_location(database, name="Milano Warehouse", priority=10)
    await a_location(
        database,
        name="Roma Store",
        kind=LocationKind.STORE,
        pickup_enabled=True,
        priority=5,
        channels=["pos"],
    )
    await a_location(
        database,
        name="Berlin Store",
        kind=LocationKind.STORE,
        country_code="DE",
        latitude=52.5,
        longitude=13.4,
        priority=5,
        channels=["pos", "web"],
    )
    berlin_3pl = await a_location(
        database,
        name="Berlin 3PL",
        kind=LocationKind.FULFILLMENT_SERVICE,
        country_code="DE",
        latitude=52.4,
        longitude=13.3,
    )
    async with database.transaction() as session:
        from oms_graphql.locations.service import set_active

        await set_active(session, location_id=berlin_3pl.id, active=False)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind:store", ["Roma Store", "Berlin Store"]),
        ("kind:STORE country:DE", ["Berlin Store"]),
        ("-kind:store", ["Milano Warehouse", "Berlin 3PL"]),
        ("active:false", ["Berlin 3PL"]),
        ("pickup_enabled:true", ["Roma Store"]),
        ("priority:>=5", ["Milano Warehouse", "Roma Store", "Berlin Store"]),
        ("priority:<5", ["Berlin 3PL"]),
        ("channel:web", ["Milano Warehouse", "Berlin Store", "Berlin 3PL"]),
        ("channel:pos -kind:warehouse", ["Roma Store", "Berlin Store", "Berlin 3PL"]),
        ("berlin", ["Berlin Store", "Berlin 3PL"]),
        ('name:"Roma Store"', ["Roma Store"]),
        ("name:berlin*", ["Berlin Store", "Berlin 3PL"]),
    ],
)
async def test_location_search(
    api: Api, database: Database, query: str, expected: list[str]
) -> None:
    await _places(database)

    search = """query($q: String) {
      locations(first: 20, query: $q) { nodes { name } }
      locationsCount(query: $q) { count }
    }"""
    data = (
        await api.gql(
            search,
            {"q": query},
        )
    ).ok()

    assert [n["name"] for n in data["locations"]["nodes"]] == expected
    assert data["locationsCount"]["count"] == len(expected)


async def test_location_search_refuses_unknown_kinds(api: Api) -> None:
    result = await api.gql('{ locations(query: "kind:castle") { nodes { id } } }')

    assert result.error_codes == ["BAD_USER_INPUT"]
    assert "castle" in result.errors[0]["message"]


async def test_the_demo_leaves_a_database_with_channels_alone(database: Database) -> None:
    await a_channel(database, handle="web")

    assert await load_demo(database) is False
