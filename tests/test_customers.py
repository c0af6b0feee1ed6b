"""Customers: create, update with versions, validation, tags, search, sorting and paging."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from oms_graphql.db import Database
from tests.api import Api
from tests.factories import a_customer, count_rows, row

CREATE = """
mutation Create($input: CustomerInput!, $key: String) {
  customerCreate(input: $input, idempotencyKey: $key) {
    customer { id email firstName lastName displayName phone tags version numberOfOrders
               defaultAddress { firstName city countryCode latitude longitude } }
    userErrors { field message code }
  }
}
"""

UPDATE = """
mutation Update($id: ID!, $input: CustomerInput!, $version: Int) {
  customerUpdate(id: $id, input: $input, expectedVersion: $version) {
    customer { id email firstName lastName tags version defaultAddress { city countryCode } }
    userErrors { field message code }
  }
}
"""

LIST = """
query List($first: Int, $after: String, $last: Int, $before: String, $query: String,
           $sortKey: CustomerSortKeys! = ID, $reverse: Boolean! = false) {
  customers(first: $first, after: $after, last: $last, before: $before, query: $query,
            sortKey: $sortKey, reverse: $reverse) {
    edges { cursor node { id email displayName tags } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

MARIA: dict[str, Any] = {
    "email": "  Maria.Rossi@Example.COM ",
    "firstName": "Maria",
    "lastName": "Rossi",
    "phone": "+39 02 1234 5678",
    "tags": ["vip", "VIP", " newsletter "],
    "defaultAddress": {
        "firstName": "Maria",
        "city": "Milano",
        "countryCode": "it",
        "latitude": 45.46,
        "longitude": 9.19,
    },
}


def gid(pk: int) -> str:
    return f"gid://oms/Customer/{pk}"


async def test_customer_create(api: Api, sync_engine: Engine) -> None:
    payload = (await api.gql(CREATE, {"input": MARIA})).ok()["customerCreate"]

    assert payload["userErrors"] == []
    assert payload["customer"] == {
        "id": gid(1),
        "email": "maria.rossi@example.com",
        "firstName": "Maria",
        "lastName": "Rossi",
        "displayName": "Maria Rossi",
        "phone": "+39 02 1234 5678",
        "tags": ["newsletter", "vip"],
        "version": 1,
        "numberOfOrders": 0,
        "defaultAddress": {
            "firstName": "Maria",
            "city": "Milano",
            "countryCode": "IT",
            "latitude": 45.46,
            "longitude": 9.19,
        },
    }
    assert row(sync_engine, "customers", 1)["sort_name"] == "maria rossi"
    assert count_rows(sync_engine, "customer_tags") == 2


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"email": "not-an-email"}, ["input", "email"], "INVALID"),
        ({"email": "a@b"}, ["input", "email"], "INVALID"),
        ({"email": ""}, ["input", "email"], "BLANK"),
        ({"email": None}, ["input", "email"], "BLANK"),
        ({"phone": "call me"}, ["input", "phone"], "INVALID"),
        ({"firstName": "x" * 256}, ["input", "firstName"], "TOO_LONG"),
        (
            {"defaultAddress": {"countryCode": "XX"}},
            ["input", "defaultAddress", "countryCode"],
            "INVALID",
        ),
        (
            {"defaultAddress": {"countryCode": "IT", "latitude": 91, "longitude": 0}},
            ["input", "defaultAddress", "latitude"],
            "OUT_OF_RANGE",
        ),
        ({"tags": ["ok", " "]}, ["input", "tags", "1"], "BLANK"),
        ({"tags": ["t" * 256]}, ["input", "tags", "0"], "TOO_LONG"),
    ],
)
async def test_customer_create_refuses_bad_input_and_writes_nothing(
    api: Api, sync_engine: Engine, change: dict[str, Any], field: list[str], code: str
) -> None:
    payload = (await api.gql(CREATE, {"input": {**MARIA, **change}})).ok()["customerCreate"]

    assert payload["customer"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    assert count_rows(sync_engine, "customers") == 0
    assert count_rows(sync_engine, "customer_tags") == 0
    assert count_rows(sync_engine, "events") == 0


async def test_customer_email_is_unique_ignoring_case(api: Api, database: Database) -> None:
    await a_customer(database, email="maria.rossi@example.com")

    payload = (await api.gql(CREATE, {"input": MARIA})).ok()["customerCreate"]

    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "email"], "TAKEN")
    ]


