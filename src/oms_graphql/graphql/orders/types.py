from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from oms_graphql import models
from oms_graphql.addresses import ADDRESS_FIELDS
from oms_graphql.db import utcnow
from oms_graphql.events import repository as events
from oms_graphql.fulfillment import lifecycle
from oms_graphql.graphql.channels.types import Channel
from oms_graphql.graphql.common import MailingAddress
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.customers.types import Customer
from oms_graphql.graphql.events.types import Event
from oms_graphql.graphql.fulfillment.types import DecisionFacts, RoutingDecision
from oms_graphql.graphql.inventory.types import InventoryItem
from oms_graphql.graphql.locations.types import Location
from oms_graphql.graphql.money import CurrencyCode, MoneyV2
from oms_graphql.graphql.node import Node, register_node
from oms_graphql.graphql.orders.enums import (
    DeliveryMethodType,
    DiscountValueType,
    FulfillmentOrderAction,
    FulfillmentOrderRequestStatus,
    FulfillmentOrderStatus,
    OrderCancelReason,
    OrderDisplayFinancialStatus,
    OrderDisplayFulfillmentStatus,
    OrderStatus,
    OrderTransactionKind,
    OrderTransactionStatus,
)
from oms_graphql.graphql.pagination import After, Connection, First, connection, nested_connection
from oms_graphql.ids import encode_gid
from oms_graphql.models import LocationKind
from oms_graphql.orders import repository
from oms_graphql.orders.payments import current_total, outstanding
from oms_graphql.paging import PageRequest

if TYPE_CHECKING:
    from oms_graphql.graphql.fulfillment.shipments import Fulfillment, FulfillmentHold
    from oms_graphql.graphql.returns.refunds import Refund
    from oms_graphql.graphql.returns.types import Return

_SHIPMENTS = "oms_graphql.graphql.fulfillment.shipments"
"""Fulfillment types refer back to orders: they are imported lazily, where used."""
_RETURNS = "oms_graphql.graphql.returns.types"
_REFUNDS = "oms_graphql.graphql.returns.refunds"


@strawberry.type(description="A manual discount on the whole order or on one line.")
class DiscountApplication:
    row: strawberry.Private[models.DiscountApplication]
    currency: strawberry.Private[str]
    title: str = strawberry.field(description="What the discount is called.")
    value_type: DiscountValueType = strawberry.field(description="Percentage or fixed amount.")
    value: Decimal = strawberry.field(
        description="The percentage (10 means 10%) or the amount in the order's currency."
    )

    @strawberry.field(description="What the discount took off the order in all.")
    def amount(self) -> MoneyV2:
        return MoneyV2.exact(self.row.amount, self.currency)

    @strawberry.field(description="The line it applies to; null for a discount on the order.")
    async def line_item(self, info: Info) -> LineItem | None:
        if self.row.line_id is None:
            return None
        row = await info.context.loaders.order_line.load(self.row.line_id)
        return LineItem.of(row, self.currency) if row else None

    @classmethod
    def of(cls, row: models.DiscountApplication, currency: str) -> DiscountApplication:
        return cls(
            row=row, currency=currency, title=row.title, value_type=row.value_type, value=row.value
        )


@strawberry.type(description="The part of one discount that one line carries.")
class DiscountAllocation:
    allocated_amount: MoneyV2 = strawberry.field(description="How much of it this line carries.")
    discount_application: DiscountApplication = strawberry.field(
        description="The discount it is part of."
    )


@strawberry.type(description="A tax charged on a line, at the rate of the time of the order.")
class TaxLine:
    title: str = strawberry.field(description="The tax's name, e.g. IVA.")
    rate: Decimal = strawberry.field(description="The rate as a fraction: 0.22 is 22%.")
    price: MoneyV2 = strawberry.field(description="The amount of tax.")


