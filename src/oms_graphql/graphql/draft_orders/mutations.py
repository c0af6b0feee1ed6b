from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql import mail
from oms_graphql.draft_orders import repository, service
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.draft_orders.inputs import DraftOrderDeleteInput, DraftOrderInput
from oms_graphql.graphql.draft_orders.types import CalculatedDraftOrder, DraftOrder
from oms_graphql.graphql.errors import UserError
from oms_graphql.graphql.mutation import (
    ExpectedVersion,
    IdempotencyKey,
    deleted_since,
    mutate_payload,
    mutate_row,
)
from oms_graphql.graphql.node import GlobalIdArgument
from oms_graphql.graphql.permissions import requires
from oms_graphql.ids import decode_gid, encode_gid
from oms_graphql.models import DraftOrder as DraftRow


@strawberry.enum(description="Why a draft order mutation refused its input.")
class DraftOrderUserErrorCode(enum.Enum):
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
    NOT_STOCKED = "NOT_STOCKED"
    LOCATION_INACTIVE = "LOCATION_INACTIVE"
    PICKUP_NOT_AVAILABLE = "PICKUP_NOT_AVAILABLE"
    RESERVATION_NOT_ACTIVE = "RESERVATION_NOT_ACTIVE"
    NOT_ACTIVE = "NOT_ACTIVE"
    INVALID_STATE = "INVALID_STATE"
    STALE = "STALE"
    IDEMPOTENCY_KEY_MISMATCH = "IDEMPOTENCY_KEY_MISMATCH"


@strawberry.type(description="A problem with the input of a draft order mutation.")
class DraftOrderUserError(UserError[DraftOrderUserErrorCode]):
    pass


_ERRORS = "Problems with the input; when present, nothing was written."


@strawberry.type(description="The result of a mutation that creates or changes a draft order.")
class DraftOrderPayload:
    draft_order: DraftOrder | None = strawberry.field(
        description="The draft after the change (with `order` once completed); null on userErrors."
    )
    user_errors: list[DraftOrderUserError] = strawberry.field(description=_ERRORS)


@strawberry.type(description="The result of draftOrderCalculate.")
class DraftOrderCalculatePayload:
    calculated_draft_order: CalculatedDraftOrder | None = strawberry.field(
        description="The draft priced; nothing saved. Null on userErrors."
    )
    user_errors: list[DraftOrderUserError] = strawberry.field(description=_ERRORS)


@strawberry.type(description="The result of draftOrderDelete.")
class DraftOrderDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        description="The id of the deleted draft; null on userErrors."
    )
    user_errors: list[DraftOrderUserError] = strawberry.field(description=_ERRORS)


def _draft_id(raw: str) -> int:
    return decode_gid(raw, expected="DraftOrder").pk


async def _draft(session: AsyncSession, draft_id: Any) -> DraftRow:
    row = await repository.get(session, int(draft_id))
    if row is None:
        raise deleted_since()
    return row


async def _change(
    info: Info,
    *,
    operation: str,
    arguments: dict[str, Any],
    idempotency_key: str | None,
    action: Callable[[AsyncSession], Awaitable[DraftRow]],
) -> DraftOrderPayload:
    return await mutate_row(
        info,
        DraftOrderPayload,
        DraftOrderUserError,
        operation=operation,
        arguments=arguments,
        idempotency_key=idempotency_key,
        action=action,
        get=repository.get,
        present=DraftOrder.from_model,
    )


_INPUT = Annotated[DraftOrderInput, strawberry.argument(description="The draft.")]


