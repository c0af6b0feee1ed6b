"""Orders and stock: consuming reservations, pickups, tax rates through the API, and no
overselling when many orders race for the last units."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import Engine

from oms_graphql.db import Database
from tests.api import Api
from tests.factories import count_rows, quantities
from tests.orders_support import CREATE, a_shop, create_order, order_input, table_counts
from tests.test_reservations import expire_now, reserve

pytestmark = pytest.mark.usefixtures("ledger_checked")


async def test_an_order_consumes_its_reservation_at_the_pinned_location(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    held = await reserve(
        api, ("TEE", 3), ("MUG", 1), locationId=f"gid://oms/Location/{shop.roma.id}"
    )
    reservation = held["reservation"]
    tee_roma = shop.levels[("TEE", "Roma")]
    assert quantities(sync_engine, tee_roma)["reserved"] == 3

    order = await create_order(api, ("TEE", 2), reservationId=reservation["id"])

    (fulfillment_order,) = order["fulfillmentOrders"]["nodes"]
    assert fulfillment_order["assignedLocation"]["name"] == "Roma"
    tee = quantities(sync_engine, tee_roma)
    assert (tee["reserved"], tee["committed"], tee["available"]) == (0, 2, 8)
    mug = quantities(sync_engine, shop.levels[("MUG", "Roma")])
    assert (mug["reserved"], mug["available"]) == (0, 5)
    status = await api.gql(
        "query($id: ID!) { reservation(id: $id) { status } }", {"id": reservation["id"]}
    )
    assert status.ok()["reservation"]["status"] == "CONSUMED"

    before = table_counts(sync_engine)
    again = await api.gql(CREATE, order_input(("TEE", 1), reservationId=reservation["id"]))
    assert [e["code"] for e in again.ok()["orderCreate"]["userErrors"]] == [
        "RESERVATION_NOT_ACTIVE"
    ]
    assert table_counts(sync_engine) == before


async def test_an_expired_reservation_can_not_be_consumed(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    held = await reserve(api, ("TEE", 1))
    expire_now(sync_engine, held["reservation"]["id"])

    result = await api.gql(CREATE, order_input(("TEE", 1), reservationId=held["reservation"]["id"]))

    assert [e["code"] for e in result.ok()["orderCreate"]["userErrors"]] == [
        "RESERVATION_NOT_ACTIVE"
    ]


async def test_a_pickup_order_is_fulfilled_by_the_store_chosen(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)

    order = await create_order(
        api,
        ("TEE", 1),
        deliveryMethod="PICKUP",
        pickupLocationId=f"gid://oms/Location/{shop.roma.id}",
        shippingAddress=None,
    )
    refused = await api.gql(
        CREATE,
        order_input(
            ("TEE", 1),
            deliveryMethod="PICKUP",
            pickupLocationId=f"gid://oms/Location/{shop.milano.id}",
        ),
    )

    (fulfillment_order,) = order["fulfillmentOrders"]["nodes"]
    assert fulfillment_order["assignedLocation"]["name"] == "Roma"
    assert quantities(sync_engine, shop.levels[("TEE", "Roma")])["committed"] == 1
    assert [e["code"] for e in refused.ok()["orderCreate"]["userErrors"]] == [
        "PICKUP_NOT_AVAILABLE"
    ]


TAX_SET = """mutation($input: TaxRateInput!) { taxRateSet(input: $input) {
  taxRate { id countryCode province rate name } userErrors { field code } } }"""


async def test_tax_rates_are_managed_through_the_api_and_a_province_wins(
    api: Api, database: Database
) -> None:
    await a_shop(database)
    settings = api.token("write_settings")

    province = await api.gql(
        TAX_SET,
        {"input": {"countryCode": "it", "province": "Bolzano", "rate": "0.1", "name": "IVA BZ"}},
        token=settings,
    )
    bad = await api.gql(TAX_SET, {"input": {"countryCode": "XX", "rate": "1.5"}}, token=settings)
    forbidden = await api.gql(
        TAX_SET, {"input": {"countryCode": "IT", "rate": "0.1"}}, token=api.token("write_orders")
    )
    listed = await api.gql(
        "{ taxRates(first: 10) { nodes { countryCode province rate } } }",
        token=api.token("read_settings"),
    )
    in_bolzano = await create_order(
        api, ("TEE", 1), shippingAddress={"countryCode": "IT", "province": "bolzano"}
    )
    in_milano = await create_order(api, ("TEE", 1))
    in_france = await create_order(api, ("TEE", 1), shippingAddress={"countryCode": "FR"})

    assert province.ok()["taxRateSet"]["taxRate"]["countryCode"] == "IT"
    assert sorted(e["field"][-1] for e in bad.ok()["taxRateSet"]["userErrors"]) == [
        "countryCode",
        "rate",
    ]
    assert forbidden.error_codes == ["FORBIDDEN"]
    assert listed.ok()["taxRates"]["nodes"] == [
        {"countryCode": "IT", "province": None, "rate": "0.220000"},
        {"countryCode": "IT", "province": "Bolzano", "rate": "0.100000"},
    ]
    assert in_bolzano["totalTax"]["amount"] == "1.99"
    assert in_milano["totalTax"]["amount"] == "4.38"
    assert in_france["totalTax"]["amount"] == "0.00"
    deleted = await api.gql(
        'mutation { taxRateDelete(countryCode: "IT", province: "BOLZANO") '
        "{ deletedTaxRateId userErrors { code } } }",
        token=settings,
    )
    assert (
        deleted.ok()["taxRateDelete"]["deletedTaxRateId"]
        == province.ok()["taxRateSet"]["taxRate"]["id"]
    )


async def test_repeating_a_tax_rate_set_whose_rate_was_deleted_since_is_not_found(
    api: Api, sync_engine: Engine
) -> None:
    settings = api.token("write_settings")
    keyed = """mutation($input: TaxRateInput!) { taxRateSet(input: $input, idempotencyKey: "t1")
      { taxRate { id } userErrors { field code } } }"""
    rate = {"countryCode": "DE", "rate": "0.19"}
    await api.gql(keyed, {"input": rate}, token=settings)
    await api.gql(
        'mutation { taxRateDelete(countryCode: "DE") { userErrors { code } } }', token=settings
    )

    repeat = await api.gql(keyed, {"input": rate}, token=settings)

    assert repeat.ok()["taxRateSet"] == {
        "taxRate": None,
        "userErrors": [{"field": ["idempotencyKey"], "code": "NOT_FOUND"}],
    }
    assert count_rows(sync_engine, "tax_rates") == 0


async def _order_one(api: Api, token: str) -> dict[str, Any]:
    result = await api.gql(CREATE, order_input(("TEE", 1)), token=token)
    return result.ok()["orderCreate"]  # type: ignore[no-any-return]


async def test_concurrent_orders_on_a_hot_sku_never_oversell(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database, tee_milano=6, tee_roma=4)
    token = api.token("write_orders")

    outcomes = await asyncio.gather(*(_order_one(api, token) for _ in range(30)))

    placed = [o for o in outcomes if o["order"] is not None]
    refused = [e["code"] for o in outcomes for e in o["userErrors"]]
    assert len(placed) == 10
    assert refused == ["INSUFFICIENT_STOCK"] * 20
    assert count_rows(sync_engine, "orders") == 10
    for location, units in (("Milano", 6), ("Roma", 4)):
        level = quantities(sync_engine, shop.levels[("TEE", location)])
        assert (level["committed"], level["available"]) == (units, 0)
