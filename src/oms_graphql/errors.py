"""Errors raised by services and repositories; no GraphQL here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a request: a stable code, a message, the offending input path."""

    code: str
    message: str
    field: tuple[str, ...] = ()


@dataclass(slots=True)
class DomainError(Exception):
    """An expected business failure; the mutation changes nothing and reports userErrors.

    A service raises it with every problem it found, so that a form can show them all at once.
    """

    problems: Sequence[Problem] = field(default_factory=tuple)

    @classmethod
    def single(cls, code: str, message: str, field: Sequence[str] = ()) -> DomainError:
        return cls((Problem(code, message, tuple(field)),))

    def __str__(self) -> str:
        return "; ".join(f"{p.code}: {p.message}" for p in self.problems)


def api_name(name: str) -> str:
    """The API's (camelCase) name of a snake_case field, for userError paths."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class BadUserInput(Exception):
    """Input that cannot be interpreted at all (a malformed id or cursor, a page too large).

    Reported as a top-level GraphQL error with ``extensions.code = BAD_USER_INPUT``.
    """

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
