"""The one way every mutation runs: one transaction, idempotency keys, userErrors."""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import inspect
import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from oms_graphql.actor import acting_as
from oms_graphql.errors import BadUserInput, DomainError
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.errors import UserError, user_errors
from oms_graphql.idempotency import service as idempotency
from oms_graphql.versions import stale

T = TypeVar("T")
R = TypeVar("R")
P = TypeVar("P")
IDEMPOTENCY_KEY_MAX = 255

IdempotencyKey = Annotated[
    str | None,
    strawberry.argument(
        description=(
            "Makes a retry safe: a repeat with the same key and input changes nothing and "
            "returns the first result; the same key with other input is "
            "IDEMPOTENCY_KEY_MISMATCH. Keys are yours alone and kept 24 hours."
        )
    ),
]
ExpectedVersion = Annotated[
    int | None,
    strawberry.argument(
        description="Refuse with STALE unless the object is still at this version."
    ),
]


def _canonical(value: Any) -> Any:
    if value is strawberry.UNSET:
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _canonical(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not strawberry.UNSET
        }
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal | datetime):
        return str(value)
    return value


def fingerprint(operation: str, arguments: Mapping[str, Any]) -> str:
    """A stable hash of what was asked, to tell a true repeat from a reused key."""
    canonical = json.dumps([operation, _canonical(arguments)], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def mutate(
    info: Info,
    *,
    operation: str,
    arguments: Mapping[str, Any],
    idempotency_key: str | None,
    action: Callable[[AsyncSession], Awaitable[T]],
    remember: Callable[[T], Any],
    recall: Callable[[AsyncSession, Any], Awaitable[T]],
) -> T | DomainError:
    """Run ``action`` in one write transaction and return its result or its userErrors.

    With an idempotency key, the key is claimed in the same transaction: a repeat gets
    ``recall(remembered)`` (the objects re-read by id) and changes nothing; a refused
    attempt rolls the key back with everything else, so it can be retried.
    """
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= IDEMPOTENCY_KEY_MAX:
        raise BadUserInput(
            f"idempotencyKey must be 1 to {IDEMPOTENCY_KEY_MAX} characters",
            argument="idempotencyKey",
        )
    principal = info.context.principal
    try:
        with acting_as(principal.subject):
            async with info.context.db.transaction() as session:
                claim = None
                if idempotency_key is not None and principal.subject is not None:
                    claim = await idempotency.claim(
                        session,
                        subject=principal.subject,
                        key=idempotency_key,
                        operation=operation,
                        fingerprint=fingerprint(operation, arguments),
                    )
                    if claim.is_repeat:
                        return await recall(session, claim.result)
                result = await action(session)
                if claim is not None:
                    await idempotency.remember(session, claim, remember(result))
    except DomainError as error:
        return error
    except StaleDataError:
        return stale()
    info.context.reset_loaders()
    return result


def deleted_since() -> DomainError:
    """A repeat whose object was deleted after the first call (a draft, a tax rate)."""
    return DomainError.single(
        "NOT_FOUND",
        "What the first request with this idempotencyKey wrote no longer exists.",
        ("idempotencyKey",),
    )


def refused(payload: Callable[..., P], errors: list[Any]) -> P:
    """A refused mutation's payload: its userErrors, every other field null."""
    nulls = {f.name: None for f in dataclasses.fields(payload) if f.name != "user_errors"}  # type: ignore[arg-type]
    return payload(**nulls, user_errors=errors)


async def mutate_payload(
    info: Info,
    payload: Callable[..., P],
    error_type: type[UserError],  # type: ignore[type-arg]
    *,
    operation: str,
    arguments: Mapping[str, Any],
    idempotency_key: str | None,
    action: Callable[[AsyncSession], Awaitable[T]],
    remember: Callable[[T], Any],
    recall: Callable[[AsyncSession, Any], Awaitable[T]],
    answer: Callable[[T], P | Awaitable[P]],
) -> P:
    """``mutate``, then its payload: ``answer(result)``, or the userErrors of a refusal."""
    outcome = await mutate(
        info,
        operation=operation,
        arguments=arguments,
        idempotency_key=idempotency_key,
        action=action,
        remember=remember,
        recall=recall,
    )
    if isinstance(outcome, DomainError):
        return refused(payload, user_errors(outcome, error_type))
    answered = answer(outcome)
    return await answered if inspect.isawaitable(answered) else answered


async def mutate_row(
    info: Info,
    payload: Callable[..., P],
    error_type: type[UserError],  # type: ignore[type-arg]
    *,
    operation: str,
    arguments: Mapping[str, Any],
    idempotency_key: str | None,
    action: Callable[[AsyncSession], Awaitable[R]],
    get: Callable[[AsyncSession, int], Awaitable[R | None]],
    present: Callable[[R], Any],
) -> P:
    """The common mutation: its result is one row, remembered by its id, re-read with
    ``get`` on a repeat (NOT_FOUND if it is gone), shown in the payload's one result field
    by ``present``."""
    (field,) = (f.name for f in dataclasses.fields(payload) if f.name != "user_errors")  # type: ignore[arg-type]

    async def recall(session: AsyncSession, remembered: Any) -> R:
        row = await get(session, int(remembered))
        if row is None:
            raise deleted_since()
        return row

    async def answer(row: R) -> P:
        shown = present(row)
        return payload(
            **{field: await shown if inspect.isawaitable(shown) else shown}, user_errors=[]
        )

    return await mutate_payload(
        info,
        payload,
        error_type,
        operation=operation,
        arguments=arguments,
        idempotency_key=idempotency_key,
        action=action,
        remember=lambda row: row.id,  # type: ignore[attr-defined]
        recall=recall,
        answer=answer,
    )
