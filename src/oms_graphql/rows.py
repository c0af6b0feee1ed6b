"""Reads every repository shares: rows of one model by id."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

M = TypeVar("M")


async def by_id(session: AsyncSession, model: type[M], ids: Iterable[int]) -> list[M]:
    """The rows of ``model`` with these ids the session may see, in no particular order:
    one statement (none for no ids)."""
    wanted = set(ids)
    if not wanted:
        return []
    column: InstrumentedAttribute[Any] = model.id  # type: ignore[attr-defined]
    return list((await session.scalars(select(model).where(column.in_(wanted)))).all())
