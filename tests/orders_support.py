"""Shared given-steps and documents for the order tests."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, text

from oms_graphql import mail, models
from oms_graphql.db import Database
from oms_graphql.taxes.service import RateFields, set_rate
from tests.api import Api
from tests.factories import a_channel, a_location, an_item, stocked

ORDER_FIELDS = """
  id name email currencyCode status displayFinancialStatus displayFulfillmentStatus version
  cancelReason cancelledAt closedAt tags note
  channel { handle } customer { id email numberOfOrders amountSpent { amount currencyCode } }
  subtotalPrice { amount } totalDiscounts { amount } totalTax { amount }
  totalShipping { amount } totalPrice { amount currencyCode } currentTotalPrice { amount }
  totalReceived { amount } totalRefunded { amount } totalOutstanding { amount }
  lineItems(first: 50) { nodes { id sku quantity currentQuantity unfulfilledQuantity
    originalUnitPrice { amount } discountedTotal { amount } totalTax { amount }
    discountAllocations { allocatedAmount { amount } discountApplication { title } } } }
  shippingLines { title price { amount } tax { amount } }
  transactions { id kind status amount { amount } parentTransactionId }
  fulfillmentOrders(first: 10) { nodes { id status assignedLocation { name }
    lineItems(first: 50) { nodes { sku totalQuantity remainingQuantity } } } }
"""
CREATE = (
    """mutation($input: OrderCreateInput!, $key: String) {
  orderCreate(input: $input, idempotencyKey: $key) {
    order {"""
    + ORDER_FIELDS
    + """}
    userErrors { field message code } } }"""
)
ORDER = "query($id: ID!) { order(id: $id) {" + ORDER_FIELDS + "} }"


@dataclass
class Shop:
    web: models.Channel
    milano: models.Location
    roma: models.Location
    tee: models.InventoryItem
    mug: models.InventoryItem
    levels: dict[tuple[str, str], int]
    """(sku, location name) -> level id"""


async def a_shop(
    database: Database, *, tee_milano: int = 10, tee_roma: int = 10, mug_roma: int = 5
) -> Shop:
    """A web channel, two locations (Milano preferred; Roma offers pickup), two SKUs in
    stock at both, and Italy's 22% tax."""
    web = await a_channel(database, handle="web")
    milano = await a_location(database, name="Milano", priority=10)
    roma = await a_location(database, name="Roma", priority=5, pickup_enabled=True)
    tee = await an_item(database, sku="TEE")
    mug = await an_item(database, sku="MUG", title="Mug")
    levels = {}
    for item, location, units in (
        (tee, milano, tee_milano),
        (tee, roma, tee_roma),
        (mug, milano, 5),
        (mug, roma, mug_roma),
    ):
        level = await stocked(database, item, location, units)
        levels[(item.sku, location.name)] = level.id
    async with database.transaction() as session:
        await set_rate(session, given=RateFields("IT", Decimal("0.22"), name="IVA"))
    return Shop(web, milano, roma, tee, mug, levels)


ADDRESS = {"firstName": "Maria", "lastName": "Rossi", "city": "Milano", "countryCode": "IT"}


def order_input(*lines: tuple[str, int], **extra: Any) -> dict[str, Any]:
    return {
        "input": {
            "channel": "web",
            "customer": {"email": "maria@example.com", "firstName": "Maria", "lastName": "Rossi"},
            "shippingAddress": ADDRESS,
            "lineItems": [{"sku": sku, "quantity": quantity} for sku, quantity in lines],
            **extra,
        }
    }


async def create_order(api: Api, *lines: tuple[str, int], **extra: Any) -> dict[str, Any]:
    """An order that must succeed; its payload's order."""
    payload = (await api.gql(CREATE, order_input(*lines, **extra))).ok()["orderCreate"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload["order"]  # type: ignore[no-any-return]


def ok(result: Any, name: str) -> dict[str, Any]:
    """The payload of mutation ``name``, after asserting it has no userErrors."""
    payload = result.ok()[name]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload  # type: ignore[no-any-return]


FO = """query($id: ID!) { order(id: $id) { fulfillmentOrders(first: 5) { nodes { id } } } }"""
SHIP = """mutation($input: FulfillmentInput!) { fulfillmentCreate(fulfillment: $input) {
  fulfillment { id fulfillmentLineItems { id quantity lineItem { sku } } }
  userErrors { code } } }"""
RETURN_CREATE = """mutation($input: ReturnInput!) { returnCreate(returnInput: $input) {
  return { id status reverseFulfillmentOrders(first: 5) { nodes { id
    lineItems(first: 10) { nodes { id } } } } }
  userErrors { field message code } } }"""


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


def return_input(order_id: str, *lines: tuple[str, int], reason: str = "SIZE_TOO_SMALL") -> Any:
    """Variables for returnRequest/returnCreate: ``lines`` are (fulfillment line id, units)."""
    return {
        "input": {
            "orderId": order_id,
            "returnLineItems": [
                {"fulfillmentLineItemId": line_id, "quantity": quantity, "returnReason": reason}
                for line_id, quantity in lines
            ],
        }
    }


def draft_input(**extra: Any) -> dict[str, Any]:
    """A DraftOrderInput: two TEE, a custom line, shipping, a 10% discount and a tag."""
    return {
        "channel": "web",
        "customer": {"email": "anna@example.com", "firstName": "Anna", "lastName": "Bianchi"},
        "shippingAddress": ADDRESS,
        "lineItems": [
            {"sku": "TEE", "quantity": 2},
            {"title": "Gift wrapping", "quantity": 1, "originalUnitPrice": "5.00"},
        ],
        "shippingLine": {"title": "Express", "price": "9.90"},
        "discounts": [{"valueType": "PERCENTAGE", "value": "10", "title": "B2B"}],
        "tags": ["b2b"],
        "note": "call before delivery",
        **extra,
    }


ORDER_TABLES = (
    "orders",
    "order_lines",
    "order_transactions",
    "fulfillment_orders",
    "fulfillment_order_lines",
    "inventory_changes",
    "events",
    "customers",
    "reservations",
    "routing_decisions",
    "routing_rulesets",
)
"""The tables orders touch."""


def table_counts(engine: Engine, tables: Iterable[str] = ORDER_TABLES) -> dict[str, int]:
    """Rows per table (by default the ones orders touch), to prove a refusal wrote nothing."""
    with engine.connect() as connection:
        return {
            table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in tables
        }


def amounts(nodes: list[dict[str, Any]], key: str) -> list[str]:
    return [node[key]["amount"] for node in nodes]


class Outbox:
    """A mail sender that keeps what it is given."""

    def __init__(self) -> None:
        self.sent: list[mail.MailMessage] = []

    async def send(self, message: mail.MailMessage) -> None:
        self.sent.append(message)


@pytest.fixture
def outbox() -> Iterator[Outbox]:
    """The mail sent during the test (instead of the logging sender)."""
    box = Outbox()
    previous = mail.set_sender(box)
    yield box
    mail.set_sender(previous)