async def test_customer_update_merges_and_bumps_the_version(api: Api, database: Database) -> None:
    customer = await a_customer(database, tags=["old"])

    payload = (
        await api.gql(
            UPDATE,
            {
                "id": gid(customer.id),
                "input": {
                    "firstName": "Giulia",
                    "tags": ["new"],
                    "defaultAddress": {"city": "Roma"},
                },
                "version": 1,
            },
        )
    ).ok()["customerUpdate"]

    assert payload["userErrors"] == []
    assert payload["customer"]["firstName"] == "Giulia"
    assert payload["customer"]["lastName"] == "Rossi"
    assert payload["customer"]["tags"] == ["new"]
    assert payload["customer"]["defaultAddress"] == {"city": "Roma", "countryCode": "IT"}
    assert payload["customer"]["version"] == 2


async def test_changing_only_tags_bumps_the_version(api: Api, database: Database) -> None:
    customer = await a_customer(database, tags=["a"])

    payload = (await api.gql(UPDATE, {"id": gid(customer.id), "input": {"tags": ["a", "b"]}})).ok()[
        "customerUpdate"
    ]

    assert payload["customer"]["version"] == 2


async def test_an_update_that_changes_nothing_keeps_the_version(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    customer = await a_customer(database, first_name="Maria", tags=["a"])
    events_before = count_rows(sync_engine, "events")

    payload = (
        await api.gql(
            UPDATE, {"id": gid(customer.id), "input": {"firstName": " Maria ", "tags": ["a", "a"]}}
        )
    ).ok()["customerUpdate"]

    assert payload["customer"]["version"] == 1
    assert count_rows(sync_engine, "events") == events_before


async def test_stale_version_is_refused_and_changes_nothing(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    customer = await a_customer(database)
    first = await api.gql(
        UPDATE, {"id": gid(customer.id), "input": {"firstName": "A"}, "version": 1}
    )
    assert first.ok()["customerUpdate"]["customer"]["version"] == 2

    stale = await api.gql(
        UPDATE, {"id": gid(customer.id), "input": {"firstName": "B"}, "version": 1}
    )

    payload = stale.ok()["customerUpdate"]
    assert payload["customer"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["expectedVersion"], "STALE")
    ]
    stored = row(sync_engine, "customers", customer.id)
    assert (stored["first_name"], stored["version"]) == ("A", 2)


async def test_default_address_null_clears_it(api: Api, database: Database) -> None:
    customer = await a_customer(database)

    payload = (
        await api.gql(UPDATE, {"id": gid(customer.id), "input": {"defaultAddress": None}})
    ).ok()["customerUpdate"]

    assert payload["customer"]["defaultAddress"] is None


async def test_update_of_a_missing_customer_is_not_found(api: Api) -> None:
    payload = (await api.gql(UPDATE, {"id": gid(9), "input": {"firstName": "X"}})).ok()

    assert payload["customerUpdate"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_customer_scopes(api: Api, database: Database) -> None:
    customer = await a_customer(database)
    query = "query($id: ID!) { customer(id: $id) { email } }"

    assert (
        await api.gql(query, {"id": gid(customer.id)}, token=api.token("read_locations"))
    ).error_codes == ["FORBIDDEN"]
    assert (await api.gql(query, {"id": gid(customer.id)}, token=api.token("write_customers"))).ok()


# --- search ---------------------------------------------------------------------------


async def _people(database: Database) -> None:
    await a_customer(
        database, email="anna@x.it", first_name="Anna", last_name="Bianchi", tags=["vip"]
    )
    await a_customer(
        database, email="bruno@x.de", first_name="Bruno", last_name="Weber", country_code="DE"
    )
    await a_customer(
        database, email="carla@x.it", first_name="Carla", last_name="Verdi", tags=["test", "vip"]
    )
    await a_customer(
        database,
        email="dario@x.fr",
        first_name="Dario",
        last_name="Martin",
        country_code="FR",
        tags=["wholesale"],
    )
    await a_customer(
        database, email="nobody@x.it", first_name=None, last_name=None, country_code=None
    )


async def _emails(api: Api, query: str, **variables: Any) -> list[str]:
    data = (await api.gql(LIST, {"first": 50, "query": query, **variables})).ok()["customers"]
    return [edge["node"]["email"] for edge in data["edges"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country:IT", ["anna@x.it", "carla@x.it"]),
        ("country:it", ["anna@x.it", "carla@x.it"]),
        ("-country:IT", ["bruno@x.de", "dario@x.fr", "nobody@x.it"]),
        ("tag:vip", ["anna@x.it", "carla@x.it"]),
        ("tag:VIP -tag:test", ["anna@x.it"]),
        ("tag:vip OR tag:wholesale", ["anna@x.it", "carla@x.it", "dario@x.fr"]),
        ("country:DE OR (tag:vip -tag:test)", ["anna@x.it", "bruno@x.de"]),
        ("tag:*", ["anna@x.it", "carla@x.it", "dario@x.fr"]),
        ("-tag:*", ["bruno@x.de", "nobody@x.it"]),
        ('email:"carla@x.it"', ["carla@x.it"]),
        ("email:b*", ["bruno@x.de"]),
        ("first_name:anna", ["anna@x.it"]),
        ("bianchi", ["anna@x.it"]),
        ('"x.it"', ["anna@x.it", "carla@x.it", "nobody@x.it"]),
        ("id:>3", ["dario@x.fr", "nobody@x.it"]),
        ("id:<=2", ["anna@x.it", "bruno@x.de"]),
        ("id:gid://oms/Customer/2", ["bruno@x.de"]),
        ("orders_count:0 country:FR", ["dario@x.fr"]),
        ("orders_count:>0", []),
        ("amount_spent:>=0 country:DE", ["bruno@x.de"]),
        ("created_at:>2000-01-01 country:DE", ["bruno@x.de"]),
        ("created_at:<2000-01-01", []),
        ("created_at:>=2000-01-01T10:00:00Z country:FR", ["dario@x.fr"]),
        ("updated_at:<2999-12-31 country:FR", ["dario@x.fr"]),
        ("country:IT AND tag:test", ["carla@x.it"]),
        ("NOT country:IT country:*", ["bruno@x.de", "dario@x.fr"]),
    ],
)
async def test_search_operators(
    api: Api, database: Database, query: str, expected: list[str]
) -> None:
    await _people(database)

    assert await _emails(api, query) == expected


async def test_search_folds_case_beyond_ascii(api: Api, database: Database) -> None:
    await a_customer(database, email="m@x.de", last_name="MÜLLER", tags=["ÜBER"])

    assert await _emails(api, "last_name:müller") == ["m@x.de"]
    assert await _emails(api, "tag:über") == ["m@x.de"]
    assert await _emails(api, "müll") == ["m@x.de"]


async def test_resending_tags_in_another_order_changes_nothing(
    api: Api, database: Database
) -> None:
    customer = await a_customer(database, tags=["Ärger", "zoo", "apple"])

    payload = (
        await api.gql(
            UPDATE, {"id": gid(customer.id), "input": {"tags": ["zoo", "apple", "Ärger"]}}
        )
    ).ok()["customerUpdate"]

    assert payload["customer"]["version"] == 1
    assert payload["customer"]["tags"] == ["apple", "zoo", "Ärger"]


async def test_search_by_a_date_matches_that_whole_day(api: Api, database: Database) -> None:
    customer = await a_customer(database)
    day = customer.created_at.date()
    day_before = (day - timedelta(days=1)).isoformat()

    assert len(await _emails(api, f"created_at:{day.isoformat()}")) == 1
    assert await _emails(api, f"created_at:>{day.isoformat()}") == []
    assert len(await _emails(api, f"created_at:<={day.isoformat()}")) == 1
    assert len(await _emails(api, f"created_at:>{day_before}")) == 1
    assert await _emails(api, f"created_at:{day_before}") == []


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("nosuchfield:1", "nosuchfield"),
        ("orders_count:many", "orders_count"),
        ("created_at:>banana", "created_at"),
        ("email:>a", "email"),
        ("id:gid://oms/Location/1", "id"),
        ("id:99999999999999999999", "id"),
        ("id:\u00b2", "id"),
        ("orders_count:>99999999999999999999", "orders_count"),
        ("amount_spent:>0.00001", "amount_spent"),
        ("amount_spent:>NaN", "amount_spent"),
        ("amount_spent:>1e30", "amount_spent"),
        ("created_at:9999-12-31", "created_at"),
    ],
)
async def test_bad_search_fields_are_refused_by_name(api: Api, query: str, named: str) -> None:
    result = await api.gql(LIST, {"first": 5, "query": query})

    assert result.error_codes == ["BAD_USER_INPUT"]
    assert named in result.errors[0]["message"]
    assert result.errors[0]["extensions"].get("field") == named


