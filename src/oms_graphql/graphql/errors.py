"""userErrors for mutation payloads, and the transaction wrapper every mutation uses."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.errors import DomainError
from oms_graphql.graphql.context import Info

T = TypeVar("T")
E = TypeVar("E", bound="DisplayableError")
C = TypeVar("C", bound=enum.Enum)


@strawberry.interface(description="An error in the input that the caller can fix.")
class DisplayableError:
    field: list[str] | None = strawberry.field(
        description='Path to the offending input, e.g. ["input", "address", "latitude"].'
    )
    message: str = strawberry.field(description="What is wrong, in English.")


def user_errors(error: DomainError, error_type: type[E], codes: type[C]) -> list[E]:
    """The payload's ``userErrors`` for a refused mutation (codes outside ``codes`` are bugs)."""
    return [
        error_type(field=list(p.field) or None, message=p.message, code=codes(p.code))  # type: ignore[call-arg]
        for p in error.problems
    ]


async def transact(info: Info, action: Callable[[AsyncSession], Awaitable[T]]) -> T | DomainError:
    """Run ``action`` in one write transaction; a ``DomainError`` rolls everything back.

    After a commit the operation's loaders are replaced, so later fields read fresh rows.
    """
    try:
        async with info.context.db.transaction() as session:
            result = await action(session)
    except DomainError as error:
        return error
    info.context.reset_loaders()
    return result
