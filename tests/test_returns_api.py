"""Returns through the API: request (customer token), approve, label, receive by disposing
into stock, close; what is returnable; refusals that change nothing; the cost of a list."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from oms_graphql.db import Database
from tests.api import Api
from tests.factories import a_channel, quantities
from tests.orders_support import a_shop, create_order, table_counts

pytestmark = pytest.mark.usefixtures("ledger_checked")

EMAIL = "maria@example.com"
RETURN_FIELDS = """id name status version declineReason declineNote order { id name }
  returnLineItems { id quantity returnReason customerNote
    fulfillmentLineItem { id quantity lineItem { sku } } }
  reverseFulfillmentOrders(first: 5) { nodes { id status
    reverseDeliveries { label { publicFileUrl } tracking { carrierName number url } }
    lineItems(first: 10) { nodes { id totalQuantity remainingQuantity
      fulfillmentLineItem { id }
      dispositions { type quantity location { name } } } } } }"""
ERRORS = "userErrors { field message code }"
REQUEST = (
    "mutation($input: ReturnInput!, $key: String) { returnRequest(input: $input, "
    "idempotencyKey: $key) { return { " + RETURN_FIELDS + " } " + ERRORS + " } }"
)
CREATE = (
    "mutation($input: ReturnInput!) { returnCreate(returnInput: $input) { return { "
    + RETURN_FIELDS
    + " } "
    + ERRORS
    + " } }"
)
APPROVE = (
    "mutation($id: ID!, $v: Int) { returnApproveRequest(input: {id: $id}, expectedVersion: $v)"
    " { return { " + RETURN_FIELDS + " } " + ERRORS + " } }"
)
DECLINE = (
    "mutation($id: ID!) { returnDeclineRequest(input: {id: $id, declineReason: FINAL_SALE, "
    'declineNote: "sale items are final"}) { return { ' + RETURN_FIELDS + " } " + ERRORS + " } }"
)
LIFECYCLE = "mutation($id: ID!) { %s(id: $id) { return { id status version } " + ERRORS + " } }"
LABEL = (
    "mutation($id: ID!, $lines: [ReverseDeliveryLineItemInput!]) { "
    "reverseDeliveryCreateWithShipping(reverseFulfillmentOrderId: $id, "
    "reverseDeliveryLineItems: $lines, "
    'trackingInput: {number: "RT-1", url: "https://brt.it/t/RT-1", company: "BRT"}, '
    'labelInput: {fileUrl: "https://labels.example/RT-1.pdf"}) { reverseDelivery { id '
    "label { publicFileUrl } tracking { carrierName number url } "
    "reverseDeliveryLineItems { quantity reverseFulfillmentOrderLineItem { id } } } "
    + ERRORS
    + " } }"
)
DISPOSE = (
    "mutation($inputs: [ReverseFulfillmentOrderDisposeInput!]!) { "
    "reverseFulfillmentOrderDispose(dispositionInputs: $inputs) { "
    "reverseFulfillmentOrderLineItems { id remainingQuantity dispositions { type quantity } } "
    + ERRORS
    + " } }"
)
RETURNABLE = """query($id: ID!) { returnableFulfillments(orderId: $id, first: 10) {
  nodes { fulfillment { id } returnableFulfillmentLineItems(first: 10) {
    nodes { quantity fulfillmentLineItem { id lineItem { sku } } } } } } }"""
SHIP = """mutation($input: FulfillmentInput!) { fulfillmentCreate(fulfillment: $input) {
  fulfillment { id fulfillmentLineItems { id quantity lineItem { sku } } }
  userErrors { code } } }"""
FO = """query($id: ID!) { order(id: $id) { fulfillmentOrders(first: 5) { nodes { id } } } }"""


def return_input(order_id: str, *lines: tuple[str, int], reason: str = "SIZE_TOO_SMALL") -> Any:
    return {
        "input": {
            "orderId": order_id,
            "returnLineItems": [
                {"fulfillmentLineItemId": line_id, "quantity": quantity, "returnReason": reason}
                for line_id, quantity in lines
            ],
        }
    }


async def shipped_order(api: Api, *lines: tuple[str, int]) -> tuple[str, dict[str, str]]:
    """An order shipped in full; its id and its fulfillment line ids by SKU."""
    order = await create_order(api, *lines)
    fos = (await api.gql(FO, {"id": order["id"]})).ok()["order"]["fulfillmentOrders"]["nodes"]
    ids: dict[str, str] = {}
    for fo in fos:
        shipped = (
            await api.gql(
                SHIP, {"input": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}]}}
            )
        ).ok()["fulfillmentCreate"]
        assert shipped["userErrors"] == []
        for line in shipped["fulfillment"]["fulfillmentLineItems"]:
            ids[line["lineItem"]["sku"]] = line["id"]
    return order["id"], ids


async def returnable(api: Api, order_id: str) -> dict[str, int]:
    data = (await api.gql(RETURNABLE, {"id": order_id})).ok()["returnableFulfillments"]
    return {
        line["fulfillmentLineItem"]["lineItem"]["sku"]: line["quantity"]
        for node in data["nodes"]
        for line in node["returnableFulfillmentLineItems"]["nodes"]
    }


def ok(result: Any, name: str) -> dict[str, Any]:
    payload = result.ok()[name]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload  # type: ignore[no-any-return]


def codes(result: Any, name: str) -> list[tuple[str, list[str] | None]]:
    payload = result.ok()[name]
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


def return_counts(engine: Engine) -> dict[str, int]:
    tables = (
        "returns",
        "return_lines",
        "reverse_fulfillment_orders",
        "reverse_fulfillment_order_lines",
        "reverse_dispositions",
        "reverse_deliveries",
        "inventory_levels",
    )
    with engine.connect() as connection:
        counted = {
            table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in tables
        }
    return {**table_counts(engine), **counted}


async def test_a_full_return_request_approve_label_receive_and_close(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    order_id, lines = await shipped_order(api, ("TEE", 4), ("MUG", 1))
    milano = shop.levels[("TEE", "Milano")]
    assert quantities(sync_engine, milano)["on_hand"] == 6
    assert await returnable(api, order_id) == {"TEE": 4, "MUG": 1}

    customer = api.token("customer", email=EMAIL.upper(), subject="maria")
    requested = ok(
        await api.gql(REQUEST, return_input(order_id, (lines["TEE"], 4)), token=customer),
        "returnRequest",
    )["return"]
    assert requested["status"] == "REQUESTED"
    assert requested["name"].endswith("-R1")
    assert requested["reverseFulfillmentOrders"]["nodes"] == []
    assert requested["returnLineItems"][0]["fulfillmentLineItem"]["id"] == lines["TEE"]
    assert await returnable(api, order_id) == {"MUG": 1}
    assert quantities(sync_engine, milano)["on_hand"] == 6

    opened = ok(
        await api.gql(APPROVE, {"id": requested["id"], "v": requested["version"]}),
        "returnApproveRequest",
    )["return"]
    assert opened["status"] == "OPEN"
    (rfo,) = opened["reverseFulfillmentOrders"]["nodes"]
    (rfo_line,) = rfo["lineItems"]["nodes"]
    assert (rfo["status"], rfo_line["totalQuantity"], rfo_line["remainingQuantity"]) == (
        "OPEN",
        4,
        4,
    )
    assert rfo_line["fulfillmentLineItem"]["id"] == lines["TEE"]

    label = ok(await api.gql(LABEL, {"id": rfo["id"]}), "reverseDeliveryCreateWithShipping")
    delivery = label["reverseDelivery"]
    assert delivery["label"] == {"publicFileUrl": "https://labels.example/RT-1.pdf"}
    assert delivery["tracking"] == {
        "carrierName": "BRT",
        "number": "RT-1",
        "url": "https://brt.it/t/RT-1",
    }
    assert delivery["reverseDeliveryLineItems"] == [
        {"quantity": 4, "reverseFulfillmentOrderLineItem": {"id": rfo_line["id"]}}
    ]
    assert quantities(sync_engine, milano)["on_hand"] == 6

    milano_id = f"gid://oms/Location/{shop.milano.id}"
    disposed = ok(
        await api.gql(
            DISPOSE,
            {
                "inputs": [
                    {
                        "reverseFulfillmentOrderLineItemId": rfo_line["id"],
                        "quantity": 2,
                        "dispositionType": "RESTOCKED",
                        "locationId": milano_id,
                    },
                    {
                        "reverseFulfillmentOrderLineItemId": rfo_line["id"],
                        "quantity": 2,
                        "dispositionType": "DAMAGED",
                        "locationId": milano_id,
                    },
                ]
            },
        ),
        "reverseFulfillmentOrderDispose",
    )
    (line_after,) = disposed["reverseFulfillmentOrderLineItems"]
    assert line_after["remainingQuantity"] == 0
    assert line_after["dispositions"] == [
        {"type": "RESTOCKED", "quantity": 2},
        {"type": "DAMAGED", "quantity": 2},
    ]
    level = quantities(sync_engine, milano)
    assert (level["on_hand"], level["damaged"], level["available"], level["committed"]) == (
        10,
        2,
        8,
        0,
    )
    with sync_engine.connect() as connection:
        reasons = connection.execute(
            text(
                "SELECT quantity_name, delta FROM inventory_changes WHERE reason = 'RETURN' "
                "AND level_id = :level ORDER BY id"
            ),
            {"level": milano},
        ).all()
    assert sorted(tuple(r) for r in reasons) == sorted(
        [("on_hand", 4), ("damaged", 2), ("available", 2)]
    )

    closed = ok(await api.gql(LIFECYCLE % "returnClose", {"id": opened["id"]}), "returnClose")
    assert closed["return"]["status"] == "CLOSED"
    read = (
        await api.gql(
            "query($id: ID!) { return(id: $id) { " + RETURN_FIELDS + " } }", {"id": opened["id"]}
        )
    ).ok()["return"]
    (rfo_read,) = read["reverseFulfillmentOrders"]["nodes"]
    assert rfo_read["status"] == "CLOSED"
    assert rfo_read["reverseDeliveries"][0]["tracking"]["number"] == "RT-1"
    assert rfo_read["lineItems"]["nodes"][0]["dispositions"][0]["location"] == {"name": "Milano"}
    reopened = ok(await api.gql(LIFECYCLE % "returnReopen", {"id": opened["id"]}), "returnReopen")
    assert reopened["return"]["status"] == "OPEN"
    assert await returnable(api, order_id) == {"MUG": 1}

    order_returns = (
        await api.gql(
            "query($id: ID!) { order(id: $id) { returns(first: 5) { nodes { id status } } } }",
            {"id": order_id},
        )
    ).ok()["order"]["returns"]["nodes"]
    assert order_returns == [{"id": opened["id"], "status": "OPEN"}]
    events = (
        await api.gql(
            "query($id: ID!) { events(first: 50, subjectId: $id) { nodes { type } } }",
            {"id": opened["id"]},
        )
    ).ok()["events"]["nodes"]
    assert [e["type"] for e in events] == [
        "RETURN_REQUESTED",
        "RETURN_APPROVED",
        "REVERSE_DELIVERY_CREATED",
        "REVERSE_FULFILLMENT_ORDER_DISPOSED",
        "RETURN_CLOSED",
        "RETURN_REOPENED",
    ]


async def test_staff_create_opens_at_once_and_processing_required_goes_to_quality_control(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    order_id, lines = await shipped_order(api, ("TEE", 2))
    created = ok(await api.gql(CREATE, return_input(order_id, (lines["TEE"], 2))), "returnCreate")
    ret = created["return"]
    assert ret["status"] == "OPEN"
    (rfo,) = ret["reverseFulfillmentOrders"]["nodes"]
    (rfo_line,) = rfo["lineItems"]["nodes"]
    roma = shop.levels[("TEE", "Roma")]
    before = quantities(sync_engine, roma)
    ok(
        await api.gql(
            DISPOSE,
            {
                "inputs": [
                    {
                        "reverseFulfillmentOrderLineItemId": rfo_line["id"],
                        "quantity": 1,
                        "dispositionType": "PROCESSING_REQUIRED",
                        "locationId": f"gid://oms/Location/{shop.roma.id}",
                    },
                    {
                        "reverseFulfillmentOrderLineItemId": rfo_line["id"],
                        "quantity": 1,
                        "dispositionType": "MISSING",
                    },
                ]
            },
        ),
        "reverseFulfillmentOrderDispose",
    )
    after = quantities(sync_engine, roma)
    assert after["on_hand"] == before["on_hand"] + 1
    assert after["quality_control"] == before["quality_control"] + 1
    assert after["available"] == before["available"]


async def test_refusals_change_nothing(api: Api, database: Database, sync_engine: Engine) -> None:
    shop = await a_shop(database)
    await a_channel(database, handle="amazon-it")
    order_id, lines = await shipped_order(api, ("TEE", 2), ("MUG", 1))
    first = ok(await api.gql(REQUEST, return_input(order_id, (lines["TEE"], 1))), "returnRequest")[
        "return"
    ]
    declined = ok(await api.gql(DECLINE, {"id": first["id"]}), "returnDeclineRequest")["return"]
    assert (declined["status"], declined["declineReason"]) == ("DECLINED", "FINAL_SALE")
    assert declined["declineNote"] == "sale items are final"
    assert await returnable(api, order_id) == {"TEE": 2, "MUG": 1}
    opened = ok(await api.gql(CREATE, return_input(order_id, (lines["TEE"], 1))), "returnCreate")[
        "return"
    ]
    rfo_line = opened["reverseFulfillmentOrders"]["nodes"][0]["lineItems"]["nodes"][0]
    before = return_counts(sync_engine)
    level = quantities(sync_engine, shop.levels[("TEE", "Milano")])
    milano = f"gid://oms/Location/{shop.milano.id}"

    too_many = return_input(order_id, (lines["TEE"], 3))
    assert codes(await api.gql(REQUEST, too_many), "returnRequest") == [
        ("OVER_RETURN", ["input", "returnLineItems", "0", "quantity"])
    ]
    still = return_input(order_id, (lines["MUG"], 1), (lines["TEE"], 2))
    assert codes(await api.gql(CREATE, still), "returnCreate") == [
        ("OVER_RETURN", ["returnInput", "returnLineItems", "1", "quantity"])
    ]
    assert codes(
        await api.gql(REQUEST, return_input(order_id, (lines["TEE"], 0))), "returnRequest"
    ) == [("INVALID_QUANTITY", ["input", "returnLineItems", "0", "quantity"])]
    assert codes(
        await api.gql(
            DISPOSE,
            {
                "inputs": [
                    {
                        "reverseFulfillmentOrderLineItemId": rfo_line["id"],
                        "quantity": 2,
                        "dispositionType": "RESTOCKED",
                        "locationId": milano,
                    }
                ]
            },
        ),
        "reverseFulfillmentOrderDispose",
    ) == [("OVER_DISPOSAL", ["dispositionInputs", "0", "quantity"])]
    assert codes(
        await api.gql(
            DISPOSE,
            {
                "inputs": [
                    {
                        "reverseFulfillmentOrderLineItemId": rfo_line["id"],
                        "quantity": 1,
                        "dispositionType": "RESTOCKED",
                    }
                ]
            },
        ),
        "reverseFulfillmentOrderDispose",
    ) == [("BLANK", ["dispositionInputs", "0", "locationId"])]
    assert codes(await api.gql(APPROVE, {"id": first["id"]}), "returnApproveRequest") == [
        ("INVALID_STATE", ["input", "id"])
    ]
    assert codes(await api.gql(APPROVE, {"id": opened["id"], "v": 99}), "returnApproveRequest") == [
        ("STALE", ["expectedVersion"])
    ]
    stranger = api.token("customer", email="someone@example.com", subject="someone")
    assert codes(
        await api.gql(REQUEST, return_input(order_id, (lines["MUG"], 1)), token=stranger),
        "returnRequest",
    ) == [("NOT_FOUND", ["input", "orderId"])]
    no_email = api.token("customer", subject="anonymous-buyer")
    assert codes(
        await api.gql(REQUEST, return_input(order_id, (lines["MUG"], 1)), token=no_email),
        "returnRequest",
    ) == [("NOT_FOUND", ["input", "orderId"])]
    customer = api.token("customer", email=EMAIL)
    forbidden = await api.gql(APPROVE, {"id": opened["id"]}, token=customer)
    assert forbidden.error_codes == ["FORBIDDEN"]
    partner = api.token("write_returns", channels=["amazon-it"])
    assert codes(
        await api.gql(CREATE, return_input(order_id, (lines["MUG"], 1)), token=partner),
        "returnCreate",
    ) == [("NOT_FOUND", ["returnInput", "orderId"])]
    assert codes(
        await api.gql(LIFECYCLE % "returnClose", {"id": opened["id"]}, token=partner),
        "returnClose",
    ) == [("NOT_FOUND", ["id"])]
    assert codes(
        await api.gql(
            DISPOSE,
            {
                "inputs": [
                    {
                        "reverseFulfillmentOrderLineItemId": rfo_line["id"],
                        "quantity": 1,
                        "dispositionType": "RESTOCKED",
                        "locationId": milano,
                    }
                ]
            },
            token=partner,
        ),
        "reverseFulfillmentOrderDispose",
    ) == [("NOT_FOUND", ["dispositionInputs", "0", "reverseFulfillmentOrderLineItemId"])]
    hidden = await api.gql(
        "query($id: ID!) { return(id: $id) { id } returns(first: 5) { nodes { id } } }",
        {"id": opened["id"]},
        token=api.token("read_returns", channels=["amazon-it"]),
    )
    assert hidden.ok() == {"return": None, "returns": {"nodes": []}}

    assert return_counts(sync_engine) == before
    assert quantities(sync_engine, shop.levels[("TEE", "Milano")]) == level


async def test_one_disposal_across_two_returns_closes_only_the_finished_work(
    api: Api, database: Database
) -> None:
    shop = await a_shop(database)
    order_id, lines = await shipped_order(api, ("TEE", 2), ("MUG", 1))
    works = []
    for line, quantity in ((lines["TEE"], 2), (lines["MUG"], 1)):
        created = ok(
            await api.gql(CREATE, return_input(order_id, (line, quantity))), "returnCreate"
        )
        (rfo,) = created["return"]["reverseFulfillmentOrders"]["nodes"]
        works.append((created["return"], rfo["lineItems"]["nodes"][0]["id"]))
    (tee, tee_line), (mug, mug_line) = works
    milano = f"gid://oms/Location/{shop.milano.id}"
    disposed = ok(
        await api.gql(
            DISPOSE,
            {
                "inputs": [
                    {
                        "reverseFulfillmentOrderLineItemId": line,
                        "quantity": 1,
                        "dispositionType": "RESTOCKED",
                        "locationId": milano,
                    }
                    for line in (tee_line, mug_line)
                ]
            },
        ),
        "reverseFulfillmentOrderDispose",
    )["reverseFulfillmentOrderLineItems"]
    assert [(line["id"], line["remainingQuantity"]) for line in disposed] == [
        (tee_line, 1),
        (mug_line, 0),
    ]
    read = (
        "query($id: ID!) { return(id: $id) { version "
        "reverseFulfillmentOrders(first: 1) { nodes { status } } } }"
    )
    for row, status in ((tee, "OPEN"), (mug, "CLOSED")):
        found = (await api.gql(read, {"id": row["id"]})).ok()["return"]
        assert found["reverseFulfillmentOrders"]["nodes"] == [{"status": status}]
        assert found["version"] == row["version"] + 1


async def test_a_repeated_request_with_the_same_key_creates_one_return(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    await a_shop(database)
    order_id, lines = await shipped_order(api, ("TEE", 2))
    given = {**return_input(order_id, (lines["TEE"], 1)), "key": "return-1"}
    first = ok(await api.gql(REQUEST, given), "returnRequest")["return"]
    again = ok(await api.gql(REQUEST, given), "returnRequest")["return"]
    assert first["id"] == again["id"]
    assert return_counts(sync_engine)["returns"] == 1


async def test_a_list_of_returns_costs_the_same_statements_for_2_or_20(
    api: Api, database: Database
) -> None:
    await a_shop(database, tee_milano=40, tee_roma=40)
    query = """{ returns(first: 20) { nodes { id name status order { name }
      returnLineItems { quantity returnReason fulfillmentLineItem { quantity } }
      reverseFulfillmentOrders(first: 1) { nodes { status
        lineItems(first: 2) { nodes { remainingQuantity dispositions { type } } } } } } } }"""

    async def returns_of_new_orders(count: int) -> None:
        for _ in range(count):
            order_id, lines = await shipped_order(api, ("TEE", 1))
            ok(await api.gql(CREATE, return_input(order_id, (lines["TEE"], 1))), "returnCreate")

    await returns_of_new_orders(2)
    few = await api.gql(query)
    assert len(few.ok()["returns"]["nodes"]) == 2
    await returns_of_new_orders(18)
    many = await api.gql(query)
    assert len(many.ok()["returns"]["nodes"]) == 20
    assert few.statements == many.statements, (few.statements, many.statements)
    # returns, orders, return lines, fulfillment lines, reverse work, its lines, dispositions
    assert many.statements == 7, many.statements


async def test_a_shipment_with_units_on_a_return_is_not_cancelled_until_the_return_is(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    shop = await a_shop(database)
    order_id, lines = await shipped_order(api, ("TEE", 2))
    fulfillment = (
        await api.gql(
            "query($id: ID!) { order(id: $id) { fulfillments { id } } }", {"id": order_id}
        )
    ).ok()["order"]["fulfillments"][0]["id"]
    requested = ok(
        await api.gql(REQUEST, return_input(order_id, (lines["TEE"], 1))), "returnRequest"
    )["return"]
    cancel_shipment = """mutation($id: ID!) { fulfillmentCancel(id: $id) {
      fulfillment { status } userErrors { field code } } }"""
    level = quantities(sync_engine, shop.levels[("TEE", "Milano")])

    refused = (await api.gql(cancel_shipment, {"id": fulfillment})).ok()["fulfillmentCancel"]
    assert refused["userErrors"] == [{"field": ["id"], "code": "INVALID_STATE"}]
    assert quantities(sync_engine, shop.levels[("TEE", "Milano")]) == level

    ok(await api.gql(LIFECYCLE % "returnCancel", {"id": requested["id"]}), "returnCancel")
    assert await returnable(api, order_id) == {"TEE": 2}
    done = (await api.gql(cancel_shipment, {"id": fulfillment})).ok()["fulfillmentCancel"]
    assert done == {"fulfillment": {"status": "CANCELLED"}, "userErrors": []}
    assert await returnable(api, order_id) == {}


async def test_a_return_with_received_units_is_closed_not_cancelled(
    api: Api, database: Database
) -> None:
    shop = await a_shop(database)
    order_id, lines = await shipped_order(api, ("TEE", 2))
    opened = ok(await api.gql(CREATE, return_input(order_id, (lines["TEE"], 2))), "returnCreate")[
        "return"
    ]
    rfo_line = opened["reverseFulfillmentOrders"]["nodes"][0]["lineItems"]["nodes"][0]
    ok(
        await api.gql(
            DISPOSE,
            {
                "inputs": [
                    {
                        "reverseFulfillmentOrderLineItemId": rfo_line["id"],
                        "quantity": 1,
                        "dispositionType": "RESTOCKED",
                        "locationId": f"gid://oms/Location/{shop.roma.id}",
                    }
                ]
            },
        ),
        "reverseFulfillmentOrderDispose",
    )
    assert codes(
        await api.gql(LIFECYCLE % "returnCancel", {"id": opened["id"]}), "returnCancel"
    ) == [("INVALID_STATE", ["id"])]
    assert codes(
        await api.gql(LIFECYCLE % "returnReopen", {"id": opened["id"]}), "returnReopen"
    ) == [("INVALID_STATE", ["id"])]


async def test_return_events_carry_the_order_channel(api: Api, database: Database) -> None:
    await a_shop(database)
    await a_channel(database, handle="amazon-it")
    order_id, lines = await shipped_order(api, ("TEE", 1))
    ret = ok(await api.gql(CREATE, return_input(order_id, (lines["TEE"], 1))), "returnCreate")[
        "return"
    ]
    feed = "{ events(first: 50, types: [RETURN_OPENED]) { nodes { subjectId return { name } } } }"
    web = (await api.gql(feed, token=api.token("read_returns", channels=["web"]))).ok()
    assert web["events"]["nodes"] == [{"subjectId": ret["id"], "return": {"name": ret["name"]}}]
    other = (await api.gql(feed, token=api.token("read_returns", channels=["amazon-it"]))).ok()
    assert other["events"]["nodes"] == []
    no_scope = (await api.gql(feed, token=api.token("read_orders"))).ok()
    assert no_scope["events"]["nodes"] == []


async def test_a_customer_token_reads_the_returns_of_its_own_orders_only(
    api: Api, database: Database
) -> None:
    await a_shop(database)
    order_id, lines = await shipped_order(api, ("TEE", 1))
    mine = ok(
        await api.gql(
            REQUEST,
            return_input(order_id, (lines["TEE"], 1)),
            token=api.token("customer", email=EMAIL),
        ),
        "returnRequest",
    )["return"]
    read = "query($id: ID!) { return(id: $id) { id status } returns(first: 5) { nodes { id } } }"
    own = await api.gql(read, {"id": mine["id"]}, token=api.token("customer", email=EMAIL))
    assert own.ok() == {
        "return": {"id": mine["id"], "status": "REQUESTED"},
        "returns": {"nodes": [{"id": mine["id"]}]},
    }
    for stranger in (
        api.token("customer", email="someone@example.com"),
        api.token("customer", subject="no-email"),
    ):
        other = await api.gql(read, {"id": mine["id"]}, token=stranger)
        assert other.ok() == {"return": None, "returns": {"nodes": []}}