def _forged(sort_key: str, value: Any, row_id: Any = 1) -> str:
    """A cursor as a client could craft it: our format, with values we never issue."""
    query_hash = hashlib.sha256(b"").hexdigest()[:12]
    raw = json.dumps([1, sort_key, False, query_hash, value, row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    ("sort_key", "cursor"),
    [
        ("CREATED_AT", _forged("CREATED_AT", "2026-01-01T00:00:00")),
        ("CREATED_AT", _forged("CREATED_AT", "yesterday")),
        ("AMOUNT_SPENT", _forged("AMOUNT_SPENT", "0.000001")),
        ("AMOUNT_SPENT", _forged("AMOUNT_SPENT", "NaN")),
        ("ORDERS_COUNT", _forged("ORDERS_COUNT", 10**30)),
        ("ORDERS_COUNT", _forged("ORDERS_COUNT", True)),
        ("EMAIL", _forged("EMAIL", 5)),
        ("ID", _forged("ID", 1, 10**30)),
        ("ID", _forged("ID", 1, 0)),
    ],
)
@pytest.mark.parametrize("first", [0, 5])
async def test_forged_cursors_are_bad_user_input(
    api: Api, database: Database, sort_key: str, cursor: str, first: int
) -> None:
    await a_customer(database)

    result = await api.gql(LIST, {"first": first, "after": cursor, "sortKey": sort_key})

    assert result.error_codes == ["BAD_USER_INPUT"]


async def test_customers_count(api: Api, database: Database) -> None:
    await _people(database)

    data = (
        await api.gql(
            '{ all: customersCount { count } it: customersCount(query: "country:IT") { count } }'
        )
    ).ok()

    assert data == {"all": {"count": 5}, "it": {"count": 2}}


# --- sorting and paging -----------------------------------------------------------------


async def _walk(api: Api, *, forwards: bool, size: int, **variables: Any) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        page_args = (
            {"first": size, "after": cursor} if forwards else {"last": size, "before": cursor}
        )
        data = (await api.gql(LIST, {**variables, **page_args})).ok()["customers"]
        emails = [edge["node"]["email"] for edge in data["edges"]]
        seen = seen + emails if forwards else emails + seen
        info = data["pageInfo"]
        if not (info["hasNextPage"] if forwards else info["hasPreviousPage"]):
            return seen
        cursor = info["endCursor"] if forwards else info["startCursor"]


@pytest.mark.parametrize("reverse", [False, True])
async def test_sort_by_name_puts_nameless_customers_last_ascending(
    api: Api, database: Database, reverse: bool
) -> None:
    await _people(database)

    forwards = await _walk(api, forwards=True, size=2, sortKey="NAME", reverse=reverse)
    backwards = await _walk(api, forwards=False, size=2, sortKey="NAME", reverse=reverse)

    named = ["anna@x.it", "bruno@x.de", "carla@x.it", "dario@x.fr"]
    expected = [*named, "nobody@x.it"]
    assert forwards == backwards == (expected[::-1] if reverse else expected)


async def test_pages_of_italians_by_name_survive_inserts_in_both_directions(
    api: Api, database: Database
) -> None:
    names = ["Elena", "Bruno", "Giulia", "Andrea", "Fabio", "Carla", "Hugo", "Dario", "Ivo", "Lia"]
    for name in names:
        await a_customer(database, email=f"{name.lower()}@x.it", first_name=name, last_name="Rossi")
    await a_customer(database, email="zed@x.de", first_name="Zed", country_code="DE")
    variables = {"query": "country:IT", "sortKey": "NAME"}

    forward_pages: list[list[str]] = []
    cursor = None
    inserted = 0
    while True:
        data = (await api.gql(LIST, {**variables, "first": 3, "after": cursor})).ok()["customers"]
        forward_pages.append([e["node"]["email"] for e in data["edges"]])
        if not data["pageInfo"]["hasNextPage"]:
            break
        cursor = data["pageInfo"]["endCursor"]
        inserted += 1  # customers arrive while we page: before and after the cursor
        await a_customer(
            database, email=f"aaa{inserted}@x.it", first_name=f"Aaa{inserted}", last_name="X"
        )
        await a_customer(
            database, email=f"zzz{inserted}@x.it", first_name=f"Zzz{inserted}", last_name="X"
        )

    seen = [email for page in forward_pages for email in page]
    assert len(seen) == len(set(seen))
    expected_names = sorted(f"{n.lower()}@x.it" for n in names)
    assert [e for e in seen if not e.startswith(("aaa", "zzz"))] == expected_names
    assert all(e.startswith("zzz") for e in seen[len(expected_names) :])

    everything = await _walk(api, forwards=True, size=250, **variables)
    backwards = await _walk(api, forwards=False, size=4, **variables)
    assert backwards == everything
    assert len(everything) == len(names) + 2 * inserted


async def test_customer_list_costs_two_statements_with_tags(api: Api, database: Database) -> None:
    for i in range(12):
        await a_customer(database, tags=[f"t{i}", "all"])

    small = await api.gql(LIST, {"first": 2})
    large = await api.gql(LIST, {"first": 12})

    assert all(len(e["node"]["tags"]) == 2 for e in large.ok()["customers"]["edges"])
    assert small.statements == large.statements == 2
