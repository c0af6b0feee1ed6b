"""userErrors for mutation payloads."""

from __future__ import annotations

import enum
from typing import Generic, TypeVar, get_args

import strawberry

from oms_graphql.errors import DomainError

C = TypeVar("C", bound=enum.Enum)


@strawberry.interface(description="An error in the input that the caller can fix.")
class DisplayableError:
    field: list[str] | None = strawberry.field(
        description='Path to the offending input, e.g. ["input", "address", "latitude"].'
    )
    message: str = strawberry.field(description="What is wrong, in English.")


@strawberry.type(description="An error in a mutation's input, with a machine-readable code.")
class UserError(DisplayableError, Generic[C]):
    code: C | None = strawberry.field(description="What kind of problem, for programs.")


E = TypeVar("E", bound=UserError)  # type: ignore[type-arg]


def user_errors(error: DomainError, error_type: type[E]) -> list[E]:
    """The payload's ``userErrors`` for a refused mutation.

    The code enum is the one ``error_type`` was declared with (``UserError[SomeCode]``);
    a service code outside it is a bug, and fails loudly.
    """
    (codes,) = get_args(error_type.__orig_bases__[0])  # type: ignore[attr-defined]
    return [
        error_type(field=list(p.field) or None, message=p.message, code=codes(p.code))
        for p in error.problems
    ]


def payload_type(name: str, field: str, node: type, error_type: type, result: str) -> type:
    """A mutation payload ``name { <field>, userErrors }``: declared, not written out, since
    every payload has exactly this shape. A ``field`` ending in ``_`` (``return_``, a Python
    keyword) is named without it in the API."""
    namespace = {
        "__annotations__": {field: node | None, "user_errors": list[error_type]},  # type: ignore[valid-type]
        field: strawberry.field(
            name=field.removesuffix("_") if field.endswith("_") else None,
            description=f"{result}; null on userErrors.",
        ),
        "user_errors": strawberry.field(
            description="Problems with the input; when present, nothing was written."
        ),
    }
    return strawberry.type(
        type(name, (), namespace), description=f"The result of {name[0].lower()}{name[1:-7]}."
    )