@strawberry.type(description="One line of an order: a SKU, how many, and what it cost.")
class LineItem(Node):
    row: strawberry.Private[models.OrderLine]
    currency: strawberry.Private[str]
    sku: str | None = strawberry.field(description="The SKU ordered.")
    title: str = strawberry.field(description="The item's title when it was ordered.")
    quantity: int = strawberry.field(description="Units ordered originally.")
    current_quantity: int = strawberry.field(
        description="Units still ordered: less those edited off, cancelled or refunded."
    )
    fulfilled_quantity: int = strawberry.field(description="Units shipped or picked up.")

    @strawberry.field(description="Units still ordered and not fulfilled yet.")
    def unfulfilled_quantity(self) -> int:
        return self.row.current_quantity - self.row.fulfilled_quantity

    @strawberry.field(
        description="Units that can still be refunded: shipped or not, not refunded yet."
    )
    def refundable_quantity(self) -> int:
        return self.row.current_quantity - self.row.refunded_quantity

    @strawberry.field(description="Price of one unit before discounts.")
    def original_unit_price(self) -> MoneyV2:
        return MoneyV2.exact(self.row.original_unit_price, self.currency)

    @strawberry.field(description="Unit price times quantity, before discounts.")
    def original_total(self) -> MoneyV2:
        return MoneyV2.exact(self.row.original_unit_price * self.row.quantity, self.currency)

    @strawberry.field(description="What the discounts allocated to this line took off.")
    def total_discount(self) -> MoneyV2:
        return MoneyV2.exact(self.row.total_discount, self.currency)

    @strawberry.field(description="The line's total after its share of every discount.")
    def discounted_total(self) -> MoneyV2:
        return MoneyV2.exact(self.row.discounted_total, self.currency)

    @strawberry.field(
        description="The tax on the line after discounts (inside it when taxes are included)."
    )
    def total_tax(self) -> MoneyV2:
        return MoneyV2.exact(self.row.tax_amount, self.currency)

    @strawberry.field(description="The tax applied to the line (none where no rate applies).")
    def tax_lines(self) -> list[TaxLine]:
        if not self.row.tax_rate:
            return []
        return [
            TaxLine(
                title=self.row.tax_title or "Tax",
                rate=self.row.tax_rate,
                price=MoneyV2.exact(self.row.tax_amount, self.currency),
            )
        ]

    @strawberry.field(description="The line's share of each discount, adding up exactly.")
    async def discount_allocations(self, info: Info) -> list[DiscountAllocation]:
        allocations = await info.context.loaders.discount_allocations.load(self.row.id)
        if not allocations:
            return []
        applications = {
            row.id: row
            for row in await info.context.loaders.discount_applications.load(self.row.order_id)
        }
        return [
            DiscountAllocation(
                allocated_amount=MoneyV2.exact(allocation.amount, self.currency),
                discount_application=DiscountApplication.of(
                    applications[allocation.application_id], self.currency
                ),
            )
            for allocation in allocations
        ]

    @strawberry.field(description="The inventory item ordered.")
    async def inventory_item(self, info: Info) -> InventoryItem | None:
        if self.row.item_id is None:
            return None
        row = await info.context.loaders.inventory_item.load(self.row.item_id)
        return InventoryItem.from_model(row) if row else None

    @classmethod
    def of(cls, row: models.OrderLine, currency: str) -> LineItem:
        return cls(
            id=strawberry.ID(encode_gid("LineItem", row.id)),
            row=row,
            currency=currency,
            sku=row.sku,
            title=row.title,
            quantity=row.quantity,
            current_quantity=row.current_quantity - row.refunded_quantity,
            fulfilled_quantity=row.fulfilled_quantity,
        )


@strawberry.type(description="A shipping charge on an order.")
class ShippingLine:
    title: str = strawberry.field(description="What the shipping is called.")
    code: str | None = strawberry.field(description="The carrier's or the shop's code for it.")
    price: MoneyV2 = strawberry.field(description="What it costs.")
    tax: MoneyV2 = strawberry.field(description="The tax on it (inside it when included).")


