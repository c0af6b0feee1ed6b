from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from oms_graphql import models
from oms_graphql.currencies import MINOR_UNITS
from oms_graphql.customers.service import ADDRESS_COLUMNS
from oms_graphql.graphql.common import MailingAddress
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.money import MoneyV2
from oms_graphql.graphql.node import Node, register_node
from oms_graphql.graphql.pagination import After, Connection, First, nested_connection
from oms_graphql.graphql.permissions import requires
from oms_graphql.ids import encode_gid
from oms_graphql.orders import repository as orders
from oms_graphql.orders.pricing import round_money

if TYPE_CHECKING:
    from oms_graphql.graphql.orders.types import Order

OrderType = Annotated["Order", strawberry.lazy("oms_graphql.graphql.orders.types")]


@strawberry.enum(description="How to order a list of customers.")
class CustomerSortKeys(enum.Enum):
    ID = "ID"
    NAME = "NAME"
    EMAIL = "EMAIL"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    ORDERS_COUNT = "ORDERS_COUNT"
    AMOUNT_SPENT = "AMOUNT_SPENT"


@strawberry.type(description="A person who orders, known by a unique email address.")
class Customer(Node):
    pk: strawberry.Private[int]
    row: strawberry.Private[models.Customer]
    email: str = strawberry.field(description="Unique email address, in lower case.")
    first_name: str | None = strawberry.field(description="First name.")
    last_name: str | None = strawberry.field(description="Last name.")
    phone: str | None = strawberry.field(description="Phone number.")
    note: str | None = strawberry.field(description="Staff notes about the customer.")
    default_address: MailingAddress | None = strawberry.field(
        description="Where the customer usually wants orders shipped."
    )
    number_of_orders: int = strawberry.field(
        description="How many orders the customer placed (cancelled ones included)."
    )
    version: int = strawberry.field(
        description="Incremented by every change; pass it as expectedVersion to customerUpdate."
    )
    created_at: datetime = strawberry.field(description="When the customer was created.")
    updated_at: datetime = strawberry.field(description="When the customer last changed.")

    @strawberry.field(description="First and last name, or the email when there is no name.")
    def display_name(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or self.email

    @strawberry.field(description="Tags, sorted ignoring case (by Unicode code point).")
    async def tags(self, info: Info) -> list[str]:
        return await info.context.loaders.customer_tags.load(self.pk)

    @strawberry.field(
        description="Money paid minus money refunded, over the orders in the currency of the "
        "customer's first order; null before the first order."
    )
    def amount_spent(self) -> MoneyV2 | None:
        return MoneyV2.of(self.row.amount_spent, self.row.currency_code)

    @strawberry.field(
        description="amountSpent divided by numberOfOrders, rounded to the currency's minor "
        "unit; null before the first order."
    )
    def average_order_value(self) -> MoneyV2 | None:
        currency = self.row.currency_code
        if currency is None or not self.row.orders_count:
            return None
        average = self.row.amount_spent / self.row.orders_count
        return MoneyV2.exact(round_money(average, MINOR_UNITS[currency]), currency)

    @strawberry.field(
        description="The customer's orders, oldest first, a page at a time (read_orders).",
        extensions=requires("read_orders"),
    )
    async def orders(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[OrderType]:
        from oms_graphql.graphql.orders.types import Order

        return await nested_connection(
            info,
            orders.CUSTOMER_ORDERS,
            parent_id=self.pk,
            first=first,
            after=after,
            convert=Order.from_model,
        )

    @classmethod
    def from_model(cls, row: models.Customer) -> Customer:
        address = {name: getattr(row, column) for name, column in ADDRESS_COLUMNS.items()}
        return cls(
            id=strawberry.ID(encode_gid("Customer", row.id)),
            pk=row.id,
            row=row,
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            phone=row.phone,
            note=row.note,
            default_address=(
                MailingAddress(**address) if any(v is not None for v in address.values()) else None
            ),
            number_of_orders=row.orders_count,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


async def load_customers(info: Info, ids: Sequence[int]) -> list[Customer | None]:
    rows = await info.context.loaders.customer.load_many(list(ids))
    return [Customer.from_model(row) if row else None for row in rows]


register_node("Customer", read_scope="read_customers", load=load_customers)
