"""Routing through the API: decisions that follow the rules in force and explain
themselves, rules as versioned data, previews that agree with real orders and write
nothing, and reroutes that move committed stock with their fulfillment orders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine

from oms_graphql import models
from oms_graphql.db import Database
from tests.api import Api
from tests.factories import a_channel, a_location, an_item, quantities, stocked
from tests.orders_support import CREATE, order_input, table_counts

pytestmark = pytest.mark.usefixtures("ledger_checked")

DECISION = """strategy rulesetVersion decidedAt splitCount explanation candidatesOmitted
  assignments { location { name } lineItems { sku quantity lineItemId } reason }
  unroutedLineItems { sku quantity }
  candidates { location { name } eligible exclusions excludedBecause rank
    scores { rule score } }"""
ORDER = (
    "query($id: ID!) { order(id: $id) { id version routingDecision {"
    + DECISION
    + "} fulfillmentOrders(first: 10) { nodes { id version assignedLocation { name } "
    "lineItems(first: 10) { nodes { sku totalQuantity } } routingDecision { explanation } } } } }"
)
PREVIEW = "query($input: RoutingPreviewInput!) { routingPreview(input: $input) {" + DECISION + "} }"
RULES = "{ routingRules { id version localDeliveryRadiusKm rules { type enabled } } }"
UPDATE_RULES = """mutation($rules: [RoutingRuleInput!]!, $radius: Float, $expected: Int) {
  routingRulesUpdate(rules: $rules, localDeliveryRadiusKm: $radius, expectedVersion: $expected) {
    routingRules { version localDeliveryRadiusKm rules { type enabled } }
    userErrors { field message code } } }"""
REROUTE = """mutation($ids: [ID!]!, $included: [ID!], $excluded: [ID!]) {
  fulfillmentOrdersReroute(fulfillmentOrderIds: $ids, includedLocationIds: $included,
      excludedLocationIds: $excluded) {
    movedFulfillmentOrders { id assignedLocation { name }
      lineItems(first: 10) { nodes { sku totalQuantity } } routingDecision { explanation } }
    userErrors { field message code } } }"""

NAPLES = {"city": "Napoli", "countryCode": "IT", "latitude": 40.85, "longitude": 14.27}


@dataclass
class Country:
    """Four Italian warehouses at their cities' coordinates, two SKUs, one web channel."""

    locations: dict[str, models.Location]
    levels: dict[tuple[str, str], int]

    def gid(self, name: str) -> str:
        return f"gid://oms/Location/{self.locations[name].id}"


CITIES = {
    "Milano": (45.46, 9.19),
    "Roma": (41.90, 12.50),
    "Napoli": (40.85, 14.27),
    "Torino": (45.07, 7.69),
}


async def a_country(
    database: Database,
    stock: dict[str, dict[str, int]],
    *,
    priorities: dict[str, int] | None = None,
    allow_split: bool = True,
    **location_settings: dict[str, Any],
) -> Country:
    """``stock`` is city -> sku -> units; every city gets a location."""
    await a_channel(database, handle="web", allow_split_shipments=allow_split)
    items = {sku: await an_item(database, sku=sku) for sku in ("TEE", "MUG")}
    locations, levels = {}, {}
    for city, (latitude, longitude) in CITIES.items():
        locations[city] = await a_location(
            database,
            name=city,
            latitude=latitude,
            longitude=longitude,
            priority=(priorities or {}).get(city, 0),
            **location_settings.get(city, {}),
        )
        for sku, units in stock.get(city, {}).items():
            level = await stocked(database, items[sku], locations[city], units)
            levels[(sku, city)] = level.id
    return Country(locations, levels)


def shipping_to_naples(*lines: tuple[str, int], **extra: Any) -> dict[str, Any]:
    return order_input(*lines, shippingAddress=NAPLES, **extra)


async def place(api: Api, variables: dict[str, Any]) -> dict[str, Any]:
    payload = (await api.gql(CREATE, variables)).ok()["orderCreate"]
    assert payload["userErrors"] == [], payload["userErrors"]
    order = await api.gql(ORDER, {"id": payload["order"]["id"]})
    return order.ok()["order"]  # type: ignore[no-any-return]


