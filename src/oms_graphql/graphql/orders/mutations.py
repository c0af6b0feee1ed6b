from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.customers import repository as customers
from oms_graphql.customers import service as customer_service
from oms_graphql.errors import BadUserInput
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.customers.types import Customer
from oms_graphql.graphql.errors import UserError
from oms_graphql.graphql.mutation import (
    ExpectedVersion,
    IdempotencyKey,
    mutate_payload,
    mutate_row,
)
from oms_graphql.graphql.node import GlobalIdArgument, Node
from oms_graphql.graphql.orders.enums import OrderCancelReason
from oms_graphql.graphql.orders.inputs import OrderCaptureInput, OrderCreateInput, OrderUpdateInput
from oms_graphql.graphql.orders.types import Order, OrderTransaction
from oms_graphql.graphql.permissions import check_scope, requires, requires_token
from oms_graphql.ids import decode_gid
from oms_graphql.models import Order as OrderRow
from oms_graphql.models import OrderTransaction as TransactionRow
from oms_graphql.orders import create, repository, service
from oms_graphql.orders.inputs import Cancellation

TAGS_ARGUMENT = Annotated[list[str], strawberry.argument(description="Tags (any case).")]


@strawberry.enum(description="Why an order mutation refused its input.")
class OrderUserErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"
    CHANNEL_NOT_FOUND = "CHANNEL_NOT_FOUND"
    BLANK = "BLANK"
    INVALID = "INVALID"
    TOO_LONG = "TOO_LONG"
    TOO_MANY = "TOO_MANY"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    TAKEN = "TAKEN"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    INVALID_PRICE = "INVALID_PRICE"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    INSUFFICIENT_QUANTITY = "INSUFFICIENT_QUANTITY"
    PICKUP_NOT_AVAILABLE = "PICKUP_NOT_AVAILABLE"
    RESERVATION_NOT_ACTIVE = "RESERVATION_NOT_ACTIVE"
    INVALID_STATE = "INVALID_STATE"
    ALREADY_CANCELLED = "ALREADY_CANCELLED"
    ALREADY_FULFILLED = "ALREADY_FULFILLED"
    ALREADY_PAID = "ALREADY_PAID"
    CAPTURE_EXCEEDS_AUTHORIZED = "CAPTURE_EXCEEDS_AUTHORIZED"
    CAPTURE_EXCEEDS_OUTSTANDING = "CAPTURE_EXCEEDS_OUTSTANDING"
    STALE = "STALE"
    IDEMPOTENCY_KEY_MISMATCH = "IDEMPOTENCY_KEY_MISMATCH"


@strawberry.type(description="A problem with the input of an order mutation.")
class OrderUserError(UserError[OrderUserErrorCode]):
    pass


_ERRORS = "Problems with the input; when present, nothing was written."


@strawberry.type(description="The result of orderCreate.")
class OrderCreatePayload:
    order: Order | None = strawberry.field(description="The new order; null on userErrors.")
    user_errors: list[OrderUserError] = strawberry.field(description=_ERRORS)


@strawberry.type(description="The result of a mutation that changes one order.")
class OrderPayload:
    order: Order | None = strawberry.field(
        description="The order after the change; null on userErrors."
    )
    user_errors: list[OrderUserError] = strawberry.field(description=_ERRORS)


@strawberry.type(description="The result of orderCapture and orderMarkAsPaid.")
class OrderPaymentPayload:
    transaction: OrderTransaction | None = strawberry.field(
        description="The transaction recorded; null on userErrors."
    )
    order: Order | None = strawberry.field(
        description="The order after the payment; null on userErrors."
    )
    user_errors: list[OrderUserError] = strawberry.field(description=_ERRORS)


@strawberry.type(description="The result of tagsAdd and tagsRemove.")
class TagsPayload:
    node: Node | None = strawberry.field(
        description="The order or customer with its tags; null on userErrors."
    )
    user_errors: list[OrderUserError] = strawberry.field(description=_ERRORS)


async def _order_and_transaction(
    session: AsyncSession, remembered: Any
) -> tuple[OrderRow, TransactionRow]:
    order_id, transaction_id = remembered
    (transaction,) = await repository.transactions_by_id(session, [int(transaction_id)])
    order = await repository.get(session, int(order_id))
    assert order is not None
    return order, transaction


