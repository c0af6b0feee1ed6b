"""Returns under random use: a Hypothesis state machine drives random sequences of orders
(paid), shipments (part or all, some cancelled), return requests and staff returns (random
lines and quantities, too many included, some with an exchange), approvals, declines,
labels, disposals (random types, locations and quantities, too many included), cancels,
closes, reopens and refunds (the suggested money, or a cent too much) through the GraphQL
API, against a model of what each step should do.

After every step, read straight from the database: refunded <= paid for every order;
units on live returns <= units shipped for every fulfillment line (none for a cancelled
shipment); disposed + remaining = returned for every reverse line; refunded units <=
fulfilled units for every order line; the stock ledger adds up to every inventory
quantity; nothing is negative. A step the model says must be refused answers userErrors
and changes no row at all.

The suite runs a fixed set of 10 examples of up to 30 steps per database (derandomized,
20-40 s each); ``OMS_HYPOTHESIS_EXAMPLES=500`` runs that many random ones instead, and
shrinks a failure to a short sequence.
"""

from __future__ import annotations

import asyncio
import os
from collections import defaultdict
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

import httpx
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine, text
from starlette.applications import Starlette

from oms_graphql.app import create_app
from oms_graphql.db import Base
from oms_graphql.ids import encode_gid
from oms_graphql.settings import Settings
from tests.api import Api
from tests.conftest import empty_database
from tests.factories import a_location, ledger_disagreements
from tests.orders_support import a_shop, order_input

T = TypeVar("T")