@strawberry.type(description="Money moving for an order: authorized, captured, refunded...")
class OrderTransaction(Node):
    kind: OrderTransactionKind = strawberry.field(description="What the transaction does.")
    status: OrderTransactionStatus = strawberry.field(description="Whether it went through.")
    gateway: str = strawberry.field(description="Who moved the money; 'manual' for now.")
    amount: MoneyV2 = strawberry.field(description="How much.")
    parent_transaction_id: strawberry.ID | None = strawberry.field(
        description="The transaction this one captures, refunds or voids."
    )
    actor: str | None = strawberry.field(description="Who recorded it (the token's subject).")
    created_at: datetime = strawberry.field(description="When it was recorded.")

    @classmethod
    def from_model(cls, row: models.OrderTransaction) -> OrderTransaction:
        return cls(
            id=strawberry.ID(encode_gid("OrderTransaction", row.id)),
            kind=row.kind,
            status=row.status,
            gateway=row.gateway,
            amount=MoneyV2.exact(row.amount, row.currency_code),
            parent_transaction_id=(
                strawberry.ID(encode_gid("OrderTransaction", row.parent_id))
                if row.parent_id is not None
                else None
            ),
            actor=row.actor,
            created_at=row.created_at,
        )


@strawberry.type(description="Some units of one order line, to fulfil from one location.")
class FulfillmentOrderLineItem(Node):
    row: strawberry.Private[models.FulfillmentOrderLine]
    total_quantity: int = strawberry.field(description="Units assigned to this location.")
    remaining_quantity: int = strawberry.field(description="Units still to fulfil.")

    @strawberry.field(description="The order line.")
    async def line_item(self, info: Info) -> LineItem:
        row = await info.context.loaders.order_line.load(self.row.order_line_id)
        assert row is not None
        order = await info.context.loaders.order.load(row.order_id)
        return LineItem.of(row, order.currency_code if order else "EUR")

    @strawberry.field(description="The SKU.")
    async def sku(self, info: Info) -> str | None:
        row = await info.context.loaders.order_line.load(self.row.order_line_id)
        return row.sku if row else None

    @classmethod
    def from_model(cls, row: models.FulfillmentOrderLine) -> FulfillmentOrderLineItem:
        return cls(
            id=strawberry.ID(encode_gid("FulfillmentOrderLineItem", row.id)),
            row=row,
            total_quantity=row.total_quantity,
            remaining_quantity=row.remaining_quantity,
        )


