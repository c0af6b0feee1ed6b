"""Who is acting in the current mutation, for the events and ledger rows it writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_ACTOR: ContextVar[str | None] = ContextVar("actor", default=None)


def current_actor() -> str | None:
    return _ACTOR.get()


@contextmanager
def acting_as(subject: str | None) -> Iterator[None]:
    token = _ACTOR.set(subject)
    try:
        yield
    finally:
        _ACTOR.reset(token)
