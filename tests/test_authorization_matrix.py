"""Every root query, mutation and subscription x {no token, storefront, customer, partner of
channel A, partner of channel B, admin}: allowed or refused as API.md ("Access") says, and
no data of channel A leaks to a caller that may not see it.

The expectations come from the table below, written from API.md, never from the code under
test; a root field without an entry fails the test. Documents are generated from the
schema: required arguments get minimal values (ids of channel A's objects where the field
reads them, bogus ids elsewhere: the access check answers before the id is looked at) and
objects select only ``__typename``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    Undefined,
    get_named_type,
    is_leaf_type,
)

from oms_graphql.graphql.schema import schema
from oms_graphql.settings import Settings
from tests.factories import a_channel
from tests.live import GraphQLSocket, LiveServer, serving
from tests.orders_support import a_shop, create_order

STAFF = "staff"
"""API.md: a token with the field's scope; storefront and customer tokens are FORBIDDEN."""
PUBLIC = "public"
"""API.md: storefront tokens (and staff tokens with the scope) reach it."""
CUSTOMER = "customer"
"""API.md: customer tokens read their own orders and returns and request returns."""

ACCESS: dict[str, str] = {
    # Query
    "node": STAFF,
    "nodes": STAFF,
    "channel": STAFF,
    "channels": STAFF,
    "location": STAFF,
    "locations": PUBLIC,
    "locationsCount": STAFF,
    "customer": STAFF,
    "customers": STAFF,
    "customersCount": STAFF,
    "events": STAFF,
    "inventoryItem": STAFF,
    "inventoryItems": STAFF,
    "inventoryItemsCount": STAFF,
    "inventoryLevel": STAFF,
    "reservation": STAFF,
    "inventoryTransfer": STAFF,
    "availability": PUBLIC,
    "order": CUSTOMER,
    "orders": CUSTOMER,
    "ordersCount": CUSTOMER,
    "fulfillmentOrder": STAFF,
    "draftOrder": STAFF,
    "draftOrders": STAFF,
    "draftOrdersCount": STAFF,
    "routingRules": STAFF,
    "routingPreview": STAFF,
    "fulfillmentOrders": STAFF,
    "fulfillment": STAFF,
    "return": CUSTOMER,
    "returns": CUSTOMER,
    "returnableFulfillments": STAFF,
    "suggestedRefund": STAFF,
    "taxRates": STAFF,
    # Mutation
    "channelCreate": STAFF,
    "channelUpdate": STAFF,
    "locationAdd": STAFF,
    "locationEdit": STAFF,
    "locationActivate": STAFF,
    "locationDeactivate": STAFF,
    "customerCreate": STAFF,
    "customerUpdate": STAFF,
    "inventoryItemCreate": STAFF,
    "inventoryItemUpdate": STAFF,
    "inventoryActivate": STAFF,
    "inventoryAdjustQuantities": STAFF,
    "inventorySetQuantities": STAFF,
    "inventoryMoveQuantities": STAFF,
    "inventoryTransferCreate": STAFF,
    "inventoryTransferShip": STAFF,
    "inventoryTransferReceive": STAFF,
    "inventoryReserve": STAFF,
    "reservationRelease": STAFF,
    "reservationExtend": STAFF,
    "orderCreate": STAFF,
    "orderUpdate": STAFF,
    "orderCancel": STAFF,
    "orderClose": STAFF,
    "orderOpen": STAFF,
    "orderMarkAsPaid": STAFF,
    "orderCapture": STAFF,
    "tagsAdd": STAFF,
    "tagsRemove": STAFF,
    "orderEditBegin": STAFF,
    "orderEditAddVariant": STAFF,
    "orderEditSetQuantity": STAFF,
    "orderEditAddLineItemDiscount": STAFF,
    "orderEditCommit": STAFF,
    "draftOrderCreate": STAFF,
    "draftOrderUpdate": STAFF,
    "draftOrderCalculate": STAFF,
    "draftOrderDuplicate": STAFF,
    "draftOrderDelete": STAFF,
    "draftOrderInvoiceSend": STAFF,
    "draftOrderComplete": STAFF,
    "routingRulesUpdate": STAFF,
    "fulfillmentOrdersReroute": STAFF,
    "fulfillmentOrderHold": STAFF,
    "fulfillmentOrderReleaseHold": STAFF,
    "fulfillmentOrderReschedule": STAFF,
    "fulfillmentOrderCancel": STAFF,
    "fulfillmentOrderSubmitFulfillmentRequest": STAFF,
    "fulfillmentOrderAcceptFulfillmentRequest": STAFF,
    "fulfillmentOrderSubmitCancellationRequest": STAFF,
    "fulfillmentOrderAcceptCancellationRequest": STAFF,
    "fulfillmentOrderRejectCancellationRequest": STAFF,
    "fulfillmentOrderRejectFulfillmentRequest": STAFF,
    "fulfillmentOrderMove": STAFF,
    "fulfillmentOrderSplit": STAFF,
    "fulfillmentOrdersMerge": STAFF,
    "fulfillmentCreate": STAFF,
    "fulfillmentTrackingInfoUpdate": STAFF,
    "fulfillmentEventCreate": STAFF,
    "fulfillmentCancel": STAFF,
    "returnRequest": CUSTOMER,
    "returnCreate": STAFF,
    "returnApproveRequest": STAFF,
    "returnDeclineRequest": STAFF,
    "returnCancel": STAFF,
    "returnClose": STAFF,
    "returnReopen": STAFF,
    "reverseDeliveryCreateWithShipping": STAFF,
    "reverseFulfillmentOrderDispose": STAFF,
    "refundCreate": STAFF,
    "taxRateSet": STAFF,
    "taxRateDelete": STAFF,
    # Subscription
    "orderStatusChanged": STAFF,
    "orderEvents": STAFF,
    "fulfillmentOrderEvents": STAFF,
    "inventoryChanged": STAFF,
    "availabilityChanged": PUBLIC,
    "returnEvents": STAFF,
}

