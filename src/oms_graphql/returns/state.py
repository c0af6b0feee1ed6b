"""A return's life as data: which action each status allows, and where it leads."""

from __future__ import annotations

import enum
from collections.abc import Sequence

from oms_graphql.errors import DomainError
from oms_graphql.models import ReturnStatus

Status = ReturnStatus


class Action(enum.StrEnum):
    APPROVE = "APPROVE"
    DECLINE = "DECLINE"
    CANCEL = "CANCEL"
    CLOSE = "CLOSE"
    REOPEN = "REOPEN"
    SHIP_BACK = "SHIP_BACK"
    DISPOSE = "DISPOSE"


TRANSITIONS: dict[Action, tuple[frozenset[Status], Status | None]] = {
    Action.APPROVE: (frozenset({Status.REQUESTED}), Status.OPEN),
    Action.DECLINE: (frozenset({Status.REQUESTED}), Status.DECLINED),
    Action.CANCEL: (frozenset({Status.REQUESTED, Status.OPEN}), Status.CANCELLED),
    Action.CLOSE: (frozenset({Status.OPEN}), Status.CLOSED),
    Action.REOPEN: (frozenset({Status.CLOSED}), Status.OPEN),
    Action.SHIP_BACK: (frozenset({Status.OPEN}), None),
    Action.DISPOSE: (frozenset({Status.OPEN}), None),
}
"""Action -> (statuses it is allowed from, status after; None: the status stays)."""


def _words(value: str) -> str:
    return value.lower().replace("_", " ")


def check(action: Action, status: Status, field: Sequence[str]) -> Status:
    """The status after ``action``; INVALID_STATE when ``status`` does not allow it."""
    allowed, after = TRANSITIONS[action]
    if status not in allowed:
        raise DomainError.single(
            "INVALID_STATE", f"a {_words(status.value)} return can't {_words(action.value)}", field
        )
    return status if after is None else after
