from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime

import strawberry

from oms_graphql import models
from oms_graphql.customers.service import ADDRESS_COLUMNS
from oms_graphql.graphql.common import MailingAddress
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.node import Node, register_node
from oms_graphql.ids import encode_gid


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
    email: str = strawberry.field(description="Unique email address, in lower case.")
    first_name: str | None = strawberry.field(description="First name.")
    last_name: str | None = strawberry.field(description="Last name.")
    phone: str | None = strawberry.field(description="Phone number.")
    note: str | None = strawberry.field(description="Staff notes about the customer.")
    default_address: MailingAddress | None = strawberry.field(
        description="Where the customer usually wants orders shipped."
    )
    number_of_orders: int = strawberry.field(description="How many orders the customer placed.")
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

    @classmethod
    def from_model(cls, row: models.Customer) -> Customer:
        address = {name: getattr(row, column) for name, column in ADDRESS_COLUMNS.items()}
        return cls(
            id=strawberry.ID(encode_gid("Customer", row.id)),
            pk=row.id,
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