async def set_rules(api: Api, *types: str) -> dict[str, Any]:
    result = await api.gql(UPDATE_RULES, {"rules": [{"type": t} for t in types]})
    payload = result.ok()["routingRulesUpdate"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload["routingRules"]  # type: ignore[no-any-return]


def assigned(decision: dict[str, Any]) -> list[tuple[str, list[tuple[str, int]]]]:
    return [
        (a["location"]["name"], [(line["sku"], line["quantity"]) for line in a["lineItems"]])
        for a in decision["assignments"]
    ]


def candidate(decision: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in decision["candidates"] if c["location"]["name"] == name)


# decisions follow the rules and say why


async def test_the_closest_location_with_everything_ships_and_the_decision_is_stored(
    api: Api, database: Database
) -> None:
    await a_country(
        database,
        {"Milano": {"TEE": 5, "MUG": 5}, "Roma": {"TEE": 5, "MUG": 5}, "Torino": {"TEE": 1}},
        priorities={"Torino": 20},
    )

    order = await place(api, shipping_to_naples(("TEE", 2), ("MUG", 1)))

    decision = order["routingDecision"]
    assert decision["strategy"] == "SINGLE_LOCATION"
    assert decision["rulesetVersion"] == 1
    assert decision["splitCount"] == 0
    assert assigned(decision) == [("Roma", [("TEE", 2), ("MUG", 1)])]
    assert "closest" in decision["assignments"][0]["reason"]
    assert all(line["lineItemId"] for line in decision["assignments"][0]["lineItems"])
    # the top-ranked location without stock is excluded, and the explanation says so
    torino = candidate(decision, "Torino")
    assert torino["eligible"] is False
    assert torino["exclusions"] == ["NO_STOCK"]
    assert "stock" in torino["excludedBecause"]
    assert torino["rank"] is None
    assert "Torino (priority 20): not enough stock" in decision["explanation"]
    assert "Roma fulfils every line" in decision["explanation"]
    roma, milano = candidate(decision, "Roma"), candidate(decision, "Milano")
    assert (roma["rank"], milano["rank"]) == (1, 2)
    closest = {
        c["location"]["name"]: s["score"]
        for c in decision["candidates"]
        for s in c["scores"]
        if s["rule"] == "CLOSEST"
    }
    assert 180 < closest["Roma"] < 200 < closest["Milano"]
    (fulfillment_order,) = order["fulfillmentOrders"]["nodes"]
    assert fulfillment_order["assignedLocation"]["name"] == "Roma"
    assert fulfillment_order["routingDecision"]["explanation"] == decision["explanation"]


async def test_one_location_beats_a_closer_split_when_minimize_splits_comes_first(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    country = await a_country(
        database, {"Napoli": {"TEE": 5}, "Milano": {"TEE": 5, "MUG": 5}, "Roma": {"MUG": 5}}
    )

    single = await place(api, shipping_to_naples(("TEE", 1), ("MUG", 1)))
    assert assigned(single["routingDecision"]) == [("Milano", [("TEE", 1), ("MUG", 1)])]

    rules = await set_rules(api, "CLOSEST", "MINIMIZE_SPLITS", "RANKED")
    assert rules["version"] == 2
    split = await place(api, shipping_to_naples(("TEE", 1), ("MUG", 1)))

    decision = split["routingDecision"]
    assert decision["rulesetVersion"] == 2
    assert decision["strategy"] == "SPLIT"
    assert decision["splitCount"] == 1
    assert assigned(decision) == [("Napoli", [("TEE", 1)]), ("Roma", [("MUG", 1)])]
    assert "split across 2 locations" in decision["explanation"]
    assert sorted(fo["assignedLocation"]["name"] for fo in split["fulfillmentOrders"]["nodes"]) == [
        "Napoli",
        "Roma",
    ]
    assert quantities(sync_engine, country.levels[("TEE", "Napoli")])["committed"] == 1
    assert quantities(sync_engine, country.levels[("MUG", "Roma")])["committed"] == 1


async def test_a_location_at_its_daily_capacity_is_skipped(api: Api, database: Database) -> None:
    await a_country(
        database,
        {"Roma": {"TEE": 9}, "Milano": {"TEE": 9}},
        Roma={"daily_order_capacity": 1},
    )

    first = await place(api, shipping_to_naples(("TEE", 1)))
    second = await place(api, shipping_to_naples(("TEE", 1)))

    assert assigned(first["routingDecision"]) == [("Roma", [("TEE", 1)])]
    assert assigned(second["routingDecision"]) == [("Milano", [("TEE", 1)])]
    roma = candidate(second["routingDecision"], "Roma")
    assert roma["exclusions"] == ["OVER_CAPACITY"]
    assert "daily capacity of 1" in second["routingDecision"]["explanation"]


async def test_when_every_location_is_full_capacity_gives_way_and_the_decision_says_so(
    api: Api, database: Database
) -> None:
    await a_country(database, {"Roma": {"TEE": 9}}, Roma={"daily_order_capacity": 1})

    await place(api, shipping_to_naples(("TEE", 1)))
    second = await place(api, shipping_to_naples(("TEE", 1)))

    assert assigned(second["routingDecision"]) == [("Roma", [("TEE", 1)])]
    assert "capacity was set aside" in second["routingDecision"]["explanation"]


async def test_a_pickup_order_goes_to_the_chosen_store(api: Api, database: Database) -> None:
    country = await a_country(
        database,
        {"Milano": {"TEE": 5}, "Napoli": {"TEE": 5}},
        Milano={"pickup_enabled": True, "fulfills_online_orders": False},
    )

    order = await place(
        api,
        shipping_to_naples(
            ("TEE", 1), deliveryMethod="PICKUP", pickupLocationId=country.gid("Milano")
        ),
    )

    decision = order["routingDecision"]
    assert decision["strategy"] == "PICKUP"
    assert assigned(decision) == [("Milano", [("TEE", 1)])]
    assert candidate(decision, "Napoli")["exclusions"] == ["NOT_PICKUP_LOCATION"]
    assert "customer chose" in decision["explanation"]


async def test_a_channel_without_split_shipments_refuses_what_only_a_split_could_serve(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_country(database, {"Milano": {"TEE": 5}, "Roma": {"MUG": 5}}, allow_split=False)
    before = table_counts(sync_engine)

    result = await api.gql(CREATE, shipping_to_naples(("TEE", 1), ("MUG", 1)))

    errors = result.ok()["orderCreate"]["userErrors"]
    assert {e["code"] for e in errors} == {"INSUFFICIENT_STOCK"}
    assert "does not allow split shipments" in errors[0]["message"]
    assert table_counts(sync_engine) == before


# previews


async def test_a_preview_agrees_with_the_order_and_writes_nothing(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_country(
        database, {"Napoli": {"TEE": 5}, "Milano": {"TEE": 5, "MUG": 5}, "Roma": {"MUG": 2}}
    )
    given = shipping_to_naples(("TEE", 2), ("MUG", 1))
    preview_input = {
        "channel": "web",
        "lineItems": given["input"]["lineItems"],
        "shippingAddress": NAPLES,
    }
    before = table_counts(sync_engine)

    preview = (await api.gql(PREVIEW, {"input": preview_input})).ok()["routingPreview"]

    assert table_counts(sync_engine) == before
    order = await place(api, given)
    decision = order["routingDecision"]
    assert assigned(preview) == assigned(decision)
    assert preview["explanation"] == decision["explanation"]
    assert preview["candidates"] == decision["candidates"]
    assert all(
        line["lineItemId"] is None for a in preview["assignments"] for line in a["lineItems"]
    )


async def test_a_preview_of_what_no_location_can_serve_is_unroutable_not_an_error(
    api: Api, database: Database
) -> None:
    await a_country(database, {"Milano": {"TEE": 1}})

    preview = await api.gql(
        PREVIEW,
        {
            "input": {
                "channel": "web",
                "lineItems": [{"sku": "TEE", "quantity": 3}],
                "shippingAddress": NAPLES,
            }
        },
    )

    decision = preview.ok()["routingPreview"]
    assert decision["strategy"] == "UNROUTABLE"
    assert decision["unroutedLineItems"] == [{"sku": "TEE", "quantity": 3}]
    assert "cannot be fulfilled" in decision["explanation"]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        (
            {"lineItems": [{"sku": "NOPE", "quantity": 1}]},
            "NOT_FOUND",
            ["input", "lineItems", "0", "sku"],
        ),
        ({"channel": "nowhere"}, "CHANNEL_NOT_FOUND", ["input", "channel"]),
        (
            {"deliveryMethod": "PICKUP", "pickupLocationId": "Roma"},
            "PICKUP_NOT_AVAILABLE",
            ["input", "pickupLocationId"],
        ),
        (
            {"lineItems": [{"sku": "TEE", "quantity": 0}]},
            "INVALID_QUANTITY",
            ["input", "lineItems", "0", "quantity"],
        ),
    ],
)
async def test_a_preview_refuses_what_order_create_would_refuse(
    api: Api, database: Database, change: dict[str, Any], code: str, field: list[str]
) -> None:
    country = await a_country(database, {"Milano": {"TEE": 1}})
    if change.get("pickupLocationId") == "Roma":
        change = {**change, "pickupLocationId": country.gid("Roma")}
    given = {
        "channel": "web",
        "lineItems": [{"sku": "TEE", "quantity": 1}],
        "shippingAddress": NAPLES,
        **change,
    }

    result = await api.gql(PREVIEW, {"input": given})

    (error,) = result.errors
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert [(e["code"], e["field"]) for e in error["extensions"]["userErrors"]] == [(code, field)]


async def test_a_partner_previews_only_its_own_channels(api: Api, database: Database) -> None:
    await a_country(database, {"Milano": {"TEE": 1}})
    partner = api.token("read_orders", channels=["amazon-it"])

    result = await api.gql(
        PREVIEW,
        {
            "input": {
                "channel": "web",
                "lineItems": [{"sku": "TEE", "quantity": 1}],
                "shippingAddress": NAPLES,
            }
        },
        token=partner,
    )

    assert result.errors[0]["extensions"]["userErrors"][0]["code"] == "CHANNEL_NOT_FOUND"


# rules as versioned data


async def test_the_default_rules_exist_out_of_the_box(api: Api, database: Database) -> None:
    rules = (await api.gql(RULES)).ok()["routingRules"]

    assert rules["version"] == 1
    assert rules["id"] == "gid://oms/RoutingRules/1"
    assert rules["localDeliveryRadiusKm"] == 50
    assert [r["type"] for r in rules["rules"]] == [
        "PICKUP_LOCATION",
        "EXCLUDE_UNAVAILABLE",
        "CAPACITY",
        "MINIMIZE_SPLITS",
        "CLOSEST",
        "RANKED",
        "SAME_COUNTRY",
        "BALANCE_STOCK",
    ]
    assert all(r["enabled"] for r in rules["rules"])
    node = await api.gql(
        '{ node(id: "gid://oms/RoutingRules/1") { ... on RoutingRules { version } } }'
    )
    assert node.ok()["node"] == {"version": 1}


async def test_a_rules_update_is_a_new_version_with_the_rules_left_out_disabled(
    api: Api, database: Database
) -> None:
    result = await api.gql(
        UPDATE_RULES,
        {
            "rules": [{"type": "ranked"}, {"type": "CLOSEST", "enabled": False}],
            "radius": 25,
            "expected": 1,
        },
    )

    rules = result.ok()["routingRulesUpdate"]["routingRules"]
    assert rules["version"] == 2
    assert rules["localDeliveryRadiusKm"] == 25
    assert rules["rules"][:2] == [
        {"type": "RANKED", "enabled": True},
        {"type": "CLOSEST", "enabled": False},
    ]
    assert len(rules["rules"]) == 8
    assert not any(r["enabled"] for r in rules["rules"][2:])
    assert (await api.gql(RULES)).ok()["routingRules"]["version"] == 2
    events = await api.gql(
        "{ events(first: 5, types: [ROUTING_RULES_UPDATED]) { nodes { subjectId } } }"
    )
    assert events.ok()["events"]["nodes"] == [{"subjectId": "gid://oms/RoutingRules/2"}]


@pytest.mark.parametrize(
    ("rules", "extra", "codes"),
    [
        ([{"type": "FASTEST"}], {}, [("UNKNOWN_RULE", ["rules", "0", "type"])]),
        ([], {}, [("BLANK", ["rules"])]),
        ([{"type": "CLOSEST", "enabled": False}], {}, [("NO_RULE_ENABLED", ["rules"])]),
        ([{"type": "CLOSEST"}, {"type": "closest"}], {}, [("DUPLICATE", ["rules", "1", "type"])]),
        ([{"type": "CLOSEST"}], {"radius": 0}, [("OUT_OF_RANGE", ["localDeliveryRadiusKm"])]),
        ([{"type": "CLOSEST"}], {"expected": 7}, [("STALE", ["expectedVersion"])]),
    ],
)
async def test_bad_rules_are_refused_and_change_nothing(
    api: Api,
    database: Database,
    sync_engine: Engine,
    rules: list[dict[str, Any]],
    extra: dict[str, Any],
    codes: list[tuple[str, list[str]]],
) -> None:
    before = table_counts(sync_engine)

    result = await api.gql(UPDATE_RULES, {"rules": rules, **extra})

    payload = result.ok()["routingRulesUpdate"]
    assert payload["routingRules"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == codes
    assert table_counts(sync_engine) == before
    assert (await api.gql(RULES)).ok()["routingRules"]["version"] == 1


async def test_rules_need_the_settings_scopes(api: Api, database: Database) -> None:
    reader = api.token("read_orders")

    assert (await api.gql(RULES, token=reader)).error_codes == ["FORBIDDEN"]
    refused = await api.gql(
        UPDATE_RULES, {"rules": [{"type": "RANKED"}]}, token=api.token("read_settings")
    )
    assert refused.error_codes == ["FORBIDDEN"]


# reroutes


async def test_a_reroute_moves_the_fulfillment_order_and_its_committed_stock(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    country = await a_country(database, {"Roma": {"TEE": 5}, "Milano": {"TEE": 5}})
    order = await place(api, shipping_to_naples(("TEE", 2)))
    (fo,) = order["fulfillmentOrders"]["nodes"]
    assert fo["assignedLocation"]["name"] == "Roma"

    result = await api.gql(REROUTE, {"ids": [fo["id"]], "excluded": [country.gid("Roma")]})

    payload = result.ok()["fulfillmentOrdersReroute"]
    assert payload["userErrors"] == []
    (moved,) = payload["movedFulfillmentOrders"]
    assert moved["id"] == fo["id"]
    assert moved["assignedLocation"]["name"] == "Milano"
    assert "excluded by the request" in moved["routingDecision"]["explanation"]
    roma = quantities(sync_engine, country.levels[("TEE", "Roma")])
    milano = quantities(sync_engine, country.levels[("TEE", "Milano")])
    assert (roma["committed"], roma["available"]) == (0, 5)
    assert (milano["committed"], milano["available"]) == (2, 3)
    after = (await api.gql(ORDER, {"id": order["id"]})).ok()["order"]
    assert after["version"] == order["version"] + 1
    assert assigned(after["routingDecision"]) == [("Milano", [("TEE", 2)])]
    assert candidate(after["routingDecision"], "Roma")["exclusions"] == ["EXCLUDED_BY_REQUEST"]
    events = await api.gql(
        "query($id: ID!) { events(first: 5, subjectId: $id, types: [FULFILLMENT_ORDER_REROUTED])"
        " { nodes { data } } }",
        {"id": fo["id"]},
    )
    (event,) = events.ok()["events"]["nodes"]
    assert event["data"]["fromLocationId"] == country.gid("Roma")
    assert event["data"]["locationId"] == country.gid("Milano")


async def test_a_reroute_can_split_a_fulfillment_order(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    country = await a_country(
        database, {"Milano": {"TEE": 5, "MUG": 5}, "Roma": {"TEE": 5}, "Napoli": {"MUG": 5}}
    )
    await set_rules(api, "MINIMIZE_SPLITS", "RANKED")
    order = await place(api, shipping_to_naples(("TEE", 1), ("MUG", 1)))
    (fo,) = order["fulfillmentOrders"]["nodes"]
    assert fo["assignedLocation"]["name"] == "Milano"

    result = await api.gql(REROUTE, {"ids": [fo["id"]], "excluded": [country.gid("Milano")]})

    moved = result.ok()["fulfillmentOrdersReroute"]["movedFulfillmentOrders"]
    assert sorted(
        (m["assignedLocation"]["name"], [n["sku"] for n in m["lineItems"]["nodes"]]) for m in moved
    ) == [("Napoli", ["MUG"]), ("Roma", ["TEE"])]
    assert moved[0]["id"] == fo["id"]
    for sku, city, committed in (
        ("TEE", "Roma", 1),
        ("MUG", "Napoli", 1),
        ("TEE", "Milano", 0),
        ("MUG", "Milano", 0),
    ):
        assert quantities(sync_engine, country.levels[(sku, city)])["committed"] == committed


async def test_a_reroute_that_changes_nothing_moves_nothing(api: Api, database: Database) -> None:
    await a_country(database, {"Roma": {"TEE": 5}, "Milano": {"TEE": 5}})
    order = await place(api, shipping_to_naples(("TEE", 2)))
    (fo,) = order["fulfillmentOrders"]["nodes"]

    result = await api.gql(REROUTE, {"ids": [fo["id"]]})

    assert result.ok()["fulfillmentOrdersReroute"] == {
        "movedFulfillmentOrders": [],
        "userErrors": [],
    }


async def test_bad_reroutes_are_refused_and_change_nothing(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    country = await a_country(database, {"Roma": {"TEE": 5}, "Milano": {"TEE": 1}})
    order = await place(api, shipping_to_naples(("TEE", 2)))
    (fo,) = order["fulfillmentOrders"]["nodes"]
    cancelled = await place(api, shipping_to_naples(("TEE", 1)))
    (cancelled_fo,) = cancelled["fulfillmentOrders"]["nodes"]
    await api.gql(
        "mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER) "
        "{ userErrors { code } } }",
        {"id": cancelled["id"]},
    )
    cases = [
        (
            {"ids": [fo["id"]], "excluded": [country.gid("Roma")]},
            "INSUFFICIENT_STOCK",
            ["fulfillmentOrderIds"],
        ),
        ({"ids": [cancelled_fo["id"]]}, "INVALID_STATE", ["fulfillmentOrderIds", "0"]),
        ({"ids": ["gid://oms/FulfillmentOrder/999999"]}, "NOT_FOUND", ["fulfillmentOrderIds", "0"]),
        (
            {"ids": [fo["id"]], "included": ["gid://oms/Location/999999"]},
            "NOT_FOUND",
            ["includedLocationIds", "0"],
        ),
        (
            {
                "ids": [fo["id"]],
                "included": [country.gid("Roma")],
                "excluded": [country.gid("Roma")],
            },
            "INVALID",
            ["excludedLocationIds"],
        ),
        ({"ids": []}, "BLANK", ["fulfillmentOrderIds"]),
    ]
    before = table_counts(sync_engine)
    roma = quantities(sync_engine, country.levels[("TEE", "Roma")])

    for variables, code, field in cases:
        result = await api.gql(REROUTE, variables)
        payload = result.ok()["fulfillmentOrdersReroute"]
        assert payload["movedFulfillmentOrders"] is None
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)], code

    assert table_counts(sync_engine) == before
    assert quantities(sync_engine, country.levels[("TEE", "Roma")]) == roma


async def test_a_partner_cannot_reroute_another_channels_orders(
    api: Api, database: Database
) -> None:
    country = await a_country(database, {"Roma": {"TEE": 5}, "Milano": {"TEE": 5}})
    order = await place(api, shipping_to_naples(("TEE", 1)))
    (fo,) = order["fulfillmentOrders"]["nodes"]
    partner = api.token("write_fulfillments", channels=["amazon-it"])

    result = await api.gql(
        REROUTE, {"ids": [fo["id"]], "excluded": [country.gid("Roma")]}, token=partner
    )

    assert [e["code"] for e in result.ok()["fulfillmentOrdersReroute"]["userErrors"]] == [
        "NOT_FOUND"
    ]


async def test_local_delivery_comes_from_one_location_within_the_radius(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_country(database, {"Roma": {"TEE": 5}, "Milano": {"MUG": 5}, "Torino": {"TEE": 5}})
    near_milano = {"city": "Monza", "countryCode": "IT", "latitude": 45.58, "longitude": 9.27}
    before = table_counts(sync_engine)

    far = await api.gql(
        CREATE,
        order_input(("TEE", 1), shippingAddress=near_milano, deliveryMethod="LOCAL_DELIVERY"),
    )

    errors = far.ok()["orderCreate"]["userErrors"]
    assert [e["code"] for e in errors] == ["INSUFFICIENT_STOCK"]
    assert "local delivery radius" in errors[0]["message"]
    assert table_counts(sync_engine) == before
    near = await place(
        api, order_input(("MUG", 1), shippingAddress=near_milano, deliveryMethod="LOCAL_DELIVERY")
    )
    assert assigned(near["routingDecision"]) == [("Milano", [("MUG", 1)])]
    assert candidate(near["routingDecision"], "Roma")["exclusions"] == [
        "OUT_OF_LOCAL_DELIVERY_RANGE",
        "NO_STOCK",
    ]
