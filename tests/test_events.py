"""The event outbox: one event per committed change, none for rolled-back ones, never skipped."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from oms_graphql.db import Database
from oms_graphql.events import EventType, outbox, record_event
from oms_graphql.events import repository as events_repository
from oms_graphql.ids import GlobalId
from oms_graphql.paging import PageRequest
from tests.api import Api
from tests.factories import a_customer, a_location, count_rows, events_of

FEED = """
query Feed($first: Int, $after: String, $last: Int, $before: String,
           $types: [EventType!], $subjectId: ID) {
  events(first: $first, after: $after, last: $last, before: $before,
         types: $types, subjectId: $subjectId) {
    edges { cursor node { id cursor type subjectId actor data occurredAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
ADD = """mutation($input: LocationAddInput!) {
  locationAdd(input: $input) { location { id } userErrors { code } } }"""


async def test_each_committed_mutation_leaves_its_event(api: Api, sync_engine: Engine) -> None:
    token = api.token("write_locations", subject="staff-7")
    added = await api.gql(
        ADD, {"input": {"name": "Depot", "address": {"countryCode": "IT"}}}, token=token
    )
    location_id = added.ok()["locationAdd"]["location"]["id"]
    await api.gql(
        "mutation($id: ID!) { locationEdit(id: $id, input: {priority: 3}) { location { id } } }",
        {"id": location_id},
        token=token,
    )
    await api.gql(
        "mutation($id: ID!) { locationDeactivate(id: $id) { userErrors { code } } }",
        {"id": location_id},
        token=token,
    )

    feed = (await api.gql(FEED, {"first": 10})).ok()["events"]["edges"]

    assert [(e["node"]["type"], e["node"]["subjectId"]) for e in feed] == [
        ("LOCATION_CREATED", location_id),
        ("LOCATION_UPDATED", location_id),
        ("LOCATION_DEACTIVATED", location_id),
    ]
    assert feed[1]["node"]["data"] == {"changed": ["priority"]}
    assert {e["node"]["actor"] for e in feed} == {"staff-7"}
    assert [e["cursor"] for e in feed] == [e["node"]["cursor"] for e in feed]


async def test_a_refused_mutation_leaves_no_event(api: Api, sync_engine: Engine) -> None:
    await api.gql(ADD, {"input": {"name": "", "address": {"countryCode": "IT"}}})

    assert count_rows(sync_engine, "events") == 0


async def test_a_mutation_that_fails_after_writing_its_event_leaves_nothing(
    api: Api, sync_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_append = outbox.repository.append

    async def append_then_fail(*args: Any, **kwargs: Any) -> None:
        await real_append(*args, **kwargs)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(outbox.repository, "append", append_then_fail)

    result = await api.gql(ADD, {"input": {"name": "Depot", "address": {"countryCode": "IT"}}})

    assert result.error_codes == ["INTERNAL_SERVER_ERROR"]
    assert count_rows(sync_engine, "events") == 0
    assert count_rows(sync_engine, "locations") == 0


async def test_the_feed_pages_forwards_and_backwards(api: Api, database: Database) -> None:
    for i in range(7):
        await a_location(database, name=f"L{i}")

    forwards: list[str] = []
    cursor = None
    while True:
        page = (await api.gql(FEED, {"first": 3, "after": cursor})).ok()["events"]
        forwards += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["pageInfo"]["endCursor"]
    last_two = (await api.gql(FEED, {"last": 2})).ok()["events"]

    assert len(forwards) == 7
    assert [e["node"]["id"] for e in last_two["edges"]] == forwards[-2:]
    assert last_two["pageInfo"]["hasPreviousPage"] is True


async def test_reading_after_the_last_cursor_picks_up_new_events(
    api: Api, database: Database
) -> None:
    await a_location(database, name="first")
    page = (await api.gql(FEED, {"first": 10})).ok()["events"]
    await a_location(database, name="second")

    following = (await api.gql(FEED, {"first": 10, "after": page["pageInfo"]["endCursor"]})).ok()

    assert [e["node"]["type"] for e in following["events"]["edges"]] == ["LOCATION_CREATED"]


async def test_the_feed_filters_by_type_and_subject(api: Api, database: Database) -> None:
    kept = await a_location(database, name="kept")
    await a_location(database, name="other")
    await a_customer(database)
    subject = f"gid://oms/Location/{kept.id}"

    customers_only = (await api.gql(FEED, {"first": 10, "types": ["CUSTOMER_CREATED"]})).ok()
    one_subject = (await api.gql(FEED, {"first": 10, "subjectId": subject})).ok()

    assert [e["node"]["type"] for e in customers_only["events"]["edges"]] == ["CUSTOMER_CREATED"]
    assert [e["node"]["subjectId"] for e in one_subject["events"]["edges"]] == [subject]


async def test_the_feed_shows_only_events_about_what_the_token_can_read(
    api: Api, database: Database
) -> None:
    await a_location(database)
    await a_customer(database)

    as_location_reader = await api.gql(FEED, {"first": 10}, token=api.token("read_locations"))
    as_nobody = await api.gql(FEED, {"first": 10}, token=api.token("read_orders"))
    anonymous = await api.gql(FEED, {"first": 10}, token=None)

    types = [e["node"]["type"] for e in as_location_reader.ok()["events"]["edges"]]
    assert types == ["LOCATION_CREATED"]
    assert as_nobody.ok()["events"]["edges"] == []
    assert anonymous.error_codes == ["UNAUTHENTICATED"]


async def test_events_resolve_by_id_and_their_subject(api: Api, database: Database) -> None:
    location = await a_location(database, name="Depot")
    query = """query($id: ID!) { node(id: $id) { ... on Event {
        type subject { id ... on Location { name } } } } }"""

    as_admin = (await api.gql(query, {"id": "gid://oms/Event/1"})).ok()
    as_stranger = (
        await api.gql(query, {"id": "gid://oms/Event/1"}, token=api.token("read_customers"))
    ).ok()

    assert as_admin["node"] == {
        "type": "LOCATION_CREATED",
        "subject": {"id": f"gid://oms/Location/{location.id}", "name": "Depot"},
    }
    assert as_stranger["node"] is None


async def test_events_from_a_transaction_still_running_are_held_back(
    database: Database, sync_engine: Engine
) -> None:
    """A later id may commit first (PostgreSQL); readers must not move past the earlier one."""
    if database.dialect != "postgresql":
        pytest.skip("SQLite serializes writers: ids are assigned in commit order")
    readable = ["Location"]

    async def read_ids() -> list[int]:
        async with database.reading() as session:
            page = await events_repository.page(
                session, request=PageRequest(first=10), subject_types=readable
            )
        return [event.id for _, event in page.edges]

    async with database.transaction() as slow:
        await record_event(slow, EventType.LOCATION_CREATED, GlobalId("Location", 1), {})
        async with database.transaction() as fast:
            await record_event(fast, EventType.LOCATION_CREATED, GlobalId("Location", 2), {})
        ids_by_commit = [e["id"] for e in events_of(sync_engine)]
        assert ids_by_commit == [2]  # the later id is committed, the earlier one is not
        assert await read_ids() == []
    assert await read_ids() == [1, 2]