async def _change_order(
    info: Info,
    *,
    operation: str,
    arguments: dict[str, Any],
    idempotency_key: str | None,
    action: Callable[[AsyncSession], Awaitable[OrderRow]],
) -> OrderPayload:
    return await mutate_row(
        info,
        OrderPayload,
        OrderUserError,
        operation=operation,
        arguments=arguments,
        idempotency_key=idempotency_key,
        action=action,
        get=repository.get,
        present=Order.from_model,
    )


async def _pay(
    info: Info,
    *,
    operation: str,
    arguments: dict[str, Any],
    idempotency_key: str | None,
    action: Callable[[AsyncSession], Awaitable[tuple[OrderRow, TransactionRow]]],
) -> OrderPaymentPayload:
    return await mutate_payload(
        info,
        OrderPaymentPayload,
        OrderUserError,
        operation=operation,
        arguments=arguments,
        idempotency_key=idempotency_key,
        action=action,
        remember=lambda result: [result[0].id, result[1].id],
        recall=_order_and_transaction,
        answer=lambda result: OrderPaymentPayload(
            transaction=OrderTransaction.from_model(result[1]),
            order=Order.from_model(result[0]),
            user_errors=[],
        ),
    )


def _order_id(raw: str) -> int:
    return decode_gid(raw, expected="Order").pk


async def _change_status(
    info: Info,
    operation: str,
    action: str,
    raw_id: str,
    expected_version: int | None,
    idempotency_key: str | None,
) -> OrderPayload:
    pk = _order_id(raw_id)
    return await _change_order(
        info,
        operation=operation,
        arguments={"id": raw_id, "expectedVersion": expected_version},
        idempotency_key=idempotency_key,
        action=lambda session: service.change_status(
            session,
            action,
            order_id=pk,
            expected_version=expected_version,
        ),
    )


