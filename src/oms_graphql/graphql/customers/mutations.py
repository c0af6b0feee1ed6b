from __future__ import annotations

import enum
from typing import Annotated

import strawberry

from oms_graphql.customers import repository, service
from oms_graphql.customers.service import CustomerFields
from oms_graphql.graphql.common import MailingAddressInput, address_input, given
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.customers.types import Customer
from oms_graphql.graphql.errors import UserError
from oms_graphql.graphql.mutation import ExpectedVersion, IdempotencyKey, mutate_row
from oms_graphql.graphql.node import GlobalIdArgument
from oms_graphql.graphql.permissions import requires
from oms_graphql.ids import decode_gid
from oms_graphql.unset import UNSET


@strawberry.input(
    description="A customer's details; when updating, omitted fields stay as they are."
)
class CustomerInput:
    email: str | None = strawberry.field(
        default=strawberry.UNSET, description="Unique email address (required to create)."
    )
    first_name: str | None = strawberry.field(default=strawberry.UNSET, description="First name.")
    last_name: str | None = strawberry.field(default=strawberry.UNSET, description="Last name.")
    phone: str | None = strawberry.field(default=strawberry.UNSET, description="Phone number.")
    note: str | None = strawberry.field(default=strawberry.UNSET, description="Staff notes.")
    default_address: MailingAddressInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="Default shipping address; fields merge into the current one, null clears it.",
    )
    tags: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Tags; replace the current ones when given."
    )


def _fields(data: CustomerInput) -> CustomerFields:
    address = given(data.default_address)
    return CustomerFields(
        email=given(data.email),
        first_name=given(data.first_name),
        last_name=given(data.last_name),
        phone=given(data.phone),
        note=given(data.note),
        default_address=address_input(address) if address not in (UNSET, None) else address,
        tags=given(data.tags),
    )


@strawberry.enum(description="Why customerCreate refused its input.")
class CustomerCreateUserErrorCode(enum.Enum):
    BLANK = "BLANK"
    INVALID = "INVALID"
    TAKEN = "TAKEN"
    TOO_LONG = "TOO_LONG"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    IDEMPOTENCY_KEY_MISMATCH = "IDEMPOTENCY_KEY_MISMATCH"


@strawberry.type(description="A problem with the input of customerCreate.")
class CustomerCreateUserError(UserError[CustomerCreateUserErrorCode]):
    pass


@strawberry.type(description="The result of customerCreate.")
class CustomerCreatePayload:
    customer: Customer | None = strawberry.field(
        description="The new customer; null on userErrors."
    )
    user_errors: list[CustomerCreateUserError] = strawberry.field(
        description="Problems with the input; when present, nothing was written."
    )


@strawberry.enum(description="Why customerUpdate refused its input.")
class CustomerUpdateUserErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"
    STALE = "STALE"
    BLANK = "BLANK"
    INVALID = "INVALID"
    TAKEN = "TAKEN"
    TOO_LONG = "TOO_LONG"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    IDEMPOTENCY_KEY_MISMATCH = "IDEMPOTENCY_KEY_MISMATCH"


@strawberry.type(description="A problem with the input of customerUpdate.")
class CustomerUpdateUserError(UserError[CustomerUpdateUserErrorCode]):
    pass


@strawberry.type(description="The result of customerUpdate.")
class CustomerUpdatePayload:
    customer: Customer | None = strawberry.field(
        description="The customer after the change; null on userErrors."
    )
    user_errors: list[CustomerUpdateUserError] = strawberry.field(
        description="Problems with the input; when present, nothing was written."
    )


@strawberry.type
class CustomerMutations:
    @strawberry.mutation(description="Create a customer.", extensions=requires("write_customers"))
    async def customer_create(
        self,
        info: Info,
        input: Annotated[CustomerInput, strawberry.argument(description="The new customer.")],
        idempotency_key: IdempotencyKey = None,
    ) -> CustomerCreatePayload:
        return await mutate_row(
            info,
            CustomerCreatePayload,
            CustomerCreateUserError,
            operation="customerCreate",
            arguments={"input": input},
            idempotency_key=idempotency_key,
            action=lambda session: service.create_customer(session, given=_fields(input)),
            get=repository.get,
            present=Customer.from_model,
        )

    @strawberry.mutation(
        description="Change a customer's details, address or tags.",
        extensions=requires("write_customers"),
    )
    async def customer_update(
        self,
        info: Info,
        id: GlobalIdArgument,
        input: Annotated[CustomerInput, strawberry.argument(description="What to change.")],
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> CustomerUpdatePayload:
        customer_id = decode_gid(id, expected="Customer").pk
        return await mutate_row(
            info,
            CustomerUpdatePayload,
            CustomerUpdateUserError,
            operation="customerUpdate",
            arguments={"id": id, "input": input, "expectedVersion": expected_version},
            idempotency_key=idempotency_key,
            action=lambda session: service.update_customer(
                session,
                customer_id=customer_id,
                given=_fields(input),
                expected_version=expected_version,
            ),
            get=repository.get,
            present=Customer.from_model,
        )
