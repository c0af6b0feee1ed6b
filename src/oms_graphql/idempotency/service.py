"""Claiming an idempotency key inside the mutation's own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import utcnow
from oms_graphql.errors import DomainError
from oms_graphql.idempotency import repository

KEY_TTL = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Claim:
    """Either a fresh key (``row_id`` set) or a repeat with the first result."""

    row_id: int | None
    result: Any = None

    @property
    def is_repeat(self) -> bool:
        return self.row_id is None


async def claim(
    session: AsyncSession, *, subject: str, key: str, operation: str, fingerprint: str
) -> Claim:
    """Take ``key`` for this caller, or find the committed result of an earlier use.

    Keys are the caller's own (per token subject) and live 24 hours. The row is written in
    the mutation's transaction, so a refused attempt (rolled back) leaves no key behind.
    """
    now = utcnow()
    await repository.delete_expired(session, subject=subject, now=now)
    row_id = await repository.insert_if_absent(
        session,
        subject=subject,
        key=key,
        operation=operation,
        fingerprint=fingerprint,
        now=now,
        expires_at=now + KEY_TTL,
    )
    if row_id is not None:
        return Claim(row_id)
    existing = await repository.get(session, subject=subject, key=key)
    if existing is None:  # expired and removed by a concurrent call in between
        raise DomainError.single(
            "IDEMPOTENCY_KEY_MISMATCH", "the key changed while in use; retry", ("idempotencyKey",)
        )
    if existing.operation != operation or existing.fingerprint != fingerprint:
        raise DomainError.single(
            "IDEMPOTENCY_KEY_MISMATCH",
            f"this idempotency key was used with different input (by {existing.operation})",
            ("idempotencyKey",),
        )
    return Claim(None, existing.result)


async def remember(session: AsyncSession, claim: Claim, result: Any) -> None:
    assert claim.row_id is not None
    await repository.set_result(session, claim.row_id, result)
