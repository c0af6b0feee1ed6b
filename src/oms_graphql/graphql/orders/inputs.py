from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import strawberry

from oms_graphql.graphql.common import MailingAddressInput, address_input, given
from oms_graphql.graphql.money import CurrencyCode
from oms_graphql.graphql.orders.enums import DeliveryMethodType, DiscountValueType
from oms_graphql.ids import decode_gid
from oms_graphql.models import FinancialStatus
from oms_graphql.orders import inputs
from oms_graphql.unset import UNSET


@strawberry.enum(description="How an order's payment starts.")
class OrderCreateFinancialStatus(enum.Enum):
    PENDING = "PENDING"
    AUTHORIZED = "AUTHORIZED"
    PAID = "PAID"


@strawberry.input(description="A line of a new order.")
class OrderLineItemInput:
    sku: str = strawberry.field(description="The SKU of an inventory item.")
    quantity: int = strawberry.field(description="How many units (1 or more).")
    original_unit_price: Decimal | None = strawberry.field(
        default=None, description="Price of one unit in the order's currency; default: catalog."
    )


@strawberry.input(description="A shipping charge.")
class ShippingLineInput:
    title: str = strawberry.field(description="What the shipping is called, e.g. Standard.")
    price: Decimal = strawberry.field(description="What it costs, in the order's currency.")
    code: str | None = strawberry.field(default=None, description="A code for it.")


@strawberry.input(description="A manual discount on the order, or on one line.")
class OrderDiscountInput:
    value_type: DiscountValueType = strawberry.field(description="Percentage or fixed amount.")
    value: Decimal = strawberry.field(
        description="10 means 10% for a percentage; an amount in the order's currency otherwise."
    )
    title: str | None = strawberry.field(default=None, description="What it is called.")
    line_item_index: int | None = strawberry.field(
        default=None,
        description="Index (from 0) of the line it applies to; none: spread over every line.",
    )


@strawberry.input(description="The buyer, found or created by email.")
class OrderCustomerInput:
    email: str = strawberry.field(description="The buyer's email.")
    first_name: str | None = strawberry.field(
        default=None, description="First name; replaces the stored one when given."
    )
    last_name: str | None = strawberry.field(
        default=None, description="Last name; replaces the stored one when given."
    )


@strawberry.input(description="A new order.")
class OrderCreateInput:
    channel: str = strawberry.field(description="Handle of the channel the order comes from.")
    line_items: list[OrderLineItemInput] = strawberry.field(
        description="What was ordered (1 to 250 lines)."
    )
    customer: OrderCustomerInput | None = strawberry.field(
        default=None, description="The buyer; upserted by email."
    )
    shipping_address: MailingAddressInput | None = strawberry.field(
        default=None, description="Where to ship; required unless picked up."
    )
    shipping_lines: list[ShippingLineInput] | None = strawberry.field(
        default=None, description="Shipping charges."
    )
    discounts: list[OrderDiscountInput] | None = strawberry.field(
        default=None, description="Manual discounts, applied to lines first, then to the order."
    )
    currency_code: CurrencyCode | None = strawberry.field(
        default=None, description="The order's currency; default: the catalog prices' currency."
    )
    delivery_method: DeliveryMethodType = strawberry.field(
        default=DeliveryMethodType.SHIPPING, description="How the buyer gets the goods."
    )
    pickup_location_id: strawberry.ID | None = strawberry.field(
        default=None, description="Where a PICKUP order is collected."
    )
    reservation_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="A reservation to consume: its location fulfils the order, its units "
        "become the order's.",
    )
    financial_status: OrderCreateFinancialStatus = strawberry.field(
        default=OrderCreateFinancialStatus.PENDING,
        description="PENDING (no payment yet), AUTHORIZED or PAID (a transaction for the total).",
    )
    taxes_included: bool = strawberry.field(
        default=False, description="Whether the prices given include tax."
    )
    tags: list[str] | None = strawberry.field(default=None, description="Tags.")
    note: str | None = strawberry.field(default=None, description="A note about the order.")
    processed_at: datetime | None = strawberry.field(
        default=None,
        description="When the order was placed, if earlier (imports); also its createdAt.",
    )

    def to_service(self) -> inputs.NewOrder:
        return inputs.NewOrder(
            channel=self.channel,
            lines=[
                inputs.NewLine(line.sku, line.quantity, line.original_unit_price)
                for line in self.line_items
            ],
            customer=(
                inputs.CustomerRef(
                    self.customer.email, self.customer.first_name, self.customer.last_name
                )
                if self.customer
                else None
            ),
            shipping_address=(
                address_input(self.shipping_address) if self.shipping_address else None
            ),
            shipping_lines=[
                inputs.NewShippingLine(s.title, s.price, s.code) for s in self.shipping_lines or []
            ],
            discounts=[
                inputs.NewDiscount(d.value_type, d.value, d.title, d.line_item_index)
                for d in self.discounts or []
            ],
            currency_code=self.currency_code.value if self.currency_code else None,
            delivery_method=self.delivery_method,
            pickup_location_id=(
                decode_gid(self.pickup_location_id, expected="Location").pk
                if self.pickup_location_id
                else None
            ),
            reservation_id=(
                decode_gid(self.reservation_id, expected="Reservation").pk
                if self.reservation_id
                else None
            ),
            financial_status=FinancialStatus(self.financial_status.value),
            taxes_included=self.taxes_included,
            tags=self.tags or [],
            note=self.note,
            processed_at=self.processed_at,
        )


@strawberry.input(description="What to change on an order; omitted fields stay as they are.")
class OrderUpdateInput:
    id: strawberry.ID = strawberry.field(description="The order.")
    email: str | None = strawberry.field(default=strawberry.UNSET, description="The email.")
    note: str | None = strawberry.field(default=strawberry.UNSET, description="The note.")
    tags: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Tags; replace the current ones."
    )
    shipping_address: MailingAddressInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="Fields merge into the current address; only before anything shipped.",
    )

    def to_service(self) -> inputs.OrderChanges:
        address = given(self.shipping_address)
        return inputs.OrderChanges(
            email=given(self.email),
            note=given(self.note),
            tags=given(self.tags),
            shipping_address=address_input(address) if address not in (UNSET, None) else address,
        )


@strawberry.input(description="Capture money an authorization holds.")
class OrderCaptureInput:
    id: strawberry.ID = strawberry.field(description="The order.")
    parent_transaction_id: strawberry.ID = strawberry.field(
        description="The AUTHORIZATION transaction to capture."
    )
    amount: Decimal | None = strawberry.field(
        default=None, description="How much; default: everything left on the authorization."
    )

    def to_service(self) -> inputs.Capture:
        return inputs.Capture(
            decode_gid(self.parent_transaction_id, expected="OrderTransaction").pk, self.amount
        )
