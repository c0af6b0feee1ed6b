"""Mutations on fulfillment orders (holds, schedules) and fulfillments (shipping,
tracking, delivery events, cancelling)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.fulfillment import cancel, holds, repository, requests, reshape, shipments
from oms_graphql.fulfillment.lifecycle import Reply
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.fulfillment.mutations import FulfillmentOrderUserError
from oms_graphql.graphql.fulfillment.shipments import (
    Fulfillment,
    FulfillmentEvent,
    FulfillmentEventStatus,
    FulfillmentHold,
    FulfillmentHoldReason,
)
from oms_graphql.graphql.mutation import (
    ExpectedVersion,
    IdempotencyKey,
    mutate_payload,
    mutate_row,
)
from oms_graphql.graphql.node import GlobalIdArgument
from oms_graphql.graphql.orders.types import FulfillmentOrder
from oms_graphql.graphql.permissions import requires
from oms_graphql.ids import decode_gid
from oms_graphql.models import Fulfillment as FulfillmentRow
from oms_graphql.models import FulfillmentEvent as FulfillmentEventRow
from oms_graphql.models import FulfillmentOrder as FulfillmentOrderRow
from oms_graphql.orders import repository as orders

_ERRORS = "Problems with the input; when present, nothing was written."


@strawberry.input(description="Why to hold a fulfillment order.")
class FulfillmentHoldInput:
    reason: FulfillmentHoldReason = strawberry.field(description="Why.")
    reason_notes: str | None = strawberry.field(
        default=None, description="More words about why (at most 1,000 characters)."
    )


@strawberry.input(description="Where to follow a shipment.")
class FulfillmentTrackingInput:
    company: str | None = strawberry.field(default=None, description="The carrier.")
    number: str | None = strawberry.field(default=None, description="The tracking number.")
    url: str | None = strawberry.field(default=None, description="An http(s) page to follow it.")

    def to_service(self) -> shipments.Tracking:
        return shipments.Tracking(self.company, self.number, self.url)


@strawberry.input(description="Units of one fulfillment order line to ship.")
class FulfillmentOrderLineItemInput:
    id: strawberry.ID = strawberry.field(description="The FulfillmentOrderLineItem.")
    quantity: int = strawberry.field(description="How many units (at most what remains).")


@strawberry.input(description="Units of one fulfillment order to split off.")
class FulfillmentOrderSplitInput:
    fulfillment_order_id: strawberry.ID = strawberry.field(description="The fulfillment order.")
    fulfillment_order_line_items: list[FulfillmentOrderLineItemInput] = strawberry.field(
        description="The lines and units that leave into a new fulfillment order."
    )


@strawberry.input(description="Fulfillment orders to merge into one.")
class FulfillmentOrderMergeInput:
    fulfillment_order_ids: list[strawberry.ID] = strawberry.field(
        description="Two or more of one order at one location; the first takes the rest."
    )


@strawberry.type(description="The result of fulfillmentOrderMove.")
class FulfillmentOrderMovePayload:
    moved_fulfillment_order: FulfillmentOrder | None = strawberry.field(
        description="The work now at the new location; null on userErrors."
    )
    original_fulfillment_order: FulfillmentOrder | None = strawberry.field(
        description="The fulfillment order moved from (the same one after a whole move)."
    )
    user_errors: list[FulfillmentOrderUserError] = strawberry.field(description=_ERRORS)


@strawberry.type(description="One split: what stayed and what left.")
class FulfillmentOrderSplitResult:
    fulfillment_order: FulfillmentOrder = strawberry.field(
        description="The original, with what stayed."
    )
    remaining_fulfillment_order: FulfillmentOrder = strawberry.field(
        description="The new fulfillment order with the units split off."
    )


@strawberry.type(description="The result of fulfillmentOrderSplit.")
class FulfillmentOrderSplitPayload:
    fulfillment_order_splits: list[FulfillmentOrderSplitResult] | None = strawberry.field(
        description="One result per split asked; null on userErrors."
    )
    user_errors: list[FulfillmentOrderUserError] = strawberry.field(description=_ERRORS)


@strawberry.type(description="One merge's result.")
class FulfillmentOrderMergeResult:
    fulfillment_order: FulfillmentOrder = strawberry.field(description="The merged work.")


@strawberry.type(description="The result of fulfillmentOrdersMerge.")
class FulfillmentOrdersMergePayload:
    fulfillment_order_merges: list[FulfillmentOrderMergeResult] | None = strawberry.field(
        description="One result per merge asked; null on userErrors."
    )
    user_errors: list[FulfillmentOrderUserError] = strawberry.field(description=_ERRORS)


def _parts(
    lines: list[FulfillmentOrderLineItemInput] | None,
) -> list[reshape.Part] | None:
    if lines is None:
        return None
    return [
        reshape.Part(decode_gid(line.id, expected="FulfillmentOrderLineItem").pk, line.quantity)
        for line in lines
    ]


async def _recall_fulfillment_orders(
    session: AsyncSession, remembered: Any
) -> list[FulfillmentOrderRow]:
    ids = [int(pk) for pk in remembered]
    found = {row.id: row for row in await orders.get_fulfillment_orders(session, ids)}
    return [found[pk] for pk in ids]


@strawberry.input(description="What to ship of one fulfillment order.")
class FulfillmentOrderLineItemsInput:
    fulfillment_order_id: strawberry.ID = strawberry.field(description="The fulfillment order.")
    fulfillment_order_line_items: list[FulfillmentOrderLineItemInput] | None = strawberry.field(
        default=None, description="Its lines and quantities; left out: everything remaining."
    )


@strawberry.input(description="A shipment from one location.")
class FulfillmentInput:
    line_items_by_fulfillment_order: list[FulfillmentOrderLineItemsInput] = strawberry.field(
        description="Fulfillment orders of one order, all at one location."
    )
    tracking_info: FulfillmentTrackingInput | None = strawberry.field(
        default=None, description="Where to follow it."
    )
    notify_customer: bool = strawberry.field(
        default=False, description="Tell the buyer (recorded in the event; mail is not sent yet)."
    )

    def to_service(self) -> shipments.NewFulfillment:
        return shipments.NewFulfillment(
            work=[
                shipments.WorkToShip(
                    decode_gid(work.fulfillment_order_id, expected="FulfillmentOrder").pk,
                    None
                    if work.fulfillment_order_line_items is None
                    else [
                        shipments.LineToShip(
                            decode_gid(line.id, expected="FulfillmentOrderLineItem").pk,
                            line.quantity,
                        )
                        for line in work.fulfillment_order_line_items
                    ],
                )
                for work in self.line_items_by_fulfillment_order
            ],
            tracking=self.tracking_info.to_service()
            if self.tracking_info
            else shipments.Tracking(),
        )


@strawberry.input(description="A step of a shipment.")
class FulfillmentEventInput:
    fulfillment_id: strawberry.ID = strawberry.field(description="The fulfillment.")
    status: FulfillmentEventStatus = strawberry.field(description="What happened.")
    happened_at: datetime | None = strawberry.field(
        default=None, description="When; default now. Not in the future."
    )
    message: str | None = strawberry.field(default=None, description="Words about it.")


@strawberry.type(description="The result of a mutation on one fulfillment order.")
class FulfillmentOrderPayload:
    fulfillment_order: FulfillmentOrder | None = strawberry.field(
        description="The fulfillment order after the change; null on userErrors."
    )
    user_errors: list[FulfillmentOrderUserError] = strawberry.field(description=_ERRORS)


@strawberry.type(description="The result of fulfillmentOrderHold.")
class FulfillmentOrderHoldPayload:
    fulfillment_order: FulfillmentOrder | None = strawberry.field(
        description="The fulfillment order, ON_HOLD; null on userErrors."
    )
    fulfillment_hold: FulfillmentHold | None = strawberry.field(
        description="The hold just added; null on userErrors."
    )
    user_errors: list[FulfillmentOrderUserError] = strawberry.field(description=_ERRORS)


@strawberry.type(description="The result of a mutation on one fulfillment.")
class FulfillmentPayload:
    fulfillment: Fulfillment | None = strawberry.field(
        description="The fulfillment after the change; null on userErrors."
    )
    user_errors: list[FulfillmentOrderUserError] = strawberry.field(description=_ERRORS)


@strawberry.type(description="The result of fulfillmentEventCreate.")
class FulfillmentEventPayload:
    fulfillment_event: FulfillmentEvent | None = strawberry.field(
        description="The event recorded; null on userErrors."
    )
    user_errors: list[FulfillmentOrderUserError] = strawberry.field(description=_ERRORS)


async def _recall_fulfillment_order(session: AsyncSession, pk: int) -> FulfillmentOrderRow:
    (row,) = await orders.get_fulfillment_orders(session, [pk])
    return row


async def _recall_fulfillment(session: AsyncSession, pk: int) -> FulfillmentRow:
    (row,) = await repository.fulfillments_by_id(session, [pk])
    return row


def _fulfillment_order_id(raw: str) -> int:
    return decode_gid(raw, expected="FulfillmentOrder").pk


def _fulfillment_id(raw: str) -> int:
    return decode_gid(raw, expected="Fulfillment").pk


async def _change_fulfillment_order(
    info: Info,
    operation: str,
    arguments: dict[str, Any],
    idempotency_key: str | None,
    action: Callable[[AsyncSession], Awaitable[FulfillmentOrderRow]],
) -> FulfillmentOrderPayload:
    return await mutate_row(
        info,
        FulfillmentOrderPayload,
        FulfillmentOrderUserError,
        operation=operation,
        arguments=arguments,
        idempotency_key=idempotency_key,
        action=action,
        get=_recall_fulfillment_order,
        present=FulfillmentOrder.from_model,
    )


async def _change_fulfillment(
    info: Info,
    operation: str,
    arguments: dict[str, Any],
    idempotency_key: str | None,
    action: Callable[[AsyncSession], Awaitable[FulfillmentRow]],
) -> FulfillmentPayload:
    return await mutate_row(
        info,
        FulfillmentPayload,
        FulfillmentOrderUserError,
        operation=operation,
        arguments=arguments,
        idempotency_key=idempotency_key,
        action=action,
        get=_recall_fulfillment,
        present=Fulfillment.from_model,
    )


Message = Annotated[
    str | None, strawberry.argument(description="A note for the other side (1,000 characters).")
]


def _request_mutation(name: str, description: str, reply: Reply | None, cancellation: bool) -> Any:
    """One of the six request mutations: they differ only in what they ask of the service."""

    async def resolve(
        self: Any,
        info: Info,
        id: GlobalIdArgument,
        message: Message = None,
        idempotency_key: IdempotencyKey = None,
    ) -> FulfillmentOrderPayload:
        pk = _fulfillment_order_id(id)
        if reply is None:

            def action(session: AsyncSession) -> Awaitable[FulfillmentOrderRow]:
                return requests.submit(session, pk, message=message, cancellation=cancellation)
        else:

            def action(session: AsyncSession) -> Awaitable[FulfillmentOrderRow]:
                return requests.answer(session, pk, reply, message=message)

        return await _change_fulfillment_order(
            info, name, {"id": id, "message": message}, idempotency_key, action
        )

    return strawberry.mutation(
        resolve, description=description, extensions=requires("write_fulfillments")
    )


@strawberry.type
class FulfillmentMutations:
    @strawberry.mutation(
        description=(
            "Hold a fulfillment order (OPEN, IN_PROGRESS or SCHEDULED) for a reason; holding "
            "a held one adds a reason. Nothing ships until every hold is released."
        ),
        extensions=requires("write_fulfillments"),
    )
    async def fulfillment_order_hold(
        self,
        info: Info,
        id: GlobalIdArgument,
        fulfillment_hold: Annotated[FulfillmentHoldInput, strawberry.argument(description="Why.")],
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> FulfillmentOrderHoldPayload:
        pk = _fulfillment_order_id(id)
        given = holds.NewHold(fulfillment_hold.reason, fulfillment_hold.reason_notes)

        async def answer(row: FulfillmentOrderRow) -> FulfillmentOrderHoldPayload:
            holds_now = await info.context.loaders.active_holds.load(pk)
            return FulfillmentOrderHoldPayload(
                fulfillment_order=FulfillmentOrder.from_model(row),
                fulfillment_hold=FulfillmentHold.from_model(holds_now[-1]) if holds_now else None,
                user_errors=[],
            )

        return await mutate_payload(
            info,
            FulfillmentOrderHoldPayload,
            FulfillmentOrderUserError,
            operation="fulfillmentOrderHold",
            arguments={
                "id": id,
                "fulfillmentHold": fulfillment_hold,
                "expectedVersion": expected_version,
            },
            idempotency_key=idempotency_key,
            action=lambda session: holds.hold(
                session,
                pk,
                given,
                expected_version=expected_version,
            ),
            remember=lambda row: row.id,
            recall=lambda session, remembered: _recall_fulfillment_order(session, int(remembered)),
            answer=answer,
        )

    @strawberry.mutation(
        description="Release every hold: the fulfillment order goes back to where it was.",
        extensions=requires("write_fulfillments"),
    )
    async def fulfillment_order_release_hold(
        self,
        info: Info,
        id: GlobalIdArgument,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> FulfillmentOrderPayload:
        pk = _fulfillment_order_id(id)
        return await _change_fulfillment_order(
            info,
            "fulfillmentOrderReleaseHold",
            {"id": id, "expectedVersion": expected_version},
            idempotency_key,
            lambda session: holds.release_hold(
                session,
                pk,
                expected_version=expected_version,
            ),
        )

    @strawberry.mutation(
        description=(
            "Schedule an OPEN or SCHEDULED fulfillment order: SCHEDULED until fulfillAt, "
            "then OPEN on its own (a time already past opens it now)."
        ),
        extensions=requires("write_fulfillments"),
    )
    async def fulfillment_order_reschedule(
        self,
        info: Info,
        id: GlobalIdArgument,
        fulfill_at: Annotated[datetime, strawberry.argument(description="When it opens.")],
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> FulfillmentOrderPayload:
        pk = _fulfillment_order_id(id)
        return await _change_fulfillment_order(
            info,
            "fulfillmentOrderReschedule",
            {"id": id, "fulfillAt": fulfill_at, "expectedVersion": expected_version},
            idempotency_key,
            lambda session: holds.reschedule(
                session,
                pk,
                fulfill_at,
                expected_version=expected_version,
            ),
        )

    @strawberry.mutation(
        description=(
            "Stop the work left at a location: its units go back from committed to "
            "available; the order still holds them, unfulfilled. Work with shipments behind "
            "it ends INCOMPLETE, other work CANCELLED."
        ),
        extensions=requires("write_fulfillments"),
    )
    async def fulfillment_order_cancel(
        self,
        info: Info,
        id: GlobalIdArgument,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> FulfillmentOrderPayload:
        pk = _fulfillment_order_id(id)
        return await _change_fulfillment_order(
            info,
            "fulfillmentOrderCancel",
            {"id": id, "expectedVersion": expected_version},
            idempotency_key,
            lambda session: cancel.cancel(
                session,
                pk,
                expected_version=expected_version,
            ),
        )

    fulfillment_order_submit_fulfillment_request = _request_mutation(
        "fulfillmentOrderSubmitFulfillmentRequest",
        "Ask the fulfillment service at the assigned location to do this OPEN work "
        "(requestStatus SUBMITTED).",
        None,
        cancellation=False,
    )
    fulfillment_order_accept_fulfillment_request = _request_mutation(
        "fulfillmentOrderAcceptFulfillmentRequest",
        "The fulfillment service takes the submitted work: ACCEPTED, IN_PROGRESS.",
        Reply.ACCEPT_FULFILLMENT,
        cancellation=False,
    )
    fulfillment_order_submit_cancellation_request = _request_mutation(
        "fulfillmentOrderSubmitCancellationRequest",
        "Ask the fulfillment service to give back work it was sent or accepted.",
        None,
        cancellation=True,
    )
    fulfillment_order_accept_cancellation_request = _request_mutation(
        "fulfillmentOrderAcceptCancellationRequest",
        "The fulfillment service gives the work back: CANCELLATION_ACCEPTED, OPEN (move, "
        "reroute or submit it again).",
        Reply.ACCEPT_CANCELLATION,
        cancellation=False,
    )
    fulfillment_order_reject_cancellation_request = _request_mutation(
        "fulfillmentOrderRejectCancellationRequest",
        "The fulfillment service keeps the work: CANCELLATION_REJECTED, IN_PROGRESS.",
        Reply.REJECT_CANCELLATION,
        cancellation=False,
    )

    @strawberry.mutation(
        description=(
            "The fulfillment service declines the submitted work: REJECTED, OPEN again for "
            "the merchant. With reroute, the work is routed again at once, away from it."
        ),
        extensions=requires("write_fulfillments"),
    )
    async def fulfillment_order_reject_fulfillment_request(
        self,
        info: Info,
        id: GlobalIdArgument,
        message: Message = None,
        reroute: Annotated[
            bool,
            strawberry.argument(description="Route the work again, excluding this location."),
        ] = False,
        idempotency_key: IdempotencyKey = None,
    ) -> FulfillmentOrderPayload:
        pk = _fulfillment_order_id(id)
        return await _change_fulfillment_order(
            info,
            "fulfillmentOrderRejectFulfillmentRequest",
            {"id": id, "message": message, "reroute": reroute},
            idempotency_key,
            lambda session: requests.answer(
                session,
                pk,
                Reply.REJECT_FULFILLMENT,
                message=message,
                reroute_after=reroute,
            ),
        )

    @strawberry.mutation(
        description=(
            "Move an OPEN fulfillment order, or some of its units, to another active "
            "location: its committed stock moves too (refused with INSUFFICIENT_STOCK where "
            "the location does not stock an item or lacks the units of a DENY item)."
        ),
        extensions=requires("write_fulfillments"),
    )
    async def fulfillment_order_move(
        self,
        info: Info,
        id: GlobalIdArgument,
        new_location_id: Annotated[
            strawberry.ID, strawberry.argument(description="Where the work goes.")
        ],
        fulfillment_order_line_items: Annotated[
            list[FulfillmentOrderLineItemInput] | None,
            strawberry.argument(description="Some units only; left out: the whole of it."),
        ] = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> FulfillmentOrderMovePayload:
        pk = _fulfillment_order_id(id)
        location_id = decode_gid(new_location_id, expected="Location").pk
        parts = _parts(fulfillment_order_line_items)
        return await mutate_payload(
            info,
            FulfillmentOrderMovePayload,
            FulfillmentOrderUserError,
            operation="fulfillmentOrderMove",
            arguments={
                "id": id,
                "newLocationId": new_location_id,
                "fulfillmentOrderLineItems": fulfillment_order_line_items,
                "expectedVersion": expected_version,
            },
            idempotency_key=idempotency_key,
            action=lambda session: reshape.move(
                session,
                pk,
                location_id,
                parts,
                expected_version=expected_version,
            ),
            remember=lambda pair: [pair[0].id, pair[1].id],
            recall=_recall_fulfillment_orders,
            answer=lambda pair: FulfillmentOrderMovePayload(
                moved_fulfillment_order=FulfillmentOrder.from_model(pair[0]),
                original_fulfillment_order=FulfillmentOrder.from_model(pair[1]),
                user_errors=[],
            ),
        )

    @strawberry.mutation(
        description=(
            "Split units off fulfillment orders (OPEN or IN_PROGRESS) into new ones at the "
            "same location, e.g. to ship them apart; at least one unit stays behind."
        ),
        extensions=requires("write_fulfillments"),
    )
    async def fulfillment_order_split(
        self,
        info: Info,
        fulfillment_order_splits: Annotated[
            list[FulfillmentOrderSplitInput],
            strawberry.argument(description="What leaves each fulfillment order."),
        ],
        idempotency_key: IdempotencyKey = None,
    ) -> FulfillmentOrderSplitPayload:
        splits = [
            reshape.SplitRequest(
                _fulfillment_order_id(split.fulfillment_order_id),
                _parts(split.fulfillment_order_line_items) or [],
            )
            for split in fulfillment_order_splits
        ]
        return await mutate_payload(
            info,
            FulfillmentOrderSplitPayload,
            FulfillmentOrderUserError,
            operation="fulfillmentOrderSplit",
            arguments={"fulfillmentOrderSplits": fulfillment_order_splits},
            idempotency_key=idempotency_key,
            action=lambda session: reshape.split(session, splits),
            remember=lambda pairs: [pk for pair in pairs for pk in (pair[0].id, pair[1].id)],
            recall=_recall_pairs,
            answer=lambda pairs: FulfillmentOrderSplitPayload(
                fulfillment_order_splits=[
                    FulfillmentOrderSplitResult(
                        fulfillment_order=FulfillmentOrder.from_model(original),
                        remaining_fulfillment_order=FulfillmentOrder.from_model(split_off),
                    )
                    for original, split_off in pairs
                ],
                user_errors=[],
            ),
        )

    @strawberry.mutation(
        description=(
            "Merge OPEN fulfillment orders of one order at one location: the first named "
            "takes the others' lines, which are left CLOSED and empty."
        ),
        extensions=requires("write_fulfillments"),
    )
    async def fulfillment_orders_merge(
        self,
        info: Info,
        fulfillment_order_merge_inputs: Annotated[
            list[FulfillmentOrderMergeInput],
            strawberry.argument(description="The groups to merge."),
        ],
        idempotency_key: IdempotencyKey = None,
    ) -> FulfillmentOrdersMergePayload:
        groups = [
            [_fulfillment_order_id(raw) for raw in merge.fulfillment_order_ids]
            for merge in fulfillment_order_merge_inputs
        ]
        return await mutate_payload(
            info,
            FulfillmentOrdersMergePayload,
            FulfillmentOrderUserError,
            operation="fulfillmentOrdersMerge",
            arguments={"fulfillmentOrderMergeInputs": fulfillment_order_merge_inputs},
            idempotency_key=idempotency_key,
            action=lambda session: reshape.merge(session, groups),
            remember=lambda merged: [row.id for row in merged],
            recall=_recall_fulfillment_orders,
            answer=lambda merged: FulfillmentOrdersMergePayload(
                fulfillment_order_merges=[
                    FulfillmentOrderMergeResult(fulfillment_order=FulfillmentOrder.from_model(row))
                    for row in merged
                ],
                user_errors=[],
            ),
        )

    @strawberry.mutation(
        description=(
            "Ship some or all of what remains of one order's fulfillment orders at one "
            "location: committed and on_hand go down there (ledger reason FULFILLMENT), the "
            "fulfillment orders close or stay IN_PROGRESS, the order's fulfillment status "
            "follows."
        ),
        extensions=requires("write_fulfillments"),
    )
    async def fulfillment_create(
        self,
        info: Info,
        fulfillment: Annotated[FulfillmentInput, strawberry.argument(description="What ships.")],
        idempotency_key: IdempotencyKey = None,
    ) -> FulfillmentPayload:
        given = fulfillment.to_service()
        return await _change_fulfillment(
            info,
            "fulfillmentCreate",
            {"fulfillment": fulfillment},
            idempotency_key,
            lambda session: shipments.create_fulfillment(session, given),
        )

    @strawberry.mutation(
        description="Replace a fulfillment's tracking company, number and URL.",
        extensions=requires("write_fulfillments"),
    )
    async def fulfillment_tracking_info_update(
        self,
        info: Info,
        fulfillment_id: GlobalIdArgument,
        tracking_info_input: Annotated[
            FulfillmentTrackingInput, strawberry.argument(description="The new tracking.")
        ],
        notify_customer: Annotated[
            bool, strawberry.argument(description="Tell the buyer (not sent yet).")
        ] = False,
        idempotency_key: IdempotencyKey = None,
    ) -> FulfillmentPayload:
        pk = _fulfillment_id(fulfillment_id)
        tracking = tracking_info_input.to_service()
        return await _change_fulfillment(
            info,
            "fulfillmentTrackingInfoUpdate",
            {"fulfillmentId": fulfillment_id, "trackingInfoInput": tracking_info_input},
            idempotency_key,
            lambda session: shipments.update_tracking(session, pk, tracking),
        )

    @strawberry.mutation(
        description=(
            "Record a step of a shipment (in transit, delivered, ready for pickup...): the "
            "fulfillment's displayStatus follows; DELIVERED and PICKED_UP set deliveredAt."
        ),
        extensions=requires("write_fulfillments"),
    )
    async def fulfillment_event_create(
        self,
        info: Info,
        fulfillment_event: Annotated[
            FulfillmentEventInput, strawberry.argument(description="What happened.")
        ],
        idempotency_key: IdempotencyKey = None,
    ) -> FulfillmentEventPayload:
        pk = _fulfillment_id(fulfillment_event.fulfillment_id)
        return await mutate_payload(
            info,
            FulfillmentEventPayload,
            FulfillmentOrderUserError,
            operation="fulfillmentEventCreate",
            arguments={"fulfillmentEvent": fulfillment_event},
            idempotency_key=idempotency_key,
            action=lambda session: shipments.add_event(
                session,
                pk,
                fulfillment_event.status,
                happened_at=fulfillment_event.happened_at,
                message=fulfillment_event.message,
            ),
            remember=lambda row: row.id,
            recall=_recall_event,
            answer=lambda row: FulfillmentEventPayload(
                fulfillment_event=FulfillmentEvent.from_model(row), user_errors=[]
            ),
        )

    @strawberry.mutation(
        description=(
            "Undo a shipment that did not leave: its units go back to committed and on_hand "
            "and its fulfillment orders reopen. A delivered one can't be cancelled."
        ),
        extensions=requires("write_fulfillments"),
    )
    async def fulfillment_cancel(
        self, info: Info, id: GlobalIdArgument, idempotency_key: IdempotencyKey = None
    ) -> FulfillmentPayload:
        pk = _fulfillment_id(id)
        return await _change_fulfillment(
            info,
            "fulfillmentCancel",
            {"id": id},
            idempotency_key,
            lambda session: shipments.cancel_fulfillment(session, pk),
        )


async def _recall_event(session: AsyncSession, remembered: Any) -> FulfillmentEventRow:
    (row,) = await repository.fulfillment_events_by_id(session, [int(remembered)])
    return row


async def _recall_pairs(
    session: AsyncSession, remembered: Any
) -> list[tuple[FulfillmentOrderRow, FulfillmentOrderRow]]:
    rows = await _recall_fulfillment_orders(session, remembered)
    return list(zip(rows[::2], rows[1::2], strict=True))