@strawberry.type
class OrderMutations:
    @strawberry.mutation(
        description=(
            "Place an order: price it (discounts, tax), commit stock where routing says, "
            "create fulfillment orders and record the payment, all in one transaction."
        ),
        extensions=requires("write_orders"),
    )
    async def order_create(
        self,
        info: Info,
        input: Annotated[OrderCreateInput, strawberry.argument(description="The order.")],
        idempotency_key: IdempotencyKey = None,
    ) -> OrderCreatePayload:
        given = input.to_service()
        return await mutate_row(
            info,
            OrderCreatePayload,
            OrderUserError,
            operation="orderCreate",
            arguments={"input": input},
            idempotency_key=idempotency_key,
            action=lambda session: create.create_order(session, given=given),
            get=repository.get,
            present=Order.from_model,
        )

    @strawberry.mutation(
        description="Change an order's email, note, tags or (before shipping) its address.",
        extensions=requires("write_orders"),
    )
    async def order_update(
        self,
        info: Info,
        input: Annotated[OrderUpdateInput, strawberry.argument(description="What to change.")],
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> OrderPayload:
        order_id, changes = _order_id(input.id), input.to_service()
        return await _change_order(
            info,
            operation="orderUpdate",
            arguments={"input": input, "expectedVersion": expected_version},
            idempotency_key=idempotency_key,
            action=lambda session: service.update_order(
                session,
                order_id=order_id,
                given=changes,
                expected_version=expected_version,
            ),
        )

    @strawberry.mutation(
        description=(
            "Cancel an order: open fulfillment orders are cancelled, committed stock is "
            "released (back to available with restock), and with refund every payment is "
            "refunded or voided. A fully fulfilled order can't be cancelled."
        ),
        extensions=requires("write_orders"),
    )
    async def order_cancel(
        self,
        info: Info,
        order_id: GlobalIdArgument,
        reason: Annotated[OrderCancelReason, strawberry.argument(description="Why.")],
        restock: Annotated[
            bool,
            strawberry.argument(
                description="Put unfulfilled units back to available (else they are written "
                "off on_hand)."
            ),
        ] = True,
        refund: Annotated[
            bool,
            strawberry.argument(description="Refund what was paid and void authorizations."),
        ] = False,
        staff_note: Annotated[
            str | None, strawberry.argument(description="A note for the timeline.")
        ] = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> OrderPayload:
        pk = _order_id(order_id)
        cancellation = Cancellation(reason, restock=restock, refund=refund, staff_note=staff_note)
        return await _change_order(
            info,
            operation="orderCancel",
            arguments={
                "orderId": order_id,
                "reason": reason,
                "restock": restock,
                "refund": refund,
                "staffNote": staff_note,
                "expectedVersion": expected_version,
            },
            idempotency_key=idempotency_key,
            action=lambda session: service.cancel(
                session,
                order_id=pk,
                given=cancellation,
                expected_version=expected_version,
            ),
        )

    @strawberry.mutation(
        description="Close an open order (its work is done).", extensions=requires("write_orders")
    )
    async def order_close(
        self,
        info: Info,
        id: GlobalIdArgument,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> OrderPayload:
        return await _change_status(
            info, "orderClose", "close", id, expected_version, idempotency_key
        )

    @strawberry.mutation(description="Reopen a closed order.", extensions=requires("write_orders"))
    async def order_open(
        self,
        info: Info,
        id: GlobalIdArgument,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> OrderPayload:
        return await _change_status(
            info, "orderOpen", "open", id, expected_version, idempotency_key
        )

    @strawberry.mutation(
        description="Record that the buyer paid what is outstanding (a SALE, manual gateway).",
        extensions=requires("write_orders"),
    )
    async def order_mark_as_paid(
        self,
        info: Info,
        id: GlobalIdArgument,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> OrderPaymentPayload:
        pk = _order_id(id)
        return await _pay(
            info,
            operation="orderMarkAsPaid",
            arguments={"id": id, "expectedVersion": expected_version},
            idempotency_key=idempotency_key,
            action=lambda session: service.mark_as_paid(
                session,
                order_id=pk,
                expected_version=expected_version,
            ),
        )

    @strawberry.mutation(
        description="Capture part or all of an authorization (never more than it has left).",
        extensions=requires("write_orders"),
    )
    async def order_capture(
        self,
        info: Info,
        input: Annotated[OrderCaptureInput, strawberry.argument(description="What to capture.")],
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> OrderPaymentPayload:
        pk, capture = _order_id(input.id), input.to_service()
        return await _pay(
            info,
            operation="orderCapture",
            arguments={"input": input, "expectedVersion": expected_version},
            idempotency_key=idempotency_key,
            action=lambda session: service.capture(
                session,
                order_id=pk,
                given=capture,
                expected_version=expected_version,
            ),
        )

    @strawberry.mutation(
        description="Add tags to an order (write_orders) or a customer (write_customers).",
        extensions=requires_token(),
    )
    async def tags_add(
        self,
        info: Info,
        id: GlobalIdArgument,
        tags: TAGS_ARGUMENT,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> TagsPayload:
        return await _tags(info, "tagsAdd", id, tags, expected_version, idempotency_key, add=True)

    @strawberry.mutation(
        description="Remove tags (ignoring case) from an order or a customer.",
        extensions=requires_token(),
    )
    async def tags_remove(
        self,
        info: Info,
        id: GlobalIdArgument,
        tags: TAGS_ARGUMENT,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> TagsPayload:
        return await _tags(
            info, "tagsRemove", id, tags, expected_version, idempotency_key, add=False
        )


async def _tags(
    info: Info,
    operation: str,
    raw_id: str,
    tags: list[str],
    expected_version: int | None,
    idempotency_key: str | None,
    *,
    add: bool,
) -> TagsPayload:
    gid = decode_gid(raw_id)
    arguments = {"id": raw_id, "tags": tags, "expectedVersion": expected_version}
    add_, remove = (tags, ()) if add else ((), tags)
    if gid.type_name == "Customer":
        check_scope(info.context.principal, "write_customers")
        return await mutate_row(
            info,
            TagsPayload,
            OrderUserError,
            operation=operation,
            arguments=arguments,
            idempotency_key=idempotency_key,
            action=lambda session: customer_service.change_tags(
                session,
                customer_id=gid.pk,
                add=add_,
                remove=remove,
                expected_version=expected_version,
            ),
            get=customers.get,
            present=Customer.from_model,
        )
    if gid.type_name == "Order":
        check_scope(info.context.principal, "write_orders")
        return await mutate_row(
            info,
            TagsPayload,
            OrderUserError,
            operation=operation,
            arguments=arguments,
            idempotency_key=idempotency_key,
            action=lambda session: service.change_tags(
                session,
                order_id=gid.pk,
                add=add_,
                remove=remove,
                expected_version=expected_version,
            ),
            get=repository.get,
            present=Order.from_model,
        )
    raise BadUserInput(
        f"{raw_id!r} is not an order or a customer id; only they have tags", id=raw_id
    )