EXAMPLES = int(os.environ.get("OMS_HYPOTHESIS_EXAMPLES", "0"))
SETTINGS = settings(
    max_examples=EXAMPLES or 10,
    stateful_step_count=30,
    deadline=None,
    derandomize=not EXAMPLES,
    # Shrinking a failure of this machine can take minutes: CI reports the failing steps as
    # found, a longer local run shrinks them.
    phases=list(Phase) if EXAMPLES else [Phase.explicit, Phase.generate],
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
EMAIL = "maria@example.com"
SKUS = ("TEE", "MUG")
DISPOSITIONS = ("RESTOCKED", "DAMAGED", "PROCESSING_REQUIRED", "NOT_RESTOCKED", "MISSING")
MOVES_STOCK = {"RESTOCKED", "DAMAGED", "PROCESSING_REQUIRED"}
NOT_RETURNING = {"DECLINED", "CANCELLED"}
REASONS = ("SIZE_TOO_SMALL", "UNWANTED", "DEFECTIVE", "OTHER")
MAX_ORDERS = 4
STEPS = (
    ("return_units", 3),
    ("dispose", 3),
    ("change_status", 3),
    ("label", 1),
    ("ship", 2),
    ("cancel_a_shipment", 1),
    ("place_a_paid_order", 1),
    ("refund", 2),
)
"""What a step does, and how often (by weight) when it can."""

ERRORS = "userErrors { field message code }"
RETURN = """id status reverseFulfillmentOrders(first: 5) { nodes { id status
  lineItems(first: 10) { nodes { id totalQuantity remainingQuantity
    fulfillmentLineItem { id } } } } }"""
CREATE_ORDER = (
    "mutation($input: OrderCreateInput!) { orderCreate(input: $input) { order { id } "
    + ERRORS
    + " } }"
)
WORK = """query($id: ID!) { order(id: $id) {
  fulfillmentOrders(first: 10) { nodes { id status
    lineItems(first: 10) { nodes { id remainingQuantity } } } } } }"""
FULFIL = (
    "mutation($input: FulfillmentInput!) { fulfillmentCreate(fulfillment: $input) { "
    "fulfillment { id fulfillmentLineItems { id quantity } } " + ERRORS + " } }"
)
CANCEL_SHIPMENT = (
    "mutation($id: ID!) { fulfillmentCancel(id: $id) { fulfillment { status } " + ERRORS + " } }"
)
REQUEST = (
    "mutation($input: ReturnInput!) { returnRequest(input: $input) { return { "
    + RETURN
    + " } "
    + ERRORS
    + " } }"
)
CREATE = (
    "mutation($input: ReturnInput!) { returnCreate(returnInput: $input) { return { "
    + RETURN
    + " } "
    + ERRORS
    + " } }"
)
APPROVE = (
    "mutation($id: ID!) { returnApproveRequest(input: {id: $id}) { return { "
    + RETURN
    + " } "
    + ERRORS
    + " } }"
)
DECLINE = (
    "mutation($id: ID!) { returnDeclineRequest(input: {id: $id, declineReason: OTHER}) { "
    "return { " + RETURN + " } " + ERRORS + " } }"
)
LIFECYCLE = "mutation($id: ID!) { %s(id: $id) { return { " + RETURN + " } " + ERRORS + " } }"
LABEL = (
    "mutation($id: ID!) { reverseDeliveryCreateWithShipping(reverseFulfillmentOrderId: $id, "
    'trackingInput: {number: "RT-1", company: "BRT"}, '
    'labelInput: {fileUrl: "https://labels.example/RT-1.pdf"}) { reverseDelivery { id } '
    + ERRORS
    + " } }"
)
DISPOSE = (
    "mutation($inputs: [ReverseFulfillmentOrderDisposeInput!]!) { "
    "reverseFulfillmentOrderDispose(dispositionInputs: $inputs) { "
    "reverseFulfillmentOrderLineItems { id remainingQuantity } " + ERRORS + " } }"
)
LINES = """query($id: ID!) { order(id: $id) { lineItems(first: 20) {
  nodes { id refundableQuantity unfulfilledQuantity } } } }"""
SUGGEST = """query($id: ID!, $lines: [RefundLineItemInput!]) {
  suggestedRefund(orderId: $id, refundLineItems: $lines, shipping: {fullRefund: true}) {
    suggestedTransactions { amount { amount currencyCode } parentTransaction { id } } } }"""
REFUND = (
    "mutation($input: RefundInput!) { refundCreate(input: $input) { refund { id } "
    + ERRORS
    + " } }"
)
RESTOCK_TYPES = ("RETURN", "NO_RESTOCK", "CANCEL")
RETURNABLE = """query($id: ID!) { returnableFulfillments(orderId: $id, first: 10) {
  nodes { returnableFulfillmentLineItems(first: 10) {
    nodes { quantity fulfillmentLineItem { id } } } } } }"""


@dataclass
class Shipment:
    status: str
    lines: dict[str, int]
    """fulfillment line id -> units shipped"""


@dataclass
class ReturnModel:
    order_id: str
    status: str
    lines: dict[str, int]
    """fulfillment line id -> units coming back"""
    work: dict[str, str] = field(default_factory=dict)
    """reverse fulfillment order id -> status"""
    remaining: dict[str, int] = field(default_factory=dict)
    """reverse line id -> units not disposed yet"""
    total: dict[str, int] = field(default_factory=dict)

    @property
    def received(self) -> bool:
        return any(self.remaining[line] < self.total[line] for line in self.total)

    def read_work(self, payload: dict[str, Any]) -> None:
        for rfo in payload["reverseFulfillmentOrders"]["nodes"]:
            self.work[rfo["id"]] = rfo["status"]
            for line in rfo["lineItems"]["nodes"]:
                self.total[line["id"]] = line["totalQuantity"]
                self.remaining[line["id"]] = line["remainingQuantity"]


@dataclass
class OrderModel:
    id: str
    unshipped: int
    """Units left to ship, as far as the model knows: a refund (CANCEL) and an exchange
    change them, and the next shipping step reads them again."""
    stale: bool = False
    refunded: bool = False
    shipments: dict[str, Shipment] = field(default_factory=dict)


class Loop:
    """One event loop for a whole machine run: the app, its lifespan and the HTTP client
    live in it, and each synchronous rule runs its coroutine there."""

    def __init__(self, app_settings: Settings) -> None:
        self.runner = asyncio.Runner()
        self.app: Starlette = create_app(app_settings)
        # Starlette's own lifespan context: asgi-lifespan's manager runs a task group that
        # must close in the task that opened it, and every run() is a task of its own.
        self.lifespan = self.app.router.lifespan_context(self.app)
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://testserver"
        )
        self.api = Api(self.client, app_settings)

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coroutine)

    def __enter__(self) -> Loop:
        self.run(self.lifespan.__aenter__())
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.run(self.client.aclose())
            self.run(self.lifespan.__aexit__(None, None, None))
        finally:
            self.runner.close()


