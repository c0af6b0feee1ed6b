"""All SQL about idempotency keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.models import IdempotencyKey


async def delete_expired(session: AsyncSession, *, subject: str, now: datetime) -> None:
    await session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.subject == subject, IdempotencyKey.expires_at <= now
        )
    )


async def insert_if_absent(
    session: AsyncSession,
    *,
    subject: str,
    key: str,
    operation: str,
    fingerprint: str,
    now: datetime,
    expires_at: datetime,
) -> int | None:
    """Insert the key; ``None`` when it exists.

    On PostgreSQL a concurrent insert of the same key waits here until the other
    transaction ends: committed, it is a repeat; rolled back, this one goes ahead.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(IdempotencyKey)
        .values(
            subject=subject,
            key=key,
            operation=operation,
            fingerprint=fingerprint,
            created_at=now,
            expires_at=expires_at,
        )
        .on_conflict_do_nothing(index_elements=["subject", "key"])
        .returning(IdempotencyKey.id)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def get(session: AsyncSession, *, subject: str, key: str) -> IdempotencyKey | None:
    statement = select(IdempotencyKey).where(
        IdempotencyKey.subject == subject, IdempotencyKey.key == key
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def set_result(session: AsyncSession, row_id: int, result: Any) -> None:
    await session.execute(
        update(IdempotencyKey).where(IdempotencyKey.id == row_id).values(result=result)
    )
