"""Mutations on returns: request, create, approve, decline, cancel, close, reopen, the
parcel coming back, and dispositions."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.graphql.context import Info
from oms_graphql.graphql.errors import UserError, payload_type
from oms_graphql.graphql.mutation import (
    ExpectedVersion,
    IdempotencyKey,
    mutate_payload,
    mutate_row,
)
from oms_graphql.graphql.node import GlobalIdArgument
from oms_graphql.graphql.permissions import requires, requires_any
from oms_graphql.graphql.returns.inputs import (
    ReturnApproveRequestInput,
    ReturnDeclineRequestInput,
    ReturnInput,
    ReverseDeliveryLabelInput,
    ReverseDeliveryLineItemInput,
    ReverseDeliveryTrackingInput,
    ReverseFulfillmentOrderDisposeInput,
)
from oms_graphql.graphql.returns.types import (
    Return,
    ReverseDelivery,
    ReverseFulfillmentOrderLineItem,
)
from oms_graphql.ids import decode_gid
from oms_graphql.models import Return as ReturnRow
from oms_graphql.models import ReverseDelivery as ReverseDeliveryRow
from oms_graphql.models import ReverseFulfillmentOrderLine as LineRow
from oms_graphql.returns import logistics, repository, service

_ERRORS = "Problems with the input; when present, nothing was written."


@strawberry.enum(description="Why a return mutation refused its input.")
class ReturnUserErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"
    BLANK = "BLANK"
    INVALID = "INVALID"
    TOO_LONG = "TOO_LONG"
    INVALID_STATE = "INVALID_STATE"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    OVER_RETURN = "OVER_RETURN"
    OVER_DISPOSAL = "OVER_DISPOSAL"
    INSUFFICIENT_QUANTITY = "INSUFFICIENT_QUANTITY"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    STALE = "STALE"
    IDEMPOTENCY_KEY_MISMATCH = "IDEMPOTENCY_KEY_MISMATCH"


@strawberry.type(description="A problem with the input of a return mutation.")
class ReturnUserError(UserError[ReturnUserErrorCode]):
    pass


def _return_payload(name: str, result: str) -> type:
    return payload_type(name, "return_", Return, ReturnUserError, result)


ReturnRequestPayload = _return_payload("ReturnRequestPayload", "The REQUESTED return")
ReturnCreatePayload = _return_payload("ReturnCreatePayload", "The OPEN return")
ReturnApproveRequestPayload = _return_payload("ReturnApproveRequestPayload", "The OPEN return")
ReturnDeclineRequestPayload = _return_payload("ReturnDeclineRequestPayload", "The DECLINED return")
ReturnCancelPayload = _return_payload("ReturnCancelPayload", "The CANCELLED return")
ReturnClosePayload = _return_payload("ReturnClosePayload", "The CLOSED return")
ReturnReopenPayload = _return_payload("ReturnReopenPayload", "The OPEN return")


@strawberry.type(description="The result of reverseDeliveryCreateWithShipping.")
class ReverseDeliveryCreateWithShippingPayload:
    reverse_delivery: ReverseDelivery | None = strawberry.field(
        description="The parcel coming back; null on userErrors."
    )
    user_errors: list[ReturnUserError] = strawberry.field(description=_ERRORS)


@strawberry.type(description="The result of reverseFulfillmentOrderDispose.")
class ReverseFulfillmentOrderDisposePayload:
    reverse_fulfillment_order_line_items: list[ReverseFulfillmentOrderLineItem] | None = (
        strawberry.field(description="The lines disposed, after the change; null on userErrors.")
    )
    user_errors: list[ReturnUserError] = strawberry.field(description=_ERRORS)


async def _change_return(
    info: Info,
    payload: Any,
    operation: str,
    arguments: dict[str, Any],
    idempotency_key: str | None,
    action: Callable[[AsyncSession], Awaitable[ReturnRow]],
) -> Any:
    return await mutate_row(
        info,
        payload,
        ReturnUserError,
        operation=operation,
        arguments=arguments,
        idempotency_key=idempotency_key,
        action=action,
        get=repository.get,
        present=Return.from_model,
    )


def _at_once(info: Info) -> bool:
    """OMS_EXCHANGES_FULFILL_AT_ONCE: exchange lines are placed when the return opens."""
    return info.context.runtime.settings.exchanges_fulfill_at_once


def _return_id(raw: str) -> int:
    return decode_gid(raw, expected="Return").pk


LifecycleStep = Callable[..., Awaitable[ReturnRow]]


def _lifecycle_mutation(name: str, payload: Any, step: LifecycleStep, description: str) -> Any:
    """returnCancel, returnClose and returnReopen: one return id, one step."""

    async def resolve(
        self: Any,
        info: Info,
        id: GlobalIdArgument,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Any:
        pk = _return_id(id)
        return await _change_return(
            info,
            payload,
            name,
            {"id": id, "expectedVersion": expected_version},
            idempotency_key,
            lambda session: step(
                session,
                pk,
                expected_version=expected_version,
            ),
        )

    resolve.__annotations__["return"] = payload
    return strawberry.mutation(
        resolve, description=description, extensions=requires("write_returns")
    )


async def _recall_lines(session: AsyncSession, remembered: Any) -> list[LineRow]:
    ids = [int(pk) for pk in remembered]
    found = {row.id: row for row in await repository.rfo_lines_by_id(session, ids)}
    return [found[pk] for pk in ids]


async def _delivery(session: AsyncSession, delivery_id: int) -> ReverseDeliveryRow:
    (row,) = await repository.deliveries_by_id(session, [delivery_id])
    return row


@strawberry.type
class ReturnMutations:
    @strawberry.mutation(
        description=(
            "A buyer asks to send shipped units back: the return is REQUESTED until staff "
            "approve or decline it. A customer token may ask only for orders of its email."
        ),
        extensions=requires_any("write_returns", "customer"),
    )
    async def return_request(
        self,
        info: Info,
        input: Annotated[ReturnInput, strawberry.argument(description="What comes back.")],
        idempotency_key: IdempotencyKey = None,
    ) -> ReturnRequestPayload:  # type: ignore[valid-type]
        given = input.to_service()
        return await _change_return(  # type: ignore[no-any-return]
            info,
            ReturnRequestPayload,
            "returnRequest",
            {"input": input},
            idempotency_key,
            lambda session: service.request_return(session, given=given),
        )

    @strawberry.mutation(
        description="Staff open a return at once (OPEN), with its reverse fulfillment order.",
        extensions=requires("write_returns"),
    )
    async def return_create(
        self,
        info: Info,
        return_input: Annotated[ReturnInput, strawberry.argument(description="What comes back.")],
        idempotency_key: IdempotencyKey = None,
    ) -> ReturnCreatePayload:  # type: ignore[valid-type]
        given = return_input.to_service()
        return await _change_return(  # type: ignore[no-any-return]
            info,
            ReturnCreatePayload,
            "returnCreate",
            {"returnInput": return_input},
            idempotency_key,
            lambda session: service.create_return(
                session, given=given, exchanges_at_once=_at_once(info)
            ),
        )

    @strawberry.mutation(
        description="Approve a REQUESTED return: it opens, with its reverse fulfillment order.",
        extensions=requires("write_returns"),
    )
    async def return_approve_request(
        self,
        info: Info,
        input: Annotated[ReturnApproveRequestInput, strawberry.argument(description="The return.")],
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> ReturnApproveRequestPayload:  # type: ignore[valid-type]
        pk = _return_id(input.id)
        return await _change_return(  # type: ignore[no-any-return]
            info,
            ReturnApproveRequestPayload,
            "returnApproveRequest",
            {"input": input, "expectedVersion": expected_version},
            idempotency_key,
            lambda session: service.approve(
                session,
                pk,
                expected_version=expected_version,
                exchanges_at_once=_at_once(info),
            ),
        )

    @strawberry.mutation(
        description="Decline a REQUESTED return, with a reason: its units stay returnable.",
        extensions=requires("write_returns"),
    )
    async def return_decline_request(
        self,
        info: Info,
        input: Annotated[
            ReturnDeclineRequestInput, strawberry.argument(description="The return and why.")
        ],
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> ReturnDeclineRequestPayload:  # type: ignore[valid-type]
        pk = _return_id(input.id)
        return await _change_return(  # type: ignore[no-any-return]
            info,
            ReturnDeclineRequestPayload,
            "returnDeclineRequest",
            {"input": input, "expectedVersion": expected_version},
            idempotency_key,
            lambda session: service.decline(
                session,
                pk,
                reason=input.decline_reason,
                note=input.decline_note,
                expected_version=expected_version,
            ),
        )

    return_cancel = _lifecycle_mutation(
        "returnCancel",
        ReturnCancelPayload,
        service.cancel,
        "Cancel a REQUESTED or OPEN return nothing was received of: its units stay returnable.",
    )
    return_close = _lifecycle_mutation(
        "returnClose",
        ReturnClosePayload,
        service.close,
        "Close an OPEN return: nothing more is expected back.",
    )
    return_reopen = _lifecycle_mutation(
        "returnReopen", ReturnReopenPayload, service.reopen, "Reopen a CLOSED return."
    )

    @strawberry.mutation(
        description=(
            "A parcel coming back for an OPEN return: its label and carrier tracking, for "
            "some (default: all) units of a reverse fulfillment order."
        ),
        extensions=requires("write_returns"),
    )
    async def reverse_delivery_create_with_shipping(
        self,
        info: Info,
        reverse_fulfillment_order_id: Annotated[
            strawberry.ID, strawberry.argument(description="The reverse fulfillment order.")
        ],
        reverse_delivery_line_items: Annotated[
            list[ReverseDeliveryLineItemInput] | None,
            strawberry.argument(description="Its lines and units; left out: all of them."),
        ] = None,
        tracking_input: Annotated[
            ReverseDeliveryTrackingInput | None,
            strawberry.argument(description="Carrier tracking."),
        ] = None,
        label_input: Annotated[
            ReverseDeliveryLabelInput | None, strawberry.argument(description="The label.")
        ] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> ReverseDeliveryCreateWithShippingPayload:
        rfo_id = decode_gid(reverse_fulfillment_order_id, expected="ReverseFulfillmentOrder").pk
        lines = (
            None
            if reverse_delivery_line_items is None
            else [
                (
                    decode_gid(
                        line.reverse_fulfillment_order_line_item_id,
                        expected="ReverseFulfillmentOrderLineItem",
                    ).pk,
                    line.quantity,
                )
                for line in reverse_delivery_line_items
            ]
        )
        tracking = tracking_input or ReverseDeliveryTrackingInput()
        shipping = logistics.Shipping(
            carrier_name=tracking.company,
            tracking_number=tracking.number,
            tracking_url=tracking.url,
            label_url=label_input.file_url if label_input else None,
        )
        return await mutate_row(
            info,
            ReverseDeliveryCreateWithShippingPayload,
            ReturnUserError,
            operation="reverseDeliveryCreateWithShipping",
            arguments={
                "reverseFulfillmentOrderId": reverse_fulfillment_order_id,
                "reverseDeliveryLineItems": reverse_delivery_line_items,
                "trackingInput": tracking_input,
                "labelInput": label_input,
            },
            idempotency_key=idempotency_key,
            action=lambda session: logistics.create_delivery(
                session,
                reverse_fulfillment_order_id=rfo_id,
                lines=lines,
                shipping=shipping,
            ),
            get=_delivery,
            present=ReverseDelivery.from_model,
        )

    @strawberry.mutation(
        description=(
            "Receive returned units: per line, how many, what became of them and where. "
            "RESTOCKED, DAMAGED and PROCESSING_REQUIRED add to the location's stock (ledger "
            "reason RETURN); never more than remains. The only way returned units reach "
            "inventory."
        ),
        extensions=requires("write_returns"),
    )
    async def reverse_fulfillment_order_dispose(
        self,
        info: Info,
        disposition_inputs: Annotated[
            list[ReverseFulfillmentOrderDisposeInput],
            strawberry.argument(description="The dispositions."),
        ],
        idempotency_key: IdempotencyKey = None,
    ) -> ReverseFulfillmentOrderDisposePayload:
        given = [entry.to_service() for entry in disposition_inputs]
        return await mutate_payload(
            info,
            ReverseFulfillmentOrderDisposePayload,
            ReturnUserError,
            operation="reverseFulfillmentOrderDispose",
            arguments={"dispositionInputs": disposition_inputs},
            idempotency_key=idempotency_key,
            action=lambda session: logistics.dispose(
                session, given=given, exchanges_at_once=_at_once(info)
            ),
            remember=lambda rows: [row.id for row in rows],
            recall=_recall_lines,
            answer=lambda rows: ReverseFulfillmentOrderDisposePayload(
                reverse_fulfillment_order_line_items=[
                    ReverseFulfillmentOrderLineItem.from_model(row) for row in rows
                ],
                user_errors=[],
            ),
        )
