"""Values parsed from user text (search terms, cursors), checked before they reach SQL.

Each function returns the value or raises ``ValueError``; callers turn that into
BAD_USER_INPUT naming what they parsed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from oms_graphql.db import MONEY_SCALE

INT64_MAX = 2**63 - 1
AMOUNT_MAX = Decimal(INT64_MAX).scaleb(-MONEY_SCALE)
_DIGITS = re.compile(r"^[+-]?[0-9]{1,19}$")


def integer(raw: object) -> int:
    """A 64-bit integer, from an int or from ASCII digits."""
    if isinstance(raw, str) and _DIGITS.match(raw):
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or abs(raw) > INT64_MAX:
        raise ValueError(f"{raw!r} is not a 64-bit integer")
    return raw


def amount(raw: object) -> Decimal:
    """An amount as money columns store it: finite, at most 4 decimals, within range."""
    try:
        value = (
            Decimal(str(raw)) if isinstance(raw, str | int) and not isinstance(raw, bool) else None
        )
    except InvalidOperation:
        value = None
    exponent = value.as_tuple().exponent if value is not None else None
    if (
        value is None
        or not value.is_finite()
        or not isinstance(exponent, int)
        or exponent < -MONEY_SCALE
        or abs(value) > AMOUNT_MAX
    ):
        raise ValueError(f"{raw!r} is not an amount with at most {MONEY_SCALE} decimals")
    return value


def moment(raw: object, *, assume_utc: bool) -> datetime:
    """An ISO-8601 time; without an offset it is UTC when ``assume_utc``, else refused."""
    if not isinstance(raw, str):
        raise ValueError(f"{raw!r} is not a time")
    value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if value.tzinfo is None:
        if not assume_utc:
            raise ValueError(f"{raw!r} has no UTC offset")
        value = value.replace(tzinfo=UTC)
    if not fits_utc(value):
        raise ValueError(f"{raw!r} is out of range")
    return value


def fits_utc(value: datetime) -> bool:
    """False for a time with no UTC equivalent: 0001-01-01T00:00+01:00 is before the first
    UTC instant there is (converting it, to store or compare it, overflows)."""
    try:
        value.astimezone(UTC)
    except OverflowError:
        return False
    return True