ROLES = ("anonymous", "storefront", "customer", "partner_a", "partner_b", "admin")
ALLOWED = "allowed"

EXPECTED: dict[str, dict[str, str]] = {
    STAFF: {
        "anonymous": "UNAUTHENTICATED",
        "storefront": "FORBIDDEN",
        "customer": "FORBIDDEN",
        "partner_a": ALLOWED,
        "partner_b": ALLOWED,
        "admin": ALLOWED,
    },
    PUBLIC: {
        "anonymous": "UNAUTHENTICATED",
        "storefront": ALLOWED,
        "customer": "FORBIDDEN",
        "partner_a": ALLOWED,
        "partner_b": ALLOWED,
        "admin": ALLOWED,
    },
    CUSTOMER: {
        "anonymous": "UNAUTHENTICATED",
        "storefront": "FORBIDDEN",
        "customer": ALLOWED,
        "partner_a": ALLOWED,
        "partner_b": ALLOWED,
        "admin": ALLOWED,
    },
}
SEES_CHANNEL_A = {"customer", "partner_a", "admin"}
"""Who may see channel A's order (the customer token is the buyer's)."""

BUYER = "maria@example.com"
STAFF_SCOPES = [
    "write_orders",
    "write_draft_orders",
    "write_inventory",
    "write_locations",
    "write_fulfillments",
    "write_returns",
    "write_customers",
    "write_settings",
    "read_analytics",
]


def _root_fields() -> dict[str, tuple[str, GraphQLField]]:
    graphql_schema = schema._schema
    roots = {
        "query": graphql_schema.query_type,
        "mutation": graphql_schema.mutation_type,
        "subscription": graphql_schema.subscription_type,
    }
    return {
        name: (operation, field)
        for operation, root in roots.items()
        if root is not None
        for name, field in root.fields.items()
    }


ROOT_FIELDS = _root_fields()


def test_every_root_field_has_an_entry() -> None:
    assert set(ROOT_FIELDS) - set(ACCESS) == set(), "add the new root fields to ACCESS"
    assert set(ACCESS) - set(ROOT_FIELDS) == set(), "remove entries of fields that are gone"


# --- documents ------------------------------------------------------------------------------


def _literal(kind: GraphQLInputType, name: str, ids: dict[str, str]) -> str:
    if isinstance(kind, GraphQLNonNull):
        return _literal(kind.of_type, name, ids)
    if isinstance(kind, GraphQLList):
        return "[" + _literal(kind.of_type, name, ids) + "]"
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        fields = [
            f"{key}: {_literal(field.type, key, ids)}"
            for key, field in kind.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        ]
        return "{" + ", ".join(fields) + "}"
    scalar = get_named_type(kind).name
    if scalar == "ID":
        return json.dumps(ids.get(name, "gid://oms/Order/999999"))
    return {
        "String": '"x"',
        "Int": "1",
        "Float": "1.0",
        "Boolean": "false",
        "Decimal": '"1"',
        "DateTime": '"2030-01-01T00:00:00Z"',
        "JSON": "{}",
    }[scalar]


