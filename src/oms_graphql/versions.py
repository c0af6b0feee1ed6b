"""Optimistic concurrency: ``version`` columns and the ``expectedVersion`` argument."""

from __future__ import annotations

from oms_graphql.errors import DomainError

STALE_FIELD = ("expectedVersion",)


def stale(
    message: str = "changed by someone else meanwhile; reload it and try again",
) -> DomainError:
    return DomainError.single("STALE", message, STALE_FIELD)


def check_expected_version(current: int, expected: int | None) -> None:
    """Refuse to act on an object the caller saw at another version (``STALE``)."""
    if expected is not None and expected != current:
        raise stale(f"expectedVersion {expected} is stale: the current version is {current}")
