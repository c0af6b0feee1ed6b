from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import strawberry

from oms_graphql import models
from oms_graphql.addresses import ADDRESS_FIELDS
from oms_graphql.draft_orders import repository
from oms_graphql.draft_orders.service import DraftQuote, invoice_url
from oms_graphql.graphql.channels.types import Channel
from oms_graphql.graphql.common import MailingAddress
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.customers.types import Customer
from oms_graphql.graphql.inventory.types import InventoryItem, Reservation
from oms_graphql.graphql.money import CurrencyCode, MoneyV2
from oms_graphql.graphql.node import Node, register_node
from oms_graphql.graphql.orders.enums import DiscountValueType
from oms_graphql.graphql.orders.types import Order
from oms_graphql.graphql.pagination import After, Connection, First, nested_connection
from oms_graphql.ids import encode_gid


@strawberry.enum(description="Where a draft order stands.")
class DraftOrderStatus(enum.Enum):
    OPEN = "OPEN"
    INVOICE_SENT = "INVOICE_SENT"
    COMPLETED = "COMPLETED"


@strawberry.type(description="A manual discount of a draft, on the whole draft or one line.")
class DraftOrderDiscount:
    title: str = strawberry.field(description="What the discount is called.")
    value_type: DiscountValueType = strawberry.field(description="Percentage or fixed amount.")
    value: Decimal = strawberry.field(
        description="The percentage (10 means 10%) or the amount in the draft's currency."
    )
    line_item_index: int | None = strawberry.field(
        description="Index (from 0) of the line it applies to; null: the whole draft."
    )
    amount: MoneyV2 = strawberry.field(description="What it takes off, as priced now.")


@strawberry.type(description="A shipping charge of a draft.")
class DraftOrderShippingLine:
    title: str = strawberry.field(description="What the shipping is called.")
    price: MoneyV2 = strawberry.field(description="What it costs.")
    tax: MoneyV2 = strawberry.field(description="The tax on it (inside it when included).")


@strawberry.interface(description="A priced line of a draft or of a calculated draft.")
class DraftLine:
    sku: str | None = strawberry.field(description="The SKU; null for a custom line.")
    title: str = strawberry.field(description="The item's title, or the custom line's.")
    quantity: int = strawberry.field(description="Units.")
    custom: bool = strawberry.field(description="Whether it is a custom line (no SKU).")
    original_unit_price: MoneyV2 = strawberry.field(description="Price of one unit.")
    original_total: MoneyV2 = strawberry.field(
        description="Unit price times quantity, before discounts."
    )
    total_discount: MoneyV2 = strawberry.field(description="Its share of the discounts.")
    discounted_total: MoneyV2 = strawberry.field(description="The line's total after discounts.")
    total_tax: MoneyV2 = strawberry.field(description="The tax on it after discounts.")


def _line_money(
    currency: str, unit: Decimal, quantity: int, discount: Decimal, tax: Decimal
) -> dict[str, MoneyV2]:
    return {
        "original_unit_price": MoneyV2.exact(unit, currency),
        "original_total": MoneyV2.exact(unit * quantity, currency),
        "total_discount": MoneyV2.exact(discount, currency),
        "discounted_total": MoneyV2.exact(unit * quantity - discount, currency),
        "total_tax": MoneyV2.exact(tax, currency),
    }


@strawberry.type(description="A line of a draft order: an item's SKU or a custom line.")
class DraftOrderLineItem(DraftLine, Node):
    row: strawberry.Private[models.DraftOrderLine]

    @strawberry.field(description="The inventory item; null for a custom line.")
    async def inventory_item(self, info: Info) -> InventoryItem | None:
        if self.row.item_id is None:
            return None
        row = await info.context.loaders.inventory_item.load(self.row.item_id)
        return InventoryItem.from_model(row) if row else None

    @classmethod
    def of(cls, row: models.DraftOrderLine, currency: str) -> DraftOrderLineItem:
        return cls(
            id=strawberry.ID(encode_gid("DraftOrderLineItem", row.id)),
            row=row,
            sku=row.sku,
            title=row.title,
            quantity=row.quantity,
            custom=row.item_id is None,
            **_line_money(
                currency,
                row.original_unit_price,
                row.quantity,
                row.total_discount,
                row.tax_amount,
            ),
        )


