"""The id of the request being served, for logs and masked errors."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

_REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def current_request_id() -> str | None:
    return _REQUEST_ID.get()


def choose_request_id(incoming: str | None) -> str:
    """Keep a caller's ``X-Request-Id`` when it is sane, so logs join up across services."""
    if incoming and _ACCEPTABLE.match(incoming):
        return incoming
    return uuid.uuid4().hex


def bind_request_id(request_id: str) -> object:
    return _REQUEST_ID.set(request_id)


def unbind_request_id(token: object) -> None:
    _REQUEST_ID.reset(token)  # type: ignore[arg-type]


class RequestIdLogFilter(logging.Filter):
    """Adds ``request_id`` to every log record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _REQUEST_ID.get() or "-"
        return True
