"""A fulfillment order's life: which actions each status and request status allow, as data.

``supportedActions`` and every operation read the same tables, so what a client is offered
is exactly what the server accepts. A SCHEDULED fulfillment order whose ``fulfillAt`` has
passed is OPEN: reads and writes see it so at once, whatever the stored row says.

Work at a fulfillment service (a 3PL) changes hands through requests: while a request is
pending, or once the service accepted the work, the merchant's own actions wait.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime

from oms_graphql.errors import DomainError
from oms_graphql.models import (
    FulfillmentOrder,
    FulfillmentOrderRequestStatus,
    FulfillmentOrderStatus,
)

Status = FulfillmentOrderStatus
Request = FulfillmentOrderRequestStatus


class Action(enum.StrEnum):
    CREATE_FULFILLMENT = "CREATE_FULFILLMENT"
    HOLD = "HOLD"
    RELEASE_HOLD = "RELEASE_HOLD"
    RESCHEDULE = "RESCHEDULE"
    MOVE = "MOVE"
    SPLIT = "SPLIT"
    MERGE = "MERGE"
    CANCEL_FULFILLMENT_ORDER = "CANCEL_FULFILLMENT_ORDER"
    REQUEST_FULFILLMENT = "REQUEST_FULFILLMENT"
    REQUEST_CANCELLATION = "REQUEST_CANCELLATION"


MERCHANT_OWNED = frozenset({Request.UNSUBMITTED, Request.REJECTED, Request.CANCELLATION_ACCEPTED})
"""Request statuses in which the merchant does the work (or has it back)."""
SERVICE_OWNED = frozenset({Request.ACCEPTED, Request.CANCELLATION_REJECTED})

ALLOWED: dict[Action, tuple[frozenset[Status], frozenset[Request]]] = {
    Action.CREATE_FULFILLMENT: (
        frozenset({Status.OPEN, Status.IN_PROGRESS}),
        MERCHANT_OWNED | SERVICE_OWNED,
    ),
    Action.HOLD: (
        frozenset({Status.OPEN, Status.IN_PROGRESS, Status.SCHEDULED, Status.ON_HOLD}),
        MERCHANT_OWNED,
    ),
    Action.RELEASE_HOLD: (frozenset({Status.ON_HOLD}), MERCHANT_OWNED),
    Action.RESCHEDULE: (frozenset({Status.OPEN, Status.SCHEDULED}), MERCHANT_OWNED),
    Action.MOVE: (frozenset({Status.OPEN}), MERCHANT_OWNED),
    Action.SPLIT: (frozenset({Status.OPEN, Status.IN_PROGRESS}), MERCHANT_OWNED),
    Action.MERGE: (frozenset({Status.OPEN}), MERCHANT_OWNED),
    Action.CANCEL_FULFILLMENT_ORDER: (
        frozenset({Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD, Status.SCHEDULED}),
        MERCHANT_OWNED,
    ),
    Action.REQUEST_FULFILLMENT: (frozenset({Status.OPEN}), MERCHANT_OWNED),
    Action.REQUEST_CANCELLATION: (
        frozenset({Status.OPEN, Status.IN_PROGRESS}),
        frozenset({Request.SUBMITTED, Request.ACCEPTED, Request.CANCELLATION_REJECTED}),
    ),
}
"""Action -> (statuses, request statuses) it is allowed from. MOVE covers
fulfillmentOrderMove and fulfillmentOrdersReroute: only work nothing was shipped from moves,
so a fulfillment order never names a location it did not ship from."""

SERVICE_ONLY = frozenset({Action.REQUEST_FULFILLMENT})
"""Offered only at fulfillment service locations."""


class Reply(enum.StrEnum):
    """A fulfillment service's answers to requests."""

    ACCEPT_FULFILLMENT = "ACCEPT_FULFILLMENT"
    REJECT_FULFILLMENT = "REJECT_FULFILLMENT"
    ACCEPT_CANCELLATION = "ACCEPT_CANCELLATION"
    REJECT_CANCELLATION = "REJECT_CANCELLATION"


REPLIES: dict[Reply, tuple[Request, Request, Status]] = {
    Reply.ACCEPT_FULFILLMENT: (Request.SUBMITTED, Request.ACCEPTED, Status.IN_PROGRESS),
    Reply.REJECT_FULFILLMENT: (Request.SUBMITTED, Request.REJECTED, Status.OPEN),
    Reply.ACCEPT_CANCELLATION: (
        Request.CANCELLATION_REQUESTED,
        Request.CANCELLATION_ACCEPTED,
        Status.OPEN,
    ),
    Reply.REJECT_CANCELLATION: (
        Request.CANCELLATION_REQUESTED,
        Request.CANCELLATION_REJECTED,
        Status.IN_PROGRESS,
    ),
}
"""Reply -> (request status it answers, request status after, work status after)."""


def effective_status(fulfillment_order: FulfillmentOrder, now: datetime) -> Status:
    if (
        fulfillment_order.status == Status.SCHEDULED
        and fulfillment_order.fulfill_at is not None
        and fulfillment_order.fulfill_at <= now
    ):
        return Status.OPEN
    return fulfillment_order.status


def supported_actions(
    fulfillment_order: FulfillmentOrder, now: datetime, *, at_fulfillment_service: bool = False
) -> list[Action]:
    status = effective_status(fulfillment_order, now)
    request = fulfillment_order.request_status
    return [
        action
        for action, (statuses, requests) in ALLOWED.items()
        if status in statuses
        and request in requests
        and (at_fulfillment_service or action not in SERVICE_ONLY)
    ]


def _words(value: str) -> str:
    return value.lower().replace("_", " ")


def check(
    action: Action,
    fulfillment_order: FulfillmentOrder,
    now: datetime,
    field: Sequence[str],
    *,
    at_fulfillment_service: bool = False,
) -> Status:
    """The effective status when ``action`` is allowed; INVALID_STATE otherwise."""
    status = effective_status(fulfillment_order, now)
    allowed = supported_actions(
        fulfillment_order, now, at_fulfillment_service=at_fulfillment_service
    )
    if action not in allowed:
        request = fulfillment_order.request_status
        why = f"a {_words(status.value)} fulfillment order"
        if request != Request.UNSUBMITTED:
            why += f" (request {_words(request.value)})"
        raise DomainError.single("INVALID_STATE", f"{why} can't {_words(action.value)}", field)
    return status


def reply(
    answer: Reply, fulfillment_order: FulfillmentOrder, field: Sequence[str]
) -> tuple[Request, Status]:
    """The request status and work status after a fulfillment service's answer."""
    expected, after, status = REPLIES[answer]
    if fulfillment_order.request_status != expected:
        raise DomainError.single(
            "INVALID_STATE",
            f"there is no {_words(expected.value)} request to answer (the request is "
            f"{_words(fulfillment_order.request_status.value)})",
            field,
        )
    return after, status