@strawberry.type
class DraftOrderMutations:
    @strawberry.mutation(
        description="Create a draft order, priced as its order will be; with "
        "reserveInventoryUntil it holds the stock of its lines meanwhile.",
        extensions=requires("write_draft_orders"),
    )
    async def draft_order_create(
        self, info: Info, input: _INPUT, idempotency_key: IdempotencyKey = None
    ) -> DraftOrderPayload:
        given = input.to_draft()
        return await _change(
            info,
            operation="draftOrderCreate",
            arguments={"input": input},
            idempotency_key=idempotency_key,
            action=lambda session: service.create_draft(session, given=given),
        )

    @strawberry.mutation(
        description="Change an open draft: the fields given replace the stored ones, the draft "
        "is priced again, and its stock hold follows its lines.",
        extensions=requires("write_draft_orders"),
    )
    async def draft_order_update(
        self,
        info: Info,
        id: GlobalIdArgument,
        input: _INPUT,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> DraftOrderPayload:
        pk, changes = _draft_id(id), input.to_changes()
        return await _change(
            info,
            operation="draftOrderUpdate",
            arguments={"id": id, "input": input, "expectedVersion": expected_version},
            idempotency_key=idempotency_key,
            action=lambda session: service.update_draft(
                session,
                draft_id=pk,
                given=changes,
                expected_version=expected_version,
            ),
        )

    @strawberry.mutation(
        description="Price a draft as draftOrderCreate would, without saving anything.",
        extensions=requires("write_draft_orders"),
    )
    async def draft_order_calculate(
        self, info: Info, input: _INPUT, idempotency_key: IdempotencyKey = None
    ) -> DraftOrderCalculatePayload:
        given = input.to_draft()

        def calculate(session: AsyncSession, _: Any = None) -> Awaitable[service.DraftQuote]:
            return service.calculate(session, given=given)

        return await mutate_payload(
            info,
            DraftOrderCalculatePayload,
            DraftOrderUserError,
            operation="draftOrderCalculate",
            arguments={"input": input},
            idempotency_key=idempotency_key,
            action=calculate,
            remember=lambda _: None,
            recall=calculate,
            answer=lambda quote: DraftOrderCalculatePayload(
                calculated_draft_order=CalculatedDraftOrder.of(quote), user_errors=[]
            ),
        )

    @strawberry.mutation(
        description="A new open draft with the same lines, buyer, address, shipping, "
        "discounts, tags and note (no hold, no invoice), priced now.",
        extensions=requires("write_draft_orders"),
    )
    async def draft_order_duplicate(
        self, info: Info, id: GlobalIdArgument, idempotency_key: IdempotencyKey = None
    ) -> DraftOrderPayload:
        pk = _draft_id(id)
        return await _change(
            info,
            operation="draftOrderDuplicate",
            arguments={"id": id},
            idempotency_key=idempotency_key,
            action=lambda session: service.duplicate(session, draft_id=pk),
        )

    @strawberry.mutation(
        description="Delete a draft that was not completed; the stock it holds is released.",
        extensions=requires("write_draft_orders"),
    )
    async def draft_order_delete(
        self,
        info: Info,
        input: Annotated[
            DraftOrderDeleteInput, strawberry.argument(description="The draft to delete.")
        ],
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> DraftOrderDeletePayload:
        pk = _draft_id(input.id)

        async def recall(_: AsyncSession, deleted: Any) -> int:
            return int(deleted)

        return await mutate_payload(
            info,
            DraftOrderDeletePayload,
            DraftOrderUserError,
            operation="draftOrderDelete",
            arguments={"input": input, "expectedVersion": expected_version},
            idempotency_key=idempotency_key,
            action=lambda session: service.delete_draft(
                session,
                draft_id=pk,
                expected_version=expected_version,
            ),
            remember=lambda deleted: deleted,
            recall=recall,
            answer=lambda deleted: DraftOrderDeletePayload(
                deleted_id=strawberry.ID(encode_gid("DraftOrder", deleted)), user_errors=[]
            ),
        )

    @strawberry.mutation(
        description="Send the draft's invoice: a link to a printable invoice served by this "
        "server, mailed to `email` (default: the draft's). The draft becomes INVOICE_SENT.",
        extensions=requires("write_draft_orders"),
    )
    async def draft_order_invoice_send(
        self,
        info: Info,
        id: GlobalIdArgument,
        email: Annotated[
            str | None,
            strawberry.argument(description="Where to send it; default: the draft's email."),
        ] = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> DraftOrderPayload:
        pk, base_url = _draft_id(id), str(info.context.request.base_url)

        async def recall(session: AsyncSession, draft_id: Any) -> tuple[DraftRow, None]:
            return await _draft(session, draft_id), None

        async def answer(sent: tuple[DraftRow, mail.MailMessage | None]) -> DraftOrderPayload:
            draft, message = sent
            if message is not None:  # a repeat of a sent invoice sends nothing again
                await mail.send(message)
            return DraftOrderPayload(draft_order=DraftOrder.from_model(draft), user_errors=[])

        return await mutate_payload(
            info,
            DraftOrderPayload,
            DraftOrderUserError,
            operation="draftOrderInvoiceSend",
            arguments={"id": id, "email": email, "expectedVersion": expected_version},
            idempotency_key=idempotency_key,
            action=lambda session: service.send_invoice(
                session,
                draft_id=pk,
                email=email,
                base_url=base_url,
                expected_version=expected_version,
            ),
            remember=lambda result: result[0].id,
            recall=recall,
            answer=answer,
        )

    @strawberry.mutation(
        description="Turn the draft into an order through orderCreate's own code path, at the "
        "draft's prices: held stock becomes the order's committed stock. Without "
        "paymentPending the order is PAID (a SALE of its total), else PENDING.",
        extensions=requires("write_draft_orders"),
    )
    async def draft_order_complete(
        self,
        info: Info,
        id: GlobalIdArgument,
        payment_pending: Annotated[
            bool,
            strawberry.argument(description="The buyer pays later: the order stays PENDING."),
        ] = False,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> DraftOrderPayload:
        pk = _draft_id(id)
        return await _change(
            info,
            operation="draftOrderComplete",
            arguments={
                "id": id,
                "paymentPending": payment_pending,
                "expectedVersion": expected_version,
            },
            idempotency_key=idempotency_key,
            action=lambda session: service.complete(
                session,
                draft_id=pk,
                payment_pending=payment_pending,
                expected_version=expected_version,
            ),
        )