@strawberry.type(description="The work of fulfilling some of an order's lines from one location.")
class FulfillmentOrder(Node):
    row: strawberry.Private[models.FulfillmentOrder]
    status: FulfillmentOrderStatus = strawberry.field(description="Where the work stands.")
    request_status: FulfillmentOrderRequestStatus = strawberry.field(
        description="Where a request to a third-party fulfillment service stands."
    )
    delivery_method: DeliveryMethodType = strawberry.field(description="How the goods leave.")
    fulfill_at: datetime | None = strawberry.field(
        description="When a scheduled fulfillment order opens."
    )
    version: int = strawberry.field(description="Incremented by every change.")
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")

    @strawberry.field(description="The order it belongs to.")
    async def order(self, info: Info) -> Order:
        row = await info.context.loaders.order.load(self.row.order_id)
        assert row is not None
        return Order.from_model(row)

    @strawberry.field(description="What can be done with it now (for buttons in a UI).")
    async def supported_actions(self, info: Info) -> list[FulfillmentOrderAction]:
        location = await info.context.loaders.location.load(self.row.location_id)
        at_service = location is not None and location.kind == LocationKind.FULFILLMENT_SERVICE
        return lifecycle.supported_actions(self.row, utcnow(), at_fulfillment_service=at_service)

    @strawberry.field(description="Why it waits; empty unless ON_HOLD.")
    async def fulfillment_holds(
        self, info: Info
    ) -> list[Annotated[FulfillmentHold, strawberry.lazy(_SHIPMENTS)]]:
        from oms_graphql.graphql.fulfillment.shipments import FulfillmentHold

        rows = await info.context.loaders.active_holds.load(self.row.id)
        return [FulfillmentHold.from_model(row) for row in rows]

    @strawberry.field(description="The routing decision that sent it to its location.")
    async def routing_decision(self, info: Info) -> RoutingDecision | None:
        if self.row.routing_decision_id is None:
            return None
        row = await info.context.loaders.routing_decision.load(self.row.routing_decision_id)
        return RoutingDecision.of(DecisionFacts.of_row(row)) if row else None

    @strawberry.field(description="The location that fulfils it.")
    async def assigned_location(self, info: Info) -> Location:
        row = await info.context.loaders.location.load(self.row.location_id)
        assert row is not None
        return Location.from_model(row)

    @strawberry.field(description="Its lines, a page at a time.")
    async def line_items(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[FulfillmentOrderLineItem]:
        return await nested_connection(
            info,
            repository.FULFILLMENT_ORDER_LINES,
            parent_id=self.row.id,
            first=first,
            after=after,
            convert=FulfillmentOrderLineItem.from_model,
        )

    @classmethod
    def from_model(cls, row: models.FulfillmentOrder) -> FulfillmentOrder:
        return cls(
            id=strawberry.ID(encode_gid("FulfillmentOrder", row.id)),
            row=row,
            status=lifecycle.effective_status(row, utcnow()),
            request_status=row.request_status,
            delivery_method=row.delivery_method,
            fulfill_at=row.fulfill_at,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(description="An order from one channel, in one currency.")
class Order(Node):
    row: strawberry.Private[models.Order]
    name: str = strawberry.field(description="The order's name, e.g. #1001.")
    email: str | None = strawberry.field(description="The buyer's email.")
    currency_code: CurrencyCode = strawberry.field(description="The currency of every amount.")
    status: OrderStatus = strawberry.field(description="OPEN, CLOSED or CANCELLED.")
    display_financial_status: OrderDisplayFinancialStatus = strawberry.field(
        description="Where the money stands."
    )
    display_fulfillment_status: OrderDisplayFulfillmentStatus = strawberry.field(
        description="Where the shipping stands."
    )
    cancel_reason: OrderCancelReason | None = strawberry.field(description="Why it was cancelled.")
    delivery_method: DeliveryMethodType = strawberry.field(
        description="Shipping, pickup or local delivery."
    )
    taxes_included: bool = strawberry.field(description="Whether prices include tax.")
    note: str | None = strawberry.field(description="A note about the order.")
    version: int = strawberry.field(
        description="Incremented by every change; pass it as expectedVersion to order mutations."
    )
    created_at: datetime = strawberry.field(description="When the order was created here.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    processed_at: datetime = strawberry.field(description="When it was placed.")
    cancelled_at: datetime | None = strawberry.field(description="When it was cancelled.")
    closed_at: datetime | None = strawberry.field(description="When it was closed.")

    def _money(self, amount: Decimal) -> MoneyV2:
        return MoneyV2.exact(amount, self.row.currency_code)

    @strawberry.field(description="Where it ships; null for pickups without an address.")
    def shipping_address(self) -> MailingAddress | None:
        address = {name: getattr(self.row, f"shipping_{name}") for name in ADDRESS_FIELDS}
        if all(value is None for value in address.values()):
            return None
        return MailingAddress(**address)

    @strawberry.field(description="The lines' totals after discounts, before shipping and tax.")
    def subtotal_price(self) -> MoneyV2:
        return self._money(self.row.subtotal_price)

    @strawberry.field(description="Everything the discounts took off.")
    def total_discounts(self) -> MoneyV2:
        return self._money(self.row.total_discounts)

    @strawberry.field(description="Tax on lines and shipping (included in prices or added).")
    def total_tax(self) -> MoneyV2:
        return self._money(self.row.total_tax)

    @strawberry.field(description="What shipping costs.")
    def total_shipping(self) -> MoneyV2:
        return self._money(self.row.total_shipping)

    @strawberry.field(description="Subtotal plus shipping plus tax (unless included).")
    def total_price(self) -> MoneyV2:
        return self._money(self.row.total_price)

    @strawberry.field(description="The total as it stands now: zero once cancelled.")
    def current_total_price(self) -> MoneyV2:
        return self._money(current_total(self.row))

    @strawberry.field(description="Money received: captures and sales.")
    def total_received(self) -> MoneyV2:
        return self._money(self.row.total_captured)

    @strawberry.field(description="Money given back.")
    def total_refunded(self) -> MoneyV2:
        return self._money(self.row.total_refunded)

    @strawberry.field(
        description=(
            "What the buyer still owes: current total - received + refunded. Negative when "
            "the merchant owes a refund."
        )
    )
    def total_outstanding(self) -> MoneyV2:
        return self._money(outstanding(self.row))

    @strawberry.field(description="The channel the order came from.")
    async def channel(self, info: Info) -> Channel:
        row = await info.context.loaders.channel.load(self.row.channel_id)
        assert row is not None
        return Channel.from_model(row)

    @strawberry.field(description="The buyer, when known.")
    async def customer(self, info: Info) -> Customer | None:
        if self.row.customer_id is None:
            return None
        row = await info.context.loaders.customer.load(self.row.customer_id)
        return Customer.from_model(row) if row else None

    @strawberry.field(description="Where a PICKUP order is collected.")
    async def pickup_location(self, info: Info) -> Location | None:
        if self.row.pickup_location_id is None:
            return None
        row = await info.context.loaders.location.load(self.row.pickup_location_id)
        return Location.from_model(row) if row else None

    @strawberry.field(description="Tags, sorted ignoring case.")
    async def tags(self, info: Info) -> list[str]:
        return await info.context.loaders.order_tags.load(self.row.id)

    @strawberry.field(description="The lines, a page at a time, in the order given.")
    async def line_items(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[LineItem]:
        currency = self.row.currency_code
        return await nested_connection(
            info,
            repository.LINES,
            parent_id=self.row.id,
            first=first,
            after=after,
            convert=lambda row: LineItem.of(row, currency),
        )

    @strawberry.field(description="Shipping charges.")
    async def shipping_lines(self, info: Info) -> list[ShippingLine]:
        rows = await info.context.loaders.shipping_lines.load(self.row.id)
        return [
            ShippingLine(
                title=row.title,
                code=row.code,
                price=self._money(row.price),
                tax=self._money(row.tax_amount),
            )
            for row in rows
        ]

    @strawberry.field(description="Manual discounts, in the order given.")
    async def discount_applications(self, info: Info) -> list[DiscountApplication]:
        rows = await info.context.loaders.discount_applications.load(self.row.id)
        return [DiscountApplication.of(row, self.row.currency_code) for row in rows]

    @strawberry.field(description="Payments, oldest first.")
    async def transactions(self, info: Info) -> list[OrderTransaction]:
        rows = await info.context.loaders.transactions.load(self.row.id)
        return [OrderTransaction.from_model(row) for row in rows]

    @strawberry.field(description="The work per location, a page at a time.")
    async def fulfillment_orders(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[FulfillmentOrder]:
        return await nested_connection(
            info,
            repository.FULFILLMENT_ORDERS,
            parent_id=self.row.id,
            first=first,
            after=after,
            convert=FulfillmentOrder.from_model,
        )

    @strawberry.field(description="Its shipments, oldest first (cancelled ones too).")
    async def fulfillments(
        self, info: Info
    ) -> list[Annotated[Fulfillment, strawberry.lazy(_SHIPMENTS)]]:
        from oms_graphql.graphql.fulfillment.shipments import Fulfillment

        rows = await info.context.loaders.fulfillments_of_order.load(self.row.id)
        return [Fulfillment.from_model(row) for row in rows]

    @strawberry.field(description="Its returns, oldest first, a page at a time.")
    async def returns(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Annotated[Return, strawberry.lazy(_RETURNS)]]:
        from oms_graphql.graphql.returns.types import Return
        from oms_graphql.returns import repository as returns

        return await nested_connection(
            info,
            returns.RETURNS_OF_ORDER,
            parent_id=self.row.id,
            first=first,
            after=after,
            convert=Return.from_model,
        )

    @strawberry.field(description="Its refunds, oldest first.")
    async def refunds(self, info: Info) -> list[Annotated[Refund, strawberry.lazy(_REFUNDS)]]:
        from oms_graphql.graphql.returns.refunds import Refund

        rows = await info.context.loaders.refunds_of_order.load(self.row.id)
        return [Refund.from_model(row) for row in rows]

    @strawberry.field(
        description="Where routing last sent the order's lines and why (at placement, or the "
        "latest reroute)."
    )
    async def routing_decision(self, info: Info) -> RoutingDecision | None:
        row = await info.context.loaders.latest_routing_decision.load(self.row.id)
        return RoutingDecision.of(DecisionFacts.of_row(row)) if row else None

    @strawberry.field(
        description="The order's timeline from the event feed, oldest first (one statement "
        "per order: ask for it on one order, not on a list)."
    )
    async def events(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Event]:
        request = PageRequest.from_args(first, after)
        async with info.context.db.reading() as session:
            page = await events.page(
                session,
                request=request,
                subject_types=["Order"],
                subject=("Order", self.row.id),
            )
        return connection(page, Event.from_model)

    @classmethod
    def from_model(cls, row: models.Order) -> Order:
        return cls(
            id=strawberry.ID(encode_gid("Order", row.id)),
            row=row,
            name=row.name,
            email=row.email,
            currency_code=getattr(CurrencyCode, row.currency_code),
            status=row.status,
            display_financial_status=row.financial_status,
            display_fulfillment_status=row.fulfillment_status,
            cancel_reason=row.cancel_reason,
            delivery_method=row.delivery_method,
            taxes_included=row.taxes_included,
            note=row.note,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            processed_at=row.processed_at,
            cancelled_at=row.cancelled_at,
            closed_at=row.closed_at,
        )


# Node loaders read the row alone: the session's access filter (access.py) already hides
# rows of orders the caller may not see, children included.


async def _load_orders(info: Info, ids: Sequence[int]) -> list[Order | None]:
    rows = await info.context.loaders.order.load_many(ids)
    return [Order.from_model(row) if row else None for row in rows]


async def _load_line_items(info: Info, ids: Sequence[int]) -> list[LineItem | None]:
    rows = await info.context.loaders.order_line.load_many(list(ids))
    # The order gives the line its currency.
    orders = await info.context.loaders.order.load_many(
        [row.order_id if row else 0 for row in rows]
    )
    return [
        LineItem.of(row, order.currency_code) if row and order else None
        for row, order in zip(rows, orders, strict=True)
    ]


async def _load_transactions(info: Info, ids: Sequence[int]) -> list[OrderTransaction | None]:
    rows = await info.context.loaders.transaction.load_many(list(ids))
    return [OrderTransaction.from_model(row) if row else None for row in rows]


async def load_fulfillment_orders(info: Info, ids: Sequence[int]) -> list[FulfillmentOrder | None]:
    rows = await info.context.loaders.fulfillment_order.load_many(list(ids))
    return [FulfillmentOrder.from_model(row) if row else None for row in rows]


async def _load_fulfillment_order_lines(
    info: Info, ids: Sequence[int]
) -> list[FulfillmentOrderLineItem | None]:
    rows = await info.context.loaders.fulfillment_order_line.load_many(list(ids))
    return [FulfillmentOrderLineItem.from_model(row) if row else None for row in rows]


register_node("Order", read_scope="read_orders", load=_load_orders)
register_node("LineItem", read_scope="read_orders", load=_load_line_items)
register_node("OrderTransaction", read_scope="read_orders", load=_load_transactions)
register_node("FulfillmentOrder", read_scope="read_fulfillments", load=load_fulfillment_orders)
register_node(
    "FulfillmentOrderLineItem", read_scope="read_fulfillments", load=_load_fulfillment_order_lines
)
