"""All SQL about tax rates."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.models import TaxRate
from oms_graphql.paging import Page, PageRequest, SortKey, fetch_page

BY_ID = SortKey("ID", TaxRate.id)


def province_key(province: str | None) -> str:
    return (province or "").strip().lower()


async def get(session: AsyncSession, country_code: str, province: str | None) -> TaxRate | None:
    statement = select(TaxRate).where(
        TaxRate.country_code == country_code, TaxRate.province_key == province_key(province)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def get_many(session: AsyncSession, ids: Sequence[int]) -> list[TaxRate]:
    if not ids:
        return []
    return list((await session.scalars(select(TaxRate).where(TaxRate.id.in_(ids)))).all())


async def applicable(
    session: AsyncSession, country_code: str, province: str | None
) -> TaxRate | None:
    """The province's rate when there is one, else the country's: one statement."""
    keys = {"", province_key(province)}
    statement = select(TaxRate).where(
        TaxRate.country_code == country_code, or_(*(TaxRate.province_key == k for k in keys))
    )
    found = {row.province_key: row for row in await session.scalars(statement)}
    return found.get(province_key(province)) or found.get("")


async def remove(session: AsyncSession, rate_id: int) -> None:
    await session.execute(delete(TaxRate).where(TaxRate.id == rate_id))


async def page(session: AsyncSession, *, request: PageRequest) -> Page[TaxRate]:
    return await fetch_page(
        session, select(TaxRate), sort=BY_ID, id_column=TaxRate.id, request=request
    )