@strawberry.type(description="An order being prepared: priced like the order it will become.")
class DraftOrder(Node):
    row: strawberry.Private[models.DraftOrder]
    name: str = strawberry.field(description="The draft's name, e.g. #D12.")
    status: DraftOrderStatus = strawberry.field(description="OPEN, INVOICE_SENT or COMPLETED.")
    email: str | None = strawberry.field(description="The buyer's email; invoices go here.")
    currency_code: CurrencyCode = strawberry.field(description="The currency of every amount.")
    note: str | None = strawberry.field(description="A note for the order.")
    reserve_inventory_until: datetime | None = strawberry.field(
        description="Until when the draft holds its stock (see `reservation`)."
    )
    invoice_sent_at: datetime | None = strawberry.field(
        description="When the invoice was last sent."
    )
    completed_at: datetime | None = strawberry.field(
        description="When it was completed into an order."
    )
    version: int = strawberry.field(
        description="Incremented by every change; pass it as expectedVersion to draft mutations."
    )
    created_at: datetime = strawberry.field(description="When the draft was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")

    def _money(self, amount: Decimal) -> MoneyV2:
        return MoneyV2.exact(amount, self.row.currency_code)

    @strawberry.field(description="Where it will ship.")
    def shipping_address(self) -> MailingAddress | None:
        address = {name: getattr(self.row, f"shipping_{name}") for name in ADDRESS_FIELDS}
        if all(value is None for value in address.values()):
            return None
        return MailingAddress(**address)

    @strawberry.field(description="The shipping charge, if any.")
    def shipping_line(self) -> DraftOrderShippingLine | None:
        row = self.row
        if row.shipping_line_title is None or row.shipping_line_price is None:
            return None
        return DraftOrderShippingLine(
            title=row.shipping_line_title,
            price=self._money(row.shipping_line_price),
            tax=self._money(row.shipping_line_tax or Decimal(0)),
        )

    @strawberry.field(description="Manual discounts, in the order given.")
    def discounts(self) -> list[DraftOrderDiscount]:
        return [
            DraftOrderDiscount(
                title=d["title"],
                value_type=DiscountValueType(d["valueType"]),
                value=Decimal(d["value"]),
                line_item_index=d.get("lineItemIndex"),
                amount=self._money(Decimal(d["amount"])),
            )
            for d in self.row.discounts
        ]

    @strawberry.field(description="The lines' totals after discounts, before shipping and tax.")
    def subtotal_price(self) -> MoneyV2:
        return self._money(self.row.subtotal_price)

    @strawberry.field(description="Everything the discounts take off.")
    def total_discounts(self) -> MoneyV2:
        return self._money(self.row.total_discounts)

    @strawberry.field(description="What shipping costs.")
    def total_shipping(self) -> MoneyV2:
        return self._money(self.row.total_shipping)

    @strawberry.field(description="Tax on lines and shipping.")
    def total_tax(self) -> MoneyV2:
        return self._money(self.row.total_tax)

    @strawberry.field(description="Subtotal plus shipping plus tax: what the order will cost.")
    def total_price(self) -> MoneyV2:
        return self._money(self.row.total_price)

    @strawberry.field(
        description="The link to the printable invoice, once an invoice was sent; anyone "
        "with the link can read the invoice."
    )
    def invoice_url(self, info: Info) -> str | None:
        if self.row.invoice_token is None:
            return None
        return invoice_url(str(info.context.request.base_url), self.row.invoice_token)

    @strawberry.field(description="The channel the order will come from.")
    async def channel(self, info: Info) -> Channel:
        row = await info.context.loaders.channel.load(self.row.channel_id)
        assert row is not None
        return Channel.from_model(row)

    @strawberry.field(description="The customer with the draft's email, when one exists.")
    async def customer(self, info: Info) -> Customer | None:
        if self.row.customer_id is None:
            return None
        row = await info.context.loaders.customer.load(self.row.customer_id)
        return Customer.from_model(row) if row else None

    @strawberry.field(description="Tags, sorted ignoring case.")
    async def tags(self, info: Info) -> list[str]:
        return await info.context.loaders.draft_order_tags.load(self.row.id)

    @strawberry.field(description="The lines, a page at a time, in the order given.")
    async def line_items(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[DraftOrderLineItem]:
        currency = self.row.currency_code
        return await nested_connection(
            info,
            repository.LINES,
            parent_id=self.row.id,
            first=first,
            after=after,
            convert=lambda row: DraftOrderLineItem.of(row, currency),
        )

    @strawberry.field(
        description="The hold on stock while the draft is open (EXPIRED once "
        "reserveInventoryUntil passed, CONSUMED by the order on completion)."
    )
    async def reservation(self, info: Info) -> Reservation | None:
        if self.row.reservation_id is None:
            return None
        row = await info.context.loaders.reservation.load(self.row.reservation_id)
        return Reservation.from_model(row) if row else None

    @strawberry.field(
        description="The order it was completed into (null when your token can't read orders)."
    )
    async def order(self, info: Info) -> Order | None:
        if self.row.order_id is None or not info.context.principal.has_scope("read_orders"):
            return None
        (row,) = await info.context.loaders.order.load_many([self.row.order_id])
        return Order.from_model(row) if row else None

    @classmethod
    def from_model(cls, row: models.DraftOrder) -> DraftOrder:
        return cls(
            id=strawberry.ID(encode_gid("DraftOrder", row.id)),
            row=row,
            name=row.name,
            status=DraftOrderStatus(row.status.value),
            email=row.email,
            currency_code=getattr(CurrencyCode, row.currency_code),
            note=row.note,
            reserve_inventory_until=row.reserve_inventory_until,
            invoice_sent_at=row.invoice_sent_at,
            completed_at=row.completed_at,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(description="A line of a calculated draft.")
class CalculatedDraftOrderLineItem(DraftLine):
    pass


@strawberry.type(description="What a draft would cost, priced as its order would be; not saved.")
class CalculatedDraftOrder:
    currency_code: CurrencyCode = strawberry.field(description="The currency of every amount.")
    line_items: list[CalculatedDraftOrderLineItem] = strawberry.field(
        description="The lines, priced."
    )
    discounts: list[DraftOrderDiscount] = strawberry.field(description="What each discount takes.")
    shipping_line: DraftOrderShippingLine | None = strawberry.field(
        description="The shipping charge, if any."
    )
    subtotal_price: MoneyV2 = strawberry.field(description="The lines after discounts.")
    total_discounts: MoneyV2 = strawberry.field(description="Everything the discounts take off.")
    total_shipping: MoneyV2 = strawberry.field(description="What shipping costs.")
    total_tax: MoneyV2 = strawberry.field(description="Tax on lines and shipping.")
    total_price: MoneyV2 = strawberry.field(description="Subtotal plus shipping plus tax.")

    @classmethod
    def of(cls, quoted: DraftQuote) -> CalculatedDraftOrder:
        checked, priced = quoted.quote.checked, quoted.quote.priced
        currency = checked.currency

        def money(amount: Decimal) -> MoneyV2:
            return MoneyV2.exact(amount, currency)

        given = quoted.given
        shipping = given.shipping_line
        return cls(
            currency_code=getattr(CurrencyCode, currency),
            line_items=[
                CalculatedDraftOrderLineItem(
                    sku=item.sku if item else None,
                    title=title,
                    quantity=line.quantity,
                    custom=item is None,
                    **_line_money(
                        currency, price, line.quantity, priced_line.total_discount, priced_line.tax
                    ),
                )
                for line, item, title, price, priced_line in zip(
                    given.lines,
                    checked.items,
                    checked.titles,
                    checked.unit_prices,
                    priced.lines,
                    strict=True,
                )
            ],
            discounts=[
                DraftOrderDiscount(
                    title=(d.title or "").strip() or "Manual discount",
                    value_type=DiscountValueType(d.value_type.value),
                    value=d.value,
                    line_item_index=d.line_index,
                    amount=money(amount),
                )
                for d, amount in zip(given.discounts, priced.discount_amounts, strict=True)
            ],
            shipping_line=(
                DraftOrderShippingLine(
                    title=shipping.title.strip(),
                    price=money(shipping.price),
                    tax=money(priced.shipping_taxes[0]),
                )
                if shipping
                else None
            ),
            subtotal_price=money(priced.subtotal),
            total_discounts=money(priced.total_discounts),
            total_shipping=money(priced.total_shipping),
            total_tax=money(priced.total_tax),
            total_price=money(priced.total),
        )


async def _load_drafts(info: Info, ids: Sequence[int]) -> list[DraftOrder | None]:
    return [
        DraftOrder.from_model(row) if row else None
        for row in await info.context.loaders.draft_order.load_many(ids)
    ]


async def _load_draft_lines(info: Info, ids: Sequence[int]) -> list[DraftOrderLineItem | None]:
    rows = await info.context.loaders.draft_order_line.load_many(list(ids))
    drafts = await info.context.loaders.draft_order.load_many(
        [row.draft_order_id if row else 0 for row in rows]
    )
    return [
        DraftOrderLineItem.of(row, draft.currency_code) if row and draft else None
        for row, draft in zip(rows, drafts, strict=True)
    ]


register_node("DraftOrder", read_scope="read_draft_orders", load=_load_drafts)
register_node("DraftOrderLineItem", read_scope="read_draft_orders", load=_load_draft_lines)
