"""Idempotency keys: replays change nothing, mismatches are refused, duplicates wait."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import Engine, text

from tests.api import Api
from tests.factories import count_rows

CREATE = """
mutation Create($input: CustomerInput!, $key: String) {
  customerCreate(input: $input, idempotencyKey: $key) {
    customer { id email firstName }
    userErrors { field code }
  }
}
"""
ADD_LOCATION = """
mutation Add($input: LocationAddInput!, $key: String) {
  locationAdd(input: $input, idempotencyKey: $key) { location { id name } userErrors { code } }
}
"""


def _customer(**overrides: Any) -> dict[str, Any]:
    return {"email": "maria@example.com", "firstName": "Maria", **overrides}


async def test_a_repeat_returns_the_first_result_and_changes_nothing(
    api: Api, sync_engine: Engine
) -> None:
    first = await api.gql(CREATE, {"input": _customer(), "key": "order-form-1"})
    second = await api.gql(CREATE, {"input": _customer(), "key": "order-form-1"})

    assert first.ok() == second.ok()
    assert second.ok()["customerCreate"]["customer"]["id"] == "gid://oms/Customer/1"
    assert count_rows(sync_engine, "customers") == 1
    assert count_rows(sync_engine, "events") == 1


async def test_a_repeat_re_reads_the_object(api: Api, sync_engine: Engine) -> None:
    await api.gql(CREATE, {"input": _customer(), "key": "k"})
    with sync_engine.begin() as connection:
        connection.execute(text("UPDATE customers SET first_name = 'Changed'"))

    repeat = await api.gql(CREATE, {"input": _customer(), "key": "k"})

    assert repeat.ok()["customerCreate"]["customer"]["firstName"] == "Changed"


async def test_the_same_key_with_other_input_is_a_mismatch(api: Api, sync_engine: Engine) -> None:
    await api.gql(CREATE, {"input": _customer(), "key": "k"})

    other = await api.gql(CREATE, {"input": _customer(firstName="Giulia"), "key": "k"})

    payload = other.ok()["customerCreate"]
    assert payload["customer"] is None
    assert payload["userErrors"] == [
        {"field": ["idempotencyKey"], "code": "IDEMPOTENCY_KEY_MISMATCH"}
    ]
    assert count_rows(sync_engine, "customers") == 1


async def test_the_same_key_on_another_mutation_is_a_mismatch(api: Api) -> None:
    await api.gql(CREATE, {"input": _customer(), "key": "k"})

    other = await api.gql(
        ADD_LOCATION, {"input": {"name": "Depot", "address": {"countryCode": "IT"}}, "key": "k"}
    )

    assert other.ok()["locationAdd"]["userErrors"] == [{"code": "IDEMPOTENCY_KEY_MISMATCH"}]


async def test_a_refused_attempt_is_not_stored_so_it_can_be_retried(
    api: Api, sync_engine: Engine
) -> None:
    refused = await api.gql(CREATE, {"input": _customer(email="not-an-email"), "key": "k"})
    assert refused.ok()["customerCreate"]["userErrors"][0]["code"] == "INVALID"
    assert count_rows(sync_engine, "idempotency_keys") == 0

    fixed = await api.gql(CREATE, {"input": _customer(), "key": "k"})

    assert fixed.ok()["customerCreate"]["userErrors"] == []
    assert count_rows(sync_engine, "customers") == 1


async def test_keys_belong_to_their_caller(api: Api, sync_engine: Engine) -> None:
    alice = api.token("write_customers", subject="alice")
    bob = api.token("write_customers", subject="bob")

    await api.gql(CREATE, {"input": _customer(), "key": "k"}, token=alice)
    bobs = await api.gql(
        CREATE, {"input": _customer(email="bob@example.com"), "key": "k"}, token=bob
    )

    assert bobs.ok()["customerCreate"]["customer"]["email"] == "bob@example.com"
    assert count_rows(sync_engine, "customers") == 2


async def test_keys_expire_after_a_day(api: Api, sync_engine: Engine) -> None:
    await api.gql(CREATE, {"input": _customer(), "key": "k"})
    with sync_engine.begin() as connection:
        connection.execute(
            text("UPDATE idempotency_keys SET expires_at = :past"), {"past": "2000-01-01 00:00:00"}
        )

    reused = await api.gql(CREATE, {"input": _customer(email="new@example.com"), "key": "k"})

    assert reused.ok()["customerCreate"]["customer"]["email"] == "new@example.com"
    assert count_rows(sync_engine, "idempotency_keys") == 1


async def test_without_a_key_every_call_acts(api: Api, sync_engine: Engine) -> None:
    await api.gql(CREATE, {"input": _customer()})
    again = await api.gql(CREATE, {"input": _customer()})

    assert again.ok()["customerCreate"]["userErrors"][0]["code"] == "TAKEN"
    assert count_rows(sync_engine, "idempotency_keys") == 0


async def test_an_overlong_key_is_bad_user_input(api: Api, sync_engine: Engine) -> None:
    result = await api.gql(CREATE, {"input": _customer(), "key": "k" * 256})

    assert result.error_codes == ["BAD_USER_INPUT"]
    assert count_rows(sync_engine, "customers") == 0


async def test_twenty_concurrent_duplicates_make_one_customer(
    api: Api, sync_engine: Engine
) -> None:
    token = api.token("write_customers")
    variables = {"input": _customer(), "key": "checkout-42"}

    results = await asyncio.gather(*(api.gql(CREATE, variables, token=token) for _ in range(20)))

    payloads = [r.ok()["customerCreate"] for r in results]
    assert all(p["userErrors"] == [] for p in payloads)
    assert {p["customer"]["id"] for p in payloads} == {"gid://oms/Customer/1"}
    assert count_rows(sync_engine, "customers") == 1
    assert count_rows(sync_engine, "events") == 1
    assert count_rows(sync_engine, "idempotency_keys") == 1