TABLES = [table.name for table in Base.metadata.sorted_tables]


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: a refused step must leave all of them as they were. (Plain
    SQL on the driver's cursor: this runs after every step.)"""
    with engine.connect() as connection:
        cursor = connection.connection.cursor()
        rows = {}
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {table}")
            rows[table] = sorted((tuple(row) for row in cursor.fetchall()), key=repr)
        cursor.close()
    return rows


def broken_invariants(engine: Engine) -> list[str]:
    """What the database says is wrong, by reading its rows (not the model)."""
    wrong = ledger_disagreements(engine)
    with engine.connect() as connection:

        def rows(sql: str) -> list[Any]:
            return list(connection.execute(text(sql)).all())

        wrong += [
            f"order {order}: refunded {refunded} > paid {paid}"
            for order, paid, refunded in rows(
                "SELECT order_id, "
                "sum(CASE WHEN kind IN ('SALE', 'CAPTURE') THEN amount ELSE 0 END), "
                "sum(CASE WHEN kind = 'REFUND' THEN amount ELSE 0 END) "
                "FROM order_transactions WHERE status = 'SUCCESS' GROUP BY order_id"
            )
            if refunded > paid
        ]
        wrong += [
            f"fulfillment line {line} ({status}): {returned} on returns, {shipped} shipped"
            for line, status, shipped, returned in rows(
                "SELECT fl.id, f.status, fl.quantity, coalesce(sum(rl.quantity), 0) "
                "FROM fulfillment_lines fl JOIN fulfillments f ON f.id = fl.fulfillment_id "
                "LEFT JOIN return_lines rl ON rl.fulfillment_line_id = fl.id AND rl.return_id IN "
                "(SELECT id FROM returns WHERE status NOT IN ('DECLINED', 'CANCELLED')) "
                "GROUP BY fl.id, f.status, fl.quantity"
            )
            if returned > (shipped if status == "SUCCESS" else 0)
        ]
        wrong += [
            f"reverse line {line}: {disposed} disposed + {remaining} remaining "
            f"!= {total} total, {returned} returned"
            for line, total, remaining, returned, disposed in rows(
                "SELECT l.id, l.total_quantity, l.remaining_quantity, rl.quantity, "
                "coalesce((SELECT sum(d.quantity) FROM reverse_dispositions d "
                "WHERE d.line_id = l.id), 0) "
                "FROM reverse_fulfillment_order_lines l "
                "JOIN return_lines rl ON rl.id = l.return_line_id"
            )
            if disposed + remaining != total or total != returned or remaining < 0
        ]
        for table, column in (
            ("return_lines", "quantity"),
            ("reverse_dispositions", "quantity"),
            ("reverse_delivery_lines", "quantity"),
            ("fulfillment_lines", "quantity"),
            ("fulfillment_order_lines", "remaining_quantity"),
            ("order_transactions", "amount"),
            ("order_lines", "refunded_quantity"),
            ("refund_lines", "quantity"),
            ("exchange_lines", "quantity"),
        ):
            wrong += [
                f"{table} {row_id}: {column} {value}"
                for row_id, value in rows(f"SELECT id, {column} FROM {table} WHERE {column} < 0")
            ]
        wrong += [
            f"order line {line}: {refunded} refunded of {fulfilled} fulfilled"
            for line, refunded, fulfilled in rows(
                "SELECT id, refunded_quantity, fulfilled_quantity FROM order_lines"
            )
            if refunded > fulfilled
        ]
        wrong += [
            f"level {level_id} of a DENY item: available {available}"
            for level_id, available in rows(
                "SELECT l.id, l.on_hand - l.committed - l.reserved - l.damaged "
                "- l.safety_stock - l.quality_control FROM inventory_levels l "
                "JOIN inventory_items i ON i.id = l.item_id WHERE i.inventory_policy = 'DENY'"
            )
            if available < 0
        ]
    return wrong


class Returns(RuleBasedStateMachine):
    """One example: a fresh shop, then random steps; the model says what each should do."""

    loop: Loop
    engine: Engine

    def __init__(self) -> None:
        super().__init__()
        # In a thread, with the loop running: a relay read the loop paused mid-transaction
        # would otherwise block PostgreSQL's TRUNCATE for good.
        self.loop.run(asyncio.to_thread(empty_database, self.engine))
        self.api = self.loop.api
        database = self.loop.app.state.runtime.database
        shop = self.loop.run(a_shop(database, tee_milano=12, tee_roma=12, mug_roma=8))
        torino = self.loop.run(a_location(database, name="Torino", priority=1))
        # Torino never held stock: a disposal there starts a level.
        self.locations = [encode_gid("Location", x.id) for x in (shop.milano, shop.roma, torino)]
        self.orders: list[OrderModel] = []
        self.returns: dict[str, ReturnModel] = {}
        self.rows = snapshot(self.engine)

    # --- helpers -----------------------------------------------------------------------

    def gql(self, document: str, variables: dict[str, Any], **kw: Any) -> Any:
        return self.loop.run(self.api.gql(document, variables, **kw)).ok()

    def refused(self, payload: dict[str, Any], expected: set[str]) -> None:
        """The step was refused with (only) the expected codes and changed no row."""
        found = {error["code"] for error in payload["userErrors"]}
        assert found, "refused without a userError"
        assert found <= expected, (payload["userErrors"], expected)
        assert snapshot(self.engine) == self.rows, "a refused step changed rows"

    def accepted(self, payload: dict[str, Any]) -> None:
        assert payload["userErrors"] == [], payload["userErrors"]

    def returnable(self, order: OrderModel) -> dict[str, int]:
        """Fulfillment line id -> units that can still come back, by the model."""
        left = {
            line: units
            for shipment in order.shipments.values()
            if shipment.status == "SUCCESS"
            for line, units in shipment.lines.items()
        }
        for ret in self.returns.values():
            if ret.order_id == order.id and ret.status not in NOT_RETURNING:
                for line, units in ret.lines.items():
                    left[line] -= units
        return left

    @staticmethod
    def some_units(data: st.DataObject, left: int) -> int:
        """Mostly 1 to ``left`` units; now and then none, or one too many."""
        if left and data.draw(st.integers(0, 3)) < 3:
            return data.draw(st.integers(1, left))
        return data.draw(st.sampled_from([0, left + 1]))

    def returnable_orders(self) -> list[OrderModel]:
        return [order for order in self.orders if any(self.returnable(order).values())]

    def unshipped_orders(self) -> list[OrderModel]:
        return [order for order in self.orders if order.unshipped or order.stale]

    def live_shipments(self) -> list[tuple[OrderModel, str, Shipment]]:
        return [
            (order, shipment_id, shipment)
            for order in self.orders
            for shipment_id, shipment in sorted(order.shipments.items())
            if shipment.status == "SUCCESS"
        ]

    # --- orders and shipments ------------------------------------------------------------

    @initialize(tee=st.integers(1, 4), mug=st.integers(0, 2))
    def a_shipped_order(self, tee: int, mug: int) -> None:
        """Every example starts with one paid order shipped in full, so that returns can
        start at the first step."""
        lines = [("TEE", tee), ("MUG", mug)] if mug else [("TEE", tee)]
        payload = self.gql(CREATE_ORDER, order_input(*lines, financialStatus="PAID"))
        order = OrderModel(payload["orderCreate"]["order"]["id"], 0)
        self.orders.append(order)
        work = self.gql(WORK, {"id": order.id})["order"]["fulfillmentOrders"]["nodes"]
        payload = self.gql(
            FULFIL,
            {
                "input": {
                    "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]} for fo in work]
                }
            },
        )
        self.accepted(payload["fulfillmentCreate"])
        shipped = payload["fulfillmentCreate"]["fulfillment"]
        order.shipments[shipped["id"]] = Shipment(
            "SUCCESS", {line["id"]: line["quantity"] for line in shipped["fulfillmentLineItems"]}
        )

    def place_a_paid_order(self, data: st.DataObject) -> None:
        lines = data.draw(
            st.lists(
                st.tuples(st.sampled_from(SKUS), st.integers(1, 4)),
                min_size=1,
                max_size=2,
                unique_by=lambda line: line[0],
            )
        )
        payload = self.gql(CREATE_ORDER, order_input(*lines, financialStatus="PAID"))["orderCreate"]
        if payload["order"] is None:  # out of stock
            self.refused(payload, {"INSUFFICIENT_STOCK"})
            return
        self.accepted(payload)
        self.orders.append(OrderModel(payload["order"]["id"], sum(units for _, units in lines)))

    def ship(self, data: st.DataObject) -> None:
        """Some or all open units of an order."""
        order = data.draw(st.sampled_from(self.unshipped_orders()))
        work = self.gql(WORK, {"id": order.id})["order"]["fulfillmentOrders"]["nodes"]
        open_work = [
            (fo, [line for line in fo["lineItems"]["nodes"] if line["remainingQuantity"]])
            for fo in work
            if fo["status"] in ("OPEN", "IN_PROGRESS")
        ]
        open_work = [(fo, lines) for fo, lines in open_work if lines]
        left = sum(line["remainingQuantity"] for _, lines in open_work for line in lines)
        if not order.stale:
            assert left == order.unshipped
        order.unshipped, order.stale = left, False
        if not open_work:
            return
        fo, lines = data.draw(st.sampled_from(open_work))
        entry: dict[str, Any] = {"fulfillmentOrderId": fo["id"]}
        too_many = False
        if data.draw(st.booleans()):  # some units of some lines
            chosen = data.draw(
                st.lists(st.sampled_from(lines), min_size=1, unique_by=lambda x: x["id"])
            )
            entry["fulfillmentOrderLineItems"] = [
                {"id": line["id"], "quantity": self.some_units(data, line["remainingQuantity"])}
                for line in chosen
            ]
            too_many = any(
                not 1 <= wanted["quantity"] <= line["remainingQuantity"]
                for wanted, line in zip(entry["fulfillmentOrderLineItems"], chosen, strict=True)
            )
        payload = self.gql(FULFIL, {"input": {"lineItemsByFulfillmentOrder": [entry]}})[
            "fulfillmentCreate"
        ]
        if too_many:
            self.refused(payload, {"INVALID_QUANTITY", "OVER_FULFILLMENT"})
            return
        self.accepted(payload)
        shipped = payload["fulfillment"]
        shipment = Shipment(
            "SUCCESS", {line["id"]: line["quantity"] for line in shipped["fulfillmentLineItems"]}
        )
        order.shipments[shipped["id"]] = shipment
        order.unshipped -= sum(shipment.lines.values())

    def cancel_a_shipment(self, data: st.DataObject) -> None:
        order, shipment_id, shipment = data.draw(st.sampled_from(self.live_shipments()))
        on_returns = any(
            ret.lines.get(line)
            for ret in self.returns.values()
            if ret.status not in NOT_RETURNING
            for line in shipment.lines
        )
        payload = self.gql(CANCEL_SHIPMENT, {"id": shipment_id})["fulfillmentCancel"]
        if on_returns or (order.refunded and payload["userErrors"]):
            # Nor may units a refund paid back be shipped again; the model leaves which
            # refunds those are to the refund tests.
            self.refused(payload, {"INVALID_STATE"})
            return
        self.accepted(payload)
        shipment.status = "CANCELLED"
        order.unshipped += sum(shipment.lines.values())

    # --- returns -------------------------------------------------------------------------

    def return_units(self, data: st.DataObject) -> None:
        how = data.draw(st.sampled_from(["request", "customer", "stranger", "create"]))
        order = data.draw(st.sampled_from(self.returnable_orders()))
        left = self.returnable(order)
        lines = sorted(line for line, units in left.items() if units)
        if data.draw(st.integers(0, 7)) == 7:  # now and then any line, a cancelled one too
            lines = sorted(
                {line for shipment in order.shipments.values() for line in shipment.lines}
            )
        chosen = data.draw(st.lists(st.sampled_from(lines), min_size=1, max_size=2, unique=True))
        asked = [(line, self.some_units(data, left.get(line, 0))) for line in chosen]
        expected: set[str] = set()
        counted: dict[str, int] = defaultdict(int)
        for line, quantity in asked:
            if line not in left:
                expected.add("NOT_FOUND")  # its shipment was cancelled
            elif quantity < 1:
                expected.add("INVALID_QUANTITY")
            else:
                counted[line] += quantity
                if counted[line] > left[line]:
                    expected.add("OVER_RETURN")
        exchange = data.draw(st.integers(0, 3)) == 3  # now and then other items instead
        given = {
            "input": {
                "orderId": order.id,
                **(
                    {
                        "exchangeLineItems": [
                            {"sku": data.draw(st.sampled_from(SKUS)), "quantity": 1}
                        ]
                    }
                    if exchange
                    else {}
                ),
                "returnLineItems": [
                    {
                        "fulfillmentLineItemId": line,
                        "quantity": quantity,
                        "returnReason": data.draw(st.sampled_from(REASONS)),
                    }
                    for line, quantity in asked
                ],
            }
        }
        if how == "create":
            payload = self.gql(CREATE, given)["returnCreate"]
        else:
            token = {
                "request": None,
                "customer": self.api.token("customer", email=EMAIL),
                "stranger": self.api.token("customer", email="someone@example.com"),
            }[how]
            kw = {} if token is None else {"token": token}
            payload = self.gql(REQUEST, given, **kw)["returnRequest"]
            if how == "stranger":
                expected = {"NOT_FOUND"}
        if expected:
            self.refused(payload, expected)
            return
        self.accepted(payload)
        ret = payload["return"]
        assert ret["status"] == ("OPEN" if how == "create" else "REQUESTED")
        if exchange:
            order.stale = True  # the new lines are to ship once the units are back
        model = ReturnModel(order.id, ret["status"], dict(counted))
        model.read_work(ret)
        if how == "create":
            assert sum(model.total.values()) == sum(counted.values())
        self.returns[ret["id"]] = model
        assert self.read_returnable(order) == {
            line: units for line, units in self.returnable(order).items() if units
        }

    def read_returnable(self, order: OrderModel) -> dict[str, int]:
        nodes = self.gql(RETURNABLE, {"id": order.id})["returnableFulfillments"]["nodes"]
        return {
            line["fulfillmentLineItem"]["id"]: line["quantity"]
            for node in nodes
            for line in node["returnableFulfillmentLineItems"]["nodes"]
            if line["quantity"]
        }

    def change_status(self, data: st.DataObject) -> None:
        return_id = data.draw(st.sampled_from(sorted(self.returns)))
        ret = self.returns[return_id]
        actions = [
            "returnApproveRequest",
            "returnDeclineRequest",
            "returnCancel",
            "returnClose",
            "returnReopen",
        ]
        fitting = {
            "REQUESTED": ["returnApproveRequest", "returnDeclineRequest", "returnCancel"],
            "OPEN": ["returnClose"] if ret.received else ["returnClose", "returnCancel"],
            "CLOSED": ["returnReopen"],
        }.get(ret.status)
        if fitting and data.draw(st.integers(0, 3)) < 3:  # now and then any action
            actions = fitting
        action = data.draw(st.sampled_from(actions))
        allowed, after = {
            "returnApproveRequest": ({"REQUESTED"}, "OPEN"),
            "returnDeclineRequest": ({"REQUESTED"}, "DECLINED"),
            "returnCancel": (set() if ret.received else {"REQUESTED", "OPEN"}, "CANCELLED"),
            "returnClose": ({"OPEN"}, "CLOSED"),
            "returnReopen": ({"CLOSED"}, "OPEN"),
        }[action]
        if action == "returnApproveRequest":
            document = APPROVE
        elif action == "returnDeclineRequest":
            document = DECLINE
        else:
            document = LIFECYCLE % action
        payload = self.gql(document, {"id": return_id})[action]
        if ret.status not in allowed:
            self.refused(payload, {"INVALID_STATE"})
            return
        self.accepted(payload)
        assert payload["return"]["status"] == after
        ret.status = after
        ret.read_work(payload["return"])
        if ret.work:
            (work_status,) = ret.work.values()
            # Reverse work is open exactly while its return is open with units to receive.
            expected = "OPEN" if after == "OPEN" and any(ret.remaining.values()) else None
            if expected:
                assert work_status == expected
            else:
                assert work_status in ("CLOSED", "CANCELLED")

    def label(self, data: st.DataObject) -> None:
        rets = [ret for ret in self.returns.values() if ret.work]
        ret = data.draw(st.sampled_from(rets))
        (rfo_id,) = ret.work
        payload = self.gql(LABEL, {"id": rfo_id})["reverseDeliveryCreateWithShipping"]
        if ret.status != "OPEN":
            self.refused(payload, {"INVALID_STATE"})
            return
        self.accepted(payload)

    def dispose(self, data: st.DataObject) -> None:
        lines = sorted((line, ret) for ret in self.returns.values() for line in ret.remaining)
        receivable = [
            (line, ret) for line, ret in lines if ret.status == "OPEN" and ret.remaining[line]
        ]
        if data.draw(st.integers(0, 7)) < 7:  # now and then any line
            lines = receivable
        picked = data.draw(st.lists(st.sampled_from(lines), min_size=1, max_size=3))
        expected: set[str] = set()
        counted: dict[str, int] = defaultdict(int)
        inputs = []
        for line, ret in picked:
            quantity = self.some_units(data, max(ret.remaining[line] - counted[line], 0))
            kind = data.draw(st.sampled_from(DISPOSITIONS))
            location = data.draw(st.sampled_from([*self.locations, None]))
            inputs.append((line, quantity, kind, location))
            (work_status,) = ret.work.values()
            if ret.status != "OPEN" or work_status != "OPEN":
                expected.add("INVALID_STATE")
            if quantity < 1:
                expected.add("INVALID_QUANTITY")
                continue
            if kind in MOVES_STOCK and location is None:
                expected.add("BLANK")
            counted[line] += quantity
            if counted[line] > ret.remaining[line]:
                expected.add("OVER_DISPOSAL")
        payload = self.gql(
            DISPOSE,
            {
                "inputs": [
                    {
                        "reverseFulfillmentOrderLineItemId": line,
                        "quantity": quantity,
                        "dispositionType": kind,
                        "locationId": location,
                    }
                    for line, quantity, kind, location in inputs
                ]
            },
        )["reverseFulfillmentOrderDispose"]
        if expected:
            self.refused(payload, expected)
            return
        self.accepted(payload)
        by_line = dict(picked)
        for line, quantity in counted.items():
            by_line[line].remaining[line] -= quantity
        for answered in payload["reverseFulfillmentOrderLineItems"]:
            assert (
                answered["remainingQuantity"] == by_line[answered["id"]].remaining[answered["id"]]
            )
        for ret in by_line.values():
            if not any(ret.remaining.values()):
                (rfo_id,) = ret.work
                ret.work[rfo_id] = "CLOSED"

    # --- refunds -------------------------------------------------------------------------

    def refund(self, data: st.DataObject) -> None:
        """Refund some units (the suggested money, or a cent more: refused) of an order."""
        order = data.draw(st.sampled_from(self.orders))
        nodes = self.gql(LINES, {"id": order.id})["order"]["lineItems"]["nodes"]
        line = data.draw(st.sampled_from(nodes))
        restock = data.draw(st.sampled_from(RESTOCK_TYPES))
        most = line["unfulfilledQuantity"] if restock == "CANCEL" else line["refundableQuantity"]
        lines = [
            {
                "lineItemId": line["id"],
                "quantity": self.some_units(data, most),
                "restockType": restock,
            }
        ]
        suggested = self.loop.run(self.api.gql(SUGGEST, {"id": order.id, "lines": lines}))
        given: dict[str, Any] = {"orderId": order.id, "refundLineItems": lines}
        too_much = False
        if suggested.data and suggested.data["suggestedRefund"]:
            given["transactions"] = [
                {"parentId": t["parentTransaction"]["id"], "amount": t["amount"]}
                for t in suggested.data["suggestedRefund"]["suggestedTransactions"]
            ]
            if given["transactions"] and data.draw(st.integers(0, 3)) == 3:
                money = given["transactions"][0]["amount"]
                money["amount"] = str(Decimal(money["amount"]) + Decimal("0.01"))
                too_much = True
        payload = self.gql(REFUND, {"input": given})["refundCreate"]
        if too_much:
            self.refused(payload, {"REFUND_EXCEEDS_PAID", "REFUND_EXCEEDS_REFUNDABLE"})
        elif payload["userErrors"]:
            # Which units may be refunded is the refund tests' business; here a refusal
            # only has to change nothing.
            self.refused(payload, {error["code"] for error in payload["userErrors"]})
        else:
            self.accepted(payload)
            order.stale = order.refunded = True

    # --- one step ------------------------------------------------------------------------

    def can(self, action: str) -> bool:
        return {
            "place_a_paid_order": lambda: len(self.orders) < MAX_ORDERS,
            "ship": lambda: bool(self.unshipped_orders()),
            "cancel_a_shipment": lambda: bool(self.live_shipments()),
            "return_units": lambda: bool(self.returnable_orders()),
            "change_status": lambda: bool(self.returns),
            "label": lambda: any(ret.work for ret in self.returns.values()),
            "refund": lambda: bool(self.orders),
            "dispose": lambda: any(
                ret.status == "OPEN" and any(ret.remaining.values())
                for ret in self.returns.values()
            ),
        }[action]()

    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        """One action, drawn by weight among those that can apply (Hypothesis draws its
        rules evenly, and orders and shipments crowded out the returns)."""
        actions = [action for action, weight in STEPS for _ in range(weight) if self.can(action)]
        if actions:
            getattr(self, data.draw(st.sampled_from(actions), label="action"))(data)

    # --- after every step ----------------------------------------------------------------

    @invariant()
    def the_books_agree(self) -> None:
        assert broken_invariants(self.engine) == []
        self.rows = snapshot(self.engine)


@pytest.fixture
def loop(settings: Settings) -> Iterator[Loop]:
    with Loop(settings) as running:
        yield running


@pytest.mark.slow  # about 300 steps through the API per database
def test_returns_keep_stock_and_money_consistent_under_random_use(
    loop: Loop, sync_engine: Engine
) -> None:
    Returns.loop = loop
    Returns.engine = sync_engine
    run_state_machine_as_test(Returns, settings=SETTINGS)