def document(name: str, ids: dict[str, str]) -> str:
    """A minimal valid operation selecting ``name``; ``ids`` gives argument values by name."""
    operation, field = ROOT_FIELDS[name]
    arguments = [
        f"{key}: {_literal(argument.type, key, ids)}"
        for key, argument in field.args.items()
        if isinstance(argument.type, GraphQLNonNull) and argument.default_value is Undefined
    ]
    call = name + (f"({', '.join(arguments)})" if arguments else "")
    leaf = is_leaf_type(get_named_type(field.type))
    selection = "" if leaf else " { __typename" + _ids_of(field) + " }"
    return f"{operation} {{ {call}{selection} }}"


def _ids_of(field: GraphQLField) -> str:
    """Also select ids where the result has them, so that a leak would show."""
    named = get_named_type(field.type)
    if isinstance(named, GraphQLObjectType) and "id" in named.fields:
        # An event names its subject: a leaked event shows the other channel's order.
        return " id" + (" subjectId" if "subjectId" in named.fields else "")
    if isinstance(named, GraphQLObjectType) and "nodes" in named.fields:
        return " nodes { __typename" + _ids_of(named.fields["nodes"]) + " }"
    return ""


def gids(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(set(), *(gids(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(set(), *(gids(v) for v in value))
    return {value} if isinstance(value, str) and value.startswith("gid://") else set()


# --- the world ------------------------------------------------------------------------------


@dataclass
class World:
    server: LiveServer
    tokens: dict[str, str | None]
    ids: dict[str, str]
    """Argument values by argument name: channel A's objects."""
    private: set[str]
    """Global ids of channel A's order and what it owns."""
    ids_by_field: dict[str, dict[str, str]]
    """Argument values of one field that differ from ``ids``."""


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    async with serving(settings) as server:
        await a_shop(server.database)
        await a_channel(server.database, handle="amazon-it")
        order = await create_order(
            server.api, ("TEE", 1), customer={"email": BUYER, "firstName": "Maria"}
        )
        fulfillment_order = order["fulfillmentOrders"]["nodes"][0]["id"]
        api = server.api
        tokens: dict[str, str | None] = {
            "anonymous": None,
            "storefront": api.token("storefront", subject="shop"),
            "customer": api.token("customer", email=BUYER, subject="maria"),
            "partner_a": api.token(*STAFF_SCOPES, channels=["web"], subject="partner-a"),
            "partner_b": api.token(*STAFF_SCOPES, channels=["amazon-it"], subject="partner-b"),
            "admin": api.token("admin"),
        }
        ids = {"id": order["id"], "orderId": order["id"], "ids": order["id"]}
        ids_by_field = {"fulfillmentOrder": {"id": fulfillment_order}}
        private = {order["id"], fulfillment_order} | {
            line["id"] for line in order["lineItems"]["nodes"]
        }
        yield World(server, tokens, ids, private, ids_by_field)


def ids_for(world: World, name: str) -> dict[str, str]:
    return {**world.ids, **world.ids_by_field.get(name, {})}


def check(name: str, role: str, body: dict[str, Any], world: World) -> str | None:
    """What went wrong with one answer (None: it is as API.md says)."""
    expected = EXPECTED[ACCESS[name]][role]
    errors = body.get("errors") or []
    codes = {(error.get("extensions") or {}).get("code") for error in errors}
    data = body.get("data") or {}
    if "GRAPHQL_VALIDATION_FAILED" in codes:
        return f"the generated document is invalid: {errors}"
    if expected != ALLOWED:
        if codes != {expected}:
            return f"expected {expected}, got {errors or data}"
        if data.get(name) is not None or gids(data):
            return f"refused, yet data came back: {data}"
        return None
    if codes & {"UNAUTHENTICATED", "FORBIDDEN"}:
        return f"expected it allowed, got {errors}"
    # Data only: an error message may repeat the id the caller sent.
    if role not in SEES_CHANNEL_A and gids(data) & world.private:
        return f"channel A's objects leaked: {gids(data) & world.private}"
    return None


async def test_queries_and_mutations_answer_every_caller_as_api_md_says(world: World) -> None:
    problems = []
    for name, (operation, _) in ROOT_FIELDS.items():
        if operation == "subscription":
            continue
        text = document(name, ids_for(world, name))
        for role in ROLES:
            result = await world.server.api.gql(text, token=world.tokens[role])
            problem = check(name, role, result.body, world)
            if problem:
                problems.append(f"{name} as {role}: {problem}\n    {text}")
    assert problems == [], "\n".join(problems)


async def test_the_data_of_channel_a_reaches_only_those_who_may_see_it(world: World) -> None:
    reads = {
        "order": "query($id: ID!) { order(id: $id) { id } }",
        "nodes": "query($id: ID!) { nodes(ids: [$id]) { id } }",
        "orders": "{ orders(first: 5) { nodes { id } } }",
    }
    seen: dict[tuple[str, str], bool] = {}
    for name, text in reads.items():
        for role in ROLES:
            result = await world.server.api.gql(
                text, {"id": world.ids["id"]}, token=world.tokens[role]
            )
            seen[(name, role)] = world.ids["id"] in gids(result.data)

    assert {key for key, found in seen.items() if found} == {
        ("order", "customer"),
        ("order", "partner_a"),
        ("order", "admin"),
        ("nodes", "partner_a"),
        ("nodes", "admin"),
        ("orders", "customer"),
        ("orders", "partner_a"),
        ("orders", "admin"),
    }


TAG = "mutation($id: ID!, $tag: String!) { tagsAdd(id: $id, tags: [$tag]) { userErrors { code } } }"


async def test_subscriptions_answer_every_caller_as_api_md_says(world: World) -> None:
    names = [name for name, (operation, _) in ROOT_FIELDS.items() if operation == "subscription"]
    problems = []
    for role in ROLES:
        answers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        async with GraphQLSocket.open(world.server.ws_url, world.tokens[role]) as socket:
            for number, name in enumerate(names):
                await socket.subscribe(str(number), document(name, ids_for(world, name)))
            await asyncio.sleep(0.3)
            # Channel A's order changes while everyone listens: a leak would carry its id.
            tagged = await world.server.api.gql(TAG, {"id": world.ids["id"], "tag": role})
            assert tagged.ok()["tagsAdd"]["userErrors"] == []
            try:
                while True:
                    message = await socket.receive(0.5)
                    if message["type"] == "error":
                        answers[message["id"]].append({"errors": message["payload"]})
                    elif message["type"] == "next":
                        answers[message["id"]].append(message["payload"])
            except TimeoutError:
                pass
        if role == "admin":
            # The change did reach those who may see it, so silence elsewhere means something.
            delivered = answers[str(names.index("orderEvents"))]
            assert world.ids["id"] in gids(delivered), delivered
        for number, name in enumerate(names):
            for body in answers.get(str(number)) or [{"data": {}}]:
                problem = check(name, role, body, world)
                if problem:
                    problems.append(f"{name} as {role}: {problem}")
    assert problems == [], "\n".join(problems)


async def test_anonymous_callers_reach_the_public_fields_only_where_allowed(
    settings: Settings,
) -> None:
    public = {name for name, kind in ACCESS.items() if kind == PUBLIC}
    async with serving(dataclasses.replace(settings, allow_anonymous_storefront=True)) as server:
        await a_shop(server.database)
        answers = {
            name: await server.api.gql(document(name, {}), token=None)
            for name, (operation, _) in ROOT_FIELDS.items()
            if operation == "query"
        }
        storefront = server.api.token("storefront")
        shown = await server.api.gql(
            "{ locations(first: 5) { nodes { id name pickupEnabled address { city } } } }",
            token=None,
        )
        private = {
            role: await server.api.gql(
                "{ locations(first: 5) { nodes { name priority } } }", token=token
            )
            for role, token in (("anonymous", None), ("storefront", storefront))
        }

    refused = {name for name, result in answers.items() if result.error_codes}
    assert refused == {name for name in answers if name not in public}
    assert {code for name in refused for code in answers[name].error_codes} == {"UNAUTHENTICATED"}
    assert {n["name"] for n in shown.ok()["locations"]["nodes"]} == {"Milano", "Roma"}
    assert set(private["anonymous"].error_codes) == {"UNAUTHENTICATED"}
    assert set(private["storefront"].error_codes) == {"FORBIDDEN"}
    assert "priority" not in json.dumps(private["storefront"].data)
