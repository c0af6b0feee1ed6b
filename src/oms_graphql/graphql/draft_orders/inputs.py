from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from oms_graphql.draft_orders.service import DraftChanges, DraftInput
from oms_graphql.graphql.common import MailingAddressInput, address_input
from oms_graphql.graphql.money import CurrencyCode
from oms_graphql.graphql.orders.enums import DiscountValueType
from oms_graphql.graphql.orders.inputs import OrderCustomerInput
from oms_graphql.orders import inputs
from oms_graphql.unset import UNSET


@strawberry.input(
    description="A line of a draft: a `sku`, or a custom line with a `title` and an "
    "`originalUnitPrice` (no SKU, no stock)."
)
class DraftOrderLineItemInput:
    quantity: int = strawberry.field(description="How many units (1 or more).")
    sku: str | None = strawberry.field(
        default=None, description="The SKU of an inventory item; omit for a custom line."
    )
    title: str | None = strawberry.field(
        default=None, description="A custom line's title (on a SKU line: replaces the item's)."
    )
    original_unit_price: Decimal | None = strawberry.field(
        default=None,
        description="Price of one unit in the draft's currency; default: the catalog's "
        "(required for custom lines).",
    )

    def to_service(self) -> inputs.NewLine:
        return inputs.NewLine(self.sku, self.quantity, self.original_unit_price, self.title)


@strawberry.input(description="A draft's shipping charge.")
class DraftOrderShippingLineInput:
    title: str = strawberry.field(description="What the shipping is called, e.g. Express.")
    price: Decimal = strawberry.field(description="What it costs, in the draft's currency.")


@strawberry.input(description="A manual discount on the draft, or on one of its lines.")
class DraftOrderDiscountInput:
    value_type: DiscountValueType = strawberry.field(description="Percentage or fixed amount.")
    value: Decimal = strawberry.field(
        description="10 means 10% for a percentage; an amount in the draft's currency otherwise."
    )
    title: str | None = strawberry.field(default=None, description="What it is called.")
    line_item_index: int | None = strawberry.field(
        default=None,
        description="Index (from 0) of the line it applies to; none: spread over every line.",
    )


def _lines(given: list[DraftOrderLineItemInput]) -> list[inputs.NewLine]:
    return [line.to_service() for line in given]


def _discounts(given: list[DraftOrderDiscountInput]) -> list[inputs.NewDiscount]:
    return [inputs.NewDiscount(d.value_type, d.value, d.title, d.line_item_index) for d in given]


def _customer(given: OrderCustomerInput) -> inputs.CustomerRef:
    return inputs.CustomerRef(given.email, given.first_name, given.last_name)


def _shipping(given: DraftOrderShippingLineInput) -> inputs.NewShippingLine:
    return inputs.NewShippingLine(given.title, given.price)


@strawberry.input(
    description="A draft order. On draftOrderUpdate, omitted fields stay as they are, null "
    "clears one, and lists given replace the stored ones."
)
class DraftOrderInput:
    channel: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Handle of the channel the order will come from (required to create).",
    )
    email: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="The buyer's email (invoices go here); default: customer.email.",
    )
    customer: OrderCustomerInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="The buyer; upserted by email when the draft is completed.",
    )
    shipping_address: MailingAddressInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="Where to ship (needed to complete; its country decides the tax).",
    )
    line_items: list[DraftOrderLineItemInput] | None = strawberry.field(
        default=strawberry.UNSET, description="What will be ordered (1 to 250 lines)."
    )
    shipping_line: DraftOrderShippingLineInput | None = strawberry.field(
        default=strawberry.UNSET, description="The shipping charge."
    )
    discounts: list[DraftOrderDiscountInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Manual discounts, applied to lines first, then to the draft.",
    )
    currency_code: CurrencyCode | None = strawberry.field(
        default=strawberry.UNSET,
        description="The currency; default: the catalog prices' currency.",
    )
    tags: list[str] | None = strawberry.field(default=strawberry.UNSET, description="Tags.")
    note: str | None = strawberry.field(
        default=strawberry.UNSET, description="A note, carried to the order."
    )
    reserve_inventory_until: datetime | None = strawberry.field(
        default=strawberry.UNSET,
        description="Hold the stock of the draft's lines until this time (at most 7 days "
        "ahead) while the draft is open; null releases the hold.",
    )

    def _value(self, name: str) -> Any:
        value = getattr(self, name)
        return UNSET if value is strawberry.UNSET else value

    def to_draft(self) -> DraftInput:
        """The whole draft (draftOrderCreate, draftOrderCalculate)."""
        return DraftInput(
            channel=self.channel or None,
            lines=_lines(self.line_items or []),
            email=self.email or None,
            customer=_customer(self.customer) if self.customer else None,
            shipping_address=address_input(self.shipping_address)
            if self.shipping_address
            else None,
            shipping_line=_shipping(self.shipping_line) if self.shipping_line else None,
            discounts=_discounts(self.discounts or []),
            currency_code=self.currency_code.value if self.currency_code else None,
            tags=self.tags or [],
            note=self.note or None,
            reserve_inventory_until=self.reserve_inventory_until or None,
        )

    def to_changes(self) -> DraftChanges:
        """What draftOrderUpdate changes."""

        def mapped(name: str, convert: Any) -> Any:
            value = self._value(name)
            return value if value is UNSET or value is None else convert(value)

        channel = self._value("channel")
        return DraftChanges(
            channel=UNSET if channel in (UNSET, None) else channel,
            lines=UNSET if self._value("line_items") is UNSET else _lines(self.line_items or []),
            email=self._value("email"),
            customer=mapped("customer", _customer),
            shipping_address=mapped("shipping_address", address_input),
            shipping_line=mapped("shipping_line", _shipping),
            discounts=mapped("discounts", _discounts),
            currency_code=mapped("currency_code", lambda code: code.value),
            tags=self._value("tags"),
            note=self._value("note"),
            reserve_inventory_until=self._value("reserve_inventory_until"),
        )


@strawberry.input(description="The draft to delete.")
class DraftOrderDeleteInput:
    id: strawberry.ID = strawberry.field(description="The draft order's id.")
