"""Partner and customer isolation: a partner token of channel A reaches nothing of channel B
(lists, counts, node lookups, nested fields, mutations, the events feed, subscription
replays), a customer token reaches only its own orders and returns, and the filter costs
no extra statements per row."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, text

from oms_graphql import models
from oms_graphql.access import FILTERED
from oms_graphql.db import Base, Database
from oms_graphql.settings import Settings
from tests.api import Api
from tests.factories import a_channel
from tests.live import GraphQLSocket, LiveServer, serving
from tests.orders_support import a_shop, create_order, order_input, table_counts

MARIA = "maria@example.com"
LUCA = "luca@example.com"
ERRORS = "userErrors { field code }"

SHIP = """mutation($id: ID!) { fulfillmentCreate(fulfillment: {
  lineItemsByFulfillmentOrder: [{fulfillmentOrderId: $id}]}) {
  fulfillment { id fulfillmentLineItems { id } } userErrors { code } } }"""
RETURN = """mutation($input: ReturnInput!) { returnCreate(returnInput: $input) {
  return { id returnLineItems { id }
    reverseFulfillmentOrders(first: 1) { nodes { id lineItems(first: 1) { nodes { id } } } } }
  userErrors { code } } }"""
DRAFT = """mutation($channel: String!) { draftOrderCreate(input: {channel: $channel,
  email: "maria@example.com", lineItems: [{sku: "TEE", quantity: 1}]}) {
  draftOrder { id lineItems(first: 1) { nodes { id } } } userErrors { code } } }"""
EDIT = """mutation($id: ID!) { orderEditBegin(id: $id) {
  calculatedOrder { id lineItems(first: 1) { nodes { id } } } userErrors { code } } }"""
OBJECTS = """query($id: ID!) { order(id: $id) {
  id version tags lineItems(first: 5) { nodes { id } } transactions { id }
  fulfillmentOrders(first: 5) { nodes { id lineItems(first: 5) { nodes { id } } } } } }"""


def test_every_table_that_belongs_to_an_order_is_filtered() -> None:
    """A new table pointing at an order (or anything an order owns) needs its line in
    ``access.ORDER_OWNED``, or partners would read it across channels."""
    assert models.Order in FILTERED
    filtered = {entity.__table__.name for entity in FILTERED}
    unfiltered = {
        table.name: sorted({fk.column.table.name for fk in table.foreign_keys} & filtered)
        for table in Base.metadata.sorted_tables
        if table.name not in filtered
    }
    assert {name: owners for name, owners in unfiltered.items() if owners} == {}


@dataclass
class Side:
    """Everything one channel owns, by global id."""

    order: str
    ids: dict[str, str]


async def a_side(api: Api, channel: str, email: str) -> Side:
    """An order of ``channel`` paid, shipped, partly returned, with a draft and an open edit."""
    order = await create_order(
        api,
        ("TEE", 2),
        channel=channel,
        financialStatus="PAID",
        customer={"email": email, "firstName": "Maria"},
    )
    found = (await api.gql(OBJECTS, {"id": order["id"]})).ok()["order"]
    fo = found["fulfillmentOrders"]["nodes"][0]
    shipped = (await api.gql(SHIP, {"id": fo["id"]})).ok()["fulfillmentCreate"]
    assert shipped["userErrors"] == []
    fulfillment = shipped["fulfillment"]
    returned = (
        await api.gql(
            RETURN,
            {
                "input": {
                    "orderId": order["id"],
                    "returnLineItems": [
                        {
                            "fulfillmentLineItemId": fulfillment["fulfillmentLineItems"][0]["id"],
                            "quantity": 1,
                            "returnReason": "SIZE_TOO_SMALL",
                        }
                    ],
                }
            },
        )
    ).ok()["returnCreate"]
    assert returned["userErrors"] == []
    rfo = returned["return"]["reverseFulfillmentOrders"]["nodes"][0]
    draft = (await api.gql(DRAFT, {"channel": channel})).ok()["draftOrderCreate"]
    assert draft["userErrors"] == []
    edit = (await api.gql(EDIT, {"id": order["id"]})).ok()["orderEditBegin"]
    assert edit["userErrors"] == []
    ids = {
        "Order": order["id"],
        "LineItem": found["lineItems"]["nodes"][0]["id"],
        "OrderTransaction": found["transactions"][0]["id"],
        "FulfillmentOrder": fo["id"],
        "FulfillmentOrderLineItem": fo["lineItems"]["nodes"][0]["id"],
        "Fulfillment": fulfillment["id"],
        "FulfillmentLineItem": fulfillment["fulfillmentLineItems"][0]["id"],
        "Return": returned["return"]["id"],
        "ReturnLineItem": returned["return"]["returnLineItems"][0]["id"],
        "ReverseFulfillmentOrder": rfo["id"],
        "ReverseFulfillmentOrderLineItem": rfo["lineItems"]["nodes"][0]["id"],
        "DraftOrder": draft["draftOrder"]["id"],
        "DraftOrderLineItem": draft["draftOrder"]["lineItems"]["nodes"][0]["id"],
        "CalculatedOrder": edit["calculatedOrder"]["id"],
        "CalculatedLineItem": edit["calculatedOrder"]["lineItems"]["nodes"][0]["id"],
    }
    return Side(order["id"], ids)


@dataclass
class World:
    a: Side
    b: Side
    partner_a: str
    partner_b: str


@pytest.fixture
async def world(api: Api, database: Database) -> World:
    """Channel A is web, channel B amazon-it; Maria bought on both."""
    await a_shop(database, tee_milano=50, tee_roma=50)
    await a_channel(database, handle="amazon-it")
    a = await a_side(api, "web", MARIA)
    b = await a_side(api, "amazon-it", MARIA)
    every_scope = [
        "write_orders",
        "write_draft_orders",
        "write_fulfillments",
        "write_returns",
        "read_customers",
        "read_inventory",
        "read_locations",
    ]
    return World(
        a,
        b,
        api.token(*every_scope, channels=["web"], subject="partner-a"),
        api.token(*every_scope, channels=["amazon-it"], subject="partner-b"),
    )


LISTS = """{
  orders(first: 50) { nodes { id } } ordersCount { count }
  draftOrders(first: 50) { nodes { id } } draftOrdersCount { count }
  fulfillmentOrders(first: 50, includeClosed: true) { nodes { id } }
  returns(first: 50) { nodes { id } }
  events(first: 250) { nodes { subjectId } }
  customers(first: 5) { nodes { email numberOfOrders orders(first: 50) { nodes { id } } } }
  locations(first: 5) { nodes { name inventoryLevels(first: 5) { nodes { item { sku } } } } }
}"""


def ids_in(value: Any) -> set[str]:
    """Every gid:// string anywhere in a response."""
    if isinstance(value, dict):
        return set().union(*(ids_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(ids_in(v) for v in value)) if value else set()
    return {value} if isinstance(value, str) and value.startswith("gid://") else set()


async def test_a_partner_lists_and_counts_only_its_own_channel(api: Api, world: World) -> None:
    seen_by_a = (await api.gql(LISTS, token=world.partner_a)).ok()
    seen_by_b = (await api.gql(LISTS, token=world.partner_b)).ok()
    admin = (await api.gql(LISTS)).ok()

    for seen, own, other in ((seen_by_a, world.a, world.b), (seen_by_b, world.b, world.a)):
        assert [n["id"] for n in seen["orders"]["nodes"]] == [own.order]
        assert seen["ordersCount"]["count"] == 1
        assert [n["id"] for n in seen["draftOrders"]["nodes"]] == [own.ids["DraftOrder"]]
        assert seen["draftOrdersCount"]["count"] == 1
        assert [n["id"] for n in seen["fulfillmentOrders"]["nodes"]] == [
            own.ids["FulfillmentOrder"]
        ]
        assert [n["id"] for n in seen["returns"]["nodes"]] == [own.ids["Return"]]
        (maria,) = seen["customers"]["nodes"]
        assert [n["id"] for n in maria["orders"]["nodes"]] == [own.order]
        # Nested through Location, inventory stays readable: it belongs to no channel.
        assert seen["locations"] == admin["locations"]
        assert ids_in(seen).isdisjoint(other.ids.values())
        event_subjects = {n["subjectId"] for n in seen["events"]["nodes"]}
        assert own.order in event_subjects
        assert other.order not in event_subjects
    assert admin["ordersCount"]["count"] == 2
    (maria,) = admin["customers"]["nodes"]
    assert len(maria["orders"]["nodes"]) == 2


async def test_a_partner_gets_null_for_every_object_of_another_channel(
    api: Api, world: World
) -> None:
    kinds = sorted(world.a.ids)
    document = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"

    mine = await api.gql(document, {"ids": [world.a.ids[k] for k in kinds]}, token=world.partner_a)
    theirs = await api.gql(
        document, {"ids": [world.b.ids[k] for k in kinds]}, token=world.partner_a
    )
    one = await api.gql(
        "query($id: ID!) { node(id: $id) { id } order(id: $id) { id } }",
        {"id": world.b.order},
        token=world.partner_a,
    )

    assert [n and n["id"] for n in mine.ok()["nodes"]] == [world.a.ids[k] for k in kinds]
    assert theirs.ok()["nodes"] == [None] * len(kinds)
    assert one.ok() == {"node": None, "order": None}


async def test_a_node_of_an_order_owned_child_costs_one_statement_not_its_parents_too(
    api: Api, world: World
) -> None:
    """The access filter hides rows of unseen orders at the SQL level, so a node lookup of a
    line or a return's work reads only its own table (a line item also reads its order, for
    the currency), whatever the token."""
    kinds = {
        "OrderTransaction": 1,
        "FulfillmentOrder": 1,
        "FulfillmentOrderLineItem": 1,
        "Fulfillment": 1,
        "FulfillmentLineItem": 1,
        "Return": 1,
        "ReturnLineItem": 1,
        "ReverseFulfillmentOrder": 1,
        "ReverseFulfillmentOrderLineItem": 1,
        "LineItem": 2,
    }
    document = "query($id: ID!) { node(id: $id) { id } }"
    for kind, statements in kinds.items():
        for seen in (
            await api.gql(document, {"id": world.a.ids[kind]}),
            await api.gql(document, {"id": world.a.ids[kind]}, token=world.partner_a),
        ):
            assert seen.ok()["node"] == {"id": world.a.ids[kind]}, kind
            assert seen.statements == statements, (kind, seen.statements)


NESTED = """query($fo: ID!, $ret: ID!, $draft: ID!) {
  fulfillmentOrder(id: $fo) { order { id } }
  return(id: $ret) { order { id } }
  draftOrder(id: $draft) { id }
  returnableFulfillments(orderId: "%s", first: 5) { nodes { fulfillment { id } } }
  orders(first: 5, query: "location_id:%s") { nodes { id } }
}"""


async def test_nested_fields_and_searches_stay_inside_the_channel(
    api: Api, world: World, database: Database
) -> None:
    async with database.reading() as session:
        location = (
            await session.execute(text("SELECT location_id FROM fulfillment_orders LIMIT 1"))
        ).scalar_one()
    variables = {
        "fo": world.b.ids["FulfillmentOrder"],
        "ret": world.b.ids["Return"],
        "draft": world.b.ids["DraftOrder"],
    }

    theirs = await api.gql(NESTED % (world.b.order, location), variables, token=world.partner_a)
    own = await api.gql(
        NESTED % (world.a.order, location),
        {
            "fo": world.a.ids["FulfillmentOrder"],
            "ret": world.a.ids["Return"],
            "draft": world.a.ids["DraftOrder"],
        },
        token=world.partner_a,
    )

    assert theirs.ok()["fulfillmentOrder"] is None
    assert theirs.ok()["return"] is None
    assert theirs.ok()["draftOrder"] is None
    assert theirs.ok()["returnableFulfillments"]["nodes"] == []
    assert [n["id"] for n in theirs.ok()["orders"]["nodes"]] == [world.a.order]
    assert own.ok()["fulfillmentOrder"]["order"]["id"] == world.a.order
    assert own.ok()["return"]["order"]["id"] == world.a.order
    assert own.ok()["returnableFulfillments"]["nodes"] != []


def refusals(b: Side) -> list[tuple[str, str, dict[str, Any]]]:
    """(payload field, document, variables) of mutations on channel B's objects."""
    return [
        ("orderCancel", "orderCancel(orderId: $id, reason: OTHER)", {"id": b.order}),
        ("orderClose", "orderClose(id: $id)", {"id": b.order}),
        ("orderMarkAsPaid", "orderMarkAsPaid(id: $id)", {"id": b.order}),
        ("tagsAdd", 'tagsAdd(id: $id, tags: ["x"])', {"id": b.order}),
        ("orderUpdate", 'orderUpdate(input: {id: $id, note: "x"})', {"id": b.order}),
        ("orderEditBegin", "orderEditBegin(id: $id)", {"id": b.order}),
        (
            "orderEditSetQuantity",
            "orderEditSetQuantity(id: $id, lineItemId: $line, quantity: 0)",
            {"id": b.ids["CalculatedOrder"], "line": b.ids["CalculatedLineItem"]},
        ),
        ("orderEditCommit", "orderEditCommit(id: $id)", {"id": b.ids["CalculatedOrder"]}),
        (
            "fulfillmentOrderHold",
            "fulfillmentOrderHold(id: $id, fulfillmentHold: {reason: OTHER})",
            {"id": b.ids["FulfillmentOrder"]},
        ),
        (
            "fulfillmentOrderCancel",
            "fulfillmentOrderCancel(id: $id)",
            {"id": b.ids["FulfillmentOrder"]},
        ),
        ("fulfillmentCancel", "fulfillmentCancel(id: $id)", {"id": b.ids["Fulfillment"]}),
        ("returnClose", "returnClose(id: $id)", {"id": b.ids["Return"]}),
        ("returnCancel", "returnCancel(id: $id)", {"id": b.ids["Return"]}),
        ("draftOrderComplete", "draftOrderComplete(id: $id)", {"id": b.ids["DraftOrder"]}),
        ("draftOrderDelete", "draftOrderDelete(input: {id: $id})", {"id": b.ids["DraftOrder"]}),
        ("draftOrderDuplicate", "draftOrderDuplicate(id: $id)", {"id": b.ids["DraftOrder"]}),
    ]


def state(engine: Engine) -> dict[str, Any]:
    counts = table_counts(engine)
    with engine.connect() as connection:
        for table in ("orders", "draft_orders", "returns", "fulfillment_orders", "order_edits"):
            rows = connection.execute(text(f"SELECT * FROM {table} ORDER BY id")).mappings()
            counts[table + ":rows"] = [dict(row) for row in rows]
    return counts


async def test_a_partner_changes_nothing_of_another_channel(
    api: Api, world: World, sync_engine: Engine
) -> None:
    before = state(sync_engine)

    answers = {}
    for name, call, variables in refusals(world.b):
        declared = ", ".join(f"${key}: ID!" for key in variables)
        document = f"mutation({declared}) {{ {call} {{ {ERRORS} }} }}"
        answers[name] = (await api.gql(document, variables, token=world.partner_a)).ok()[name]
    create = await api.gql(
        f"mutation($input: OrderCreateInput!) {{ orderCreate(input: $input) {{ {ERRORS} }} }}",
        order_input(("TEE", 1), channel="amazon-it"),
        token=world.partner_a,
    )
    draft = await api.gql(
        f'mutation {{ draftOrderCreate(input: {{channel: "amazon-it", '
        f'lineItems: [{{sku: "TEE", quantity: 1}}]}}) {{ {ERRORS} }} }}',
        token=world.partner_a,
    )

    for name, payload in answers.items():
        assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"], name
    assert [e["code"] for e in create.ok()["orderCreate"]["userErrors"]] == ["CHANNEL_NOT_FOUND"]
    assert [e["code"] for e in draft.ok()["draftOrderCreate"]["userErrors"]] == [
        "CHANNEL_NOT_FOUND"
    ]
    assert state(sync_engine) == before


async def test_a_missing_object_and_another_channels_object_get_the_same_answer(
    api: Api, world: World
) -> None:
    missing = world.b.ids["Return"].rsplit("/", 1)[0] + "/999999"
    document = f"mutation($id: ID!) {{ returnClose(id: $id) {{ {ERRORS} }} }}"

    hidden = await api.gql(document, {"id": world.b.ids["Return"]}, token=world.partner_a)
    absent = await api.gql(document, {"id": missing}, token=world.partner_a)

    assert (hidden.data, hidden.errors) == (absent.data, absent.errors)


async def test_a_customer_reads_only_its_own_orders_and_returns(api: Api, world: World) -> None:
    luca_order = await create_order(api, ("TEE", 1), customer={"email": LUCA, "firstName": "Luca"})
    maria = api.token("customer", email=MARIA.upper(), subject="maria")
    nobody = api.token("customer", subject="no-email")
    document = """query($luca: ID!, $ret: ID!) {
      orders(first: 10) { nodes { id } } ordersCount { count }
      order(id: $luca) { id } returns(first: 10) { nodes { id } } return(id: $ret) { id } }"""
    variables = {"luca": luca_order["id"], "ret": world.a.ids["Return"]}

    own = (await api.gql(document, variables, token=maria)).ok()
    none = (await api.gql(document, variables, token=nobody)).ok()

    assert {n["id"] for n in own["orders"]["nodes"]} == {world.a.order, world.b.order}
    assert own["ordersCount"]["count"] == 2
    assert own["order"] is None
    assert {n["id"] for n in own["returns"]["nodes"]} == {
        world.a.ids["Return"],
        world.b.ids["Return"],
    }
    assert own["return"] == {"id": world.a.ids["Return"]}
    assert none == {
        "orders": {"nodes": []},
        "ordersCount": {"count": 0},
        "order": None,
        "returns": {"nodes": []},
        "return": None,
    }


async def test_a_customer_may_request_returns_of_its_own_orders_only(
    api: Api, world: World, sync_engine: Engine
) -> None:
    luca = api.token("customer", email=LUCA, subject="luca")
    line = (
        await api.gql(
            "query($id: ID!) { return(id: $id) { "
            "returnLineItems { fulfillmentLineItem { id } } } }",
            {"id": world.a.ids["Return"]},
        )
    ).ok()["return"]["returnLineItems"][0]["fulfillmentLineItem"]["id"]
    request = f"""mutation($input: ReturnInput!) {{ returnRequest(input: $input) {{
      return {{ id }} {ERRORS} }} }}"""
    variables = {
        "input": {
            "orderId": world.a.order,
            "returnLineItems": [
                {"fulfillmentLineItemId": line, "quantity": 1, "returnReason": "OTHER"}
            ],
        }
    }
    before = state(sync_engine)

    refused = await api.gql(request, variables, token=luca)
    unchanged = state(sync_engine)
    accepted = await api.gql(request, variables, token=api.token("customer", email=MARIA))

    assert refused.ok()["returnRequest"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert unchanged == before
    assert accepted.ok()["returnRequest"]["userErrors"] == []


async def test_a_customer_token_reaches_nothing_else(api: Api, world: World) -> None:
    maria = api.token("customer", email=MARIA)
    for document in (
        "{ draftOrders(first: 1) { nodes { id } } }",
        "{ fulfillmentOrders(first: 1) { nodes { id } } }",
        "{ customers(first: 1) { nodes { id } } }",
        "{ events(first: 1) { nodes { id } } }",
        f'{{ node(id: "{world.a.order}") {{ id }} }}',
        "{ locations(first: 1) { nodes { id } } }",
        f'mutation {{ orderClose(id: "{world.a.order}") {{ {ERRORS} }} }}',
        f'mutation {{ returnClose(id: "{world.a.ids["Return"]}") {{ {ERRORS} }} }}',
    ):
        result = await api.gql(document, token=maria)
        assert result.error_codes == ["FORBIDDEN"], document
        assert ids_in(result.data) == set(), document


async def test_the_filter_adds_no_statement_per_row(api: Api, world: World) -> None:
    for _ in range(3):
        await create_order(api, ("TEE", 1), channel="web")
    document = """{ orders(first: 10) { nodes { id lineItems(first: 3) { nodes { sku } }
      fulfillmentOrders(first: 3) { nodes { status lineItems(first: 3) { nodes { id } } } }
      returns(first: 3) { nodes { id } } customer { email } } } }"""

    admin = await api.gql(document)
    partner = await api.gql(document, token=world.partner_a)
    for _ in range(3):
        await create_order(api, ("TEE", 1), channel="web")
    more = await api.gql(document, token=world.partner_a)

    assert len(partner.ok()["orders"]["nodes"]) == 4
    assert len(more.ok()["orders"]["nodes"]) == 7
    assert partner.statements == admin.statements
    assert more.statements == partner.statements


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[LiveServer]:
    async with serving(settings) as live:
        yield live


async def test_a_partner_replaying_events_gets_only_its_channels(server: LiveServer) -> None:
    await a_shop(server.database)
    await a_channel(server.database, handle="amazon-it")
    first = await create_order(server.api, ("TEE", 1), channel="web")
    theirs = await create_order(server.api, ("TEE", 1), channel="amazon-it")
    own = await create_order(server.api, ("TEE", 1), channel="web")
    cursor = (
        await server.api.gql(
            "query($id: ID!) { events(first: 1, subjectId: $id) { nodes { cursor } } }",
            {"id": first["id"]},
        )
    ).ok()["events"]["nodes"][0]["cursor"]
    partner = server.api.token("read_orders", channels=["web"])
    subscription = """subscription($after: String) {
      orderEvents(after: $after, types: [ORDER_CREATED]) { subjectId order { id } } }"""

    async with GraphQLSocket.open(server.ws_url, partner) as socket:
        await socket.subscribe("1", subscription, {"after": cursor})
        replayed = (await socket.next_data("1"))["orderEvents"]
        assert await socket.silent_for(0.3)

    assert replayed == {"subjectId": own["id"], "order": {"id": own["id"]}}
    assert theirs["id"] != own["id"]


REFUND = """mutation($input: RefundInput!) { refundCreate(input: $input) {
  refund { id } userErrors { field code } } }"""
REFUND_READS = """query($order: ID!, $refund: ID!) {
  order(id: $order) { refunds { id } }
  node(id: $refund) { id }
  suggestedRefund(orderId: $order, shipping: {fullRefund: true}) { amount { amount } }
}"""


async def test_a_partner_neither_sees_nor_makes_another_channels_refunds(
    api: Api, world: World, sync_engine: Engine
) -> None:
    made = (
        await api.gql(
            REFUND, {"input": {"orderId": world.b.order, "shipping": {"fullRefund": True}}}
        )
    ).ok()["refundCreate"]
    assert made["userErrors"] == []
    refund = made["refund"]["id"]
    before = table_counts(sync_engine)

    theirs = await api.gql(
        REFUND_READS, {"order": world.b.order, "refund": refund}, token=world.partner_a
    )
    again = await api.gql(
        REFUND,
        {"input": {"orderId": world.b.order, "shipping": {"fullRefund": True}}},
        token=world.partner_a,
    )
    own = await api.gql(
        REFUND_READS, {"order": world.b.order, "refund": refund}, token=world.partner_b
    )

    assert theirs.ok() == {"order": None, "node": None, "suggestedRefund": None}
    assert [e["code"] for e in again.ok()["refundCreate"]["userErrors"]] == ["NOT_FOUND"]
    assert table_counts(sync_engine) == before
    assert own.ok()["order"]["refunds"] == [{"id": refund}]
    assert own.ok()["node"] == {"id": refund}
