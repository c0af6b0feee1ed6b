"""Rules for tax rates: one per country and province, a fraction between 0 and 1."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import RATE_SCALE, utcnow
from oms_graphql.errors import DomainError, Problem
from oms_graphql.events import EventType, record_event
from oms_graphql.geo import normalize_country_code
from oms_graphql.ids import GlobalId
from oms_graphql.models import TaxRate
from oms_graphql.taxes import repository

NAME_MAX = 255


@dataclass(frozen=True, slots=True)
class RateFields:
    country_code: str
    rate: Decimal
    province: str | None = None
    name: str | None = None


def _checked(given: RateFields) -> tuple[str, str | None, Decimal, str]:
    problems: list[Problem] = []
    country = normalize_country_code(given.country_code or "")
    if country is None:
        problems.append(
            Problem(
                "INVALID",
                f"{given.country_code!r} is not an ISO 3166-1 alpha-2 country code",
                ("input", "countryCode"),
            )
        )
    province = (given.province or "").strip() or None
    if province is not None and len(province) > NAME_MAX:
        problems.append(
            Problem("TOO_LONG", f"province is at most {NAME_MAX} characters", ("input", "province"))
        )
    exponent = given.rate.as_tuple().exponent
    if (
        not given.rate.is_finite()
        or not isinstance(exponent, int)
        or exponent < -RATE_SCALE
        or not Decimal(0) <= given.rate < Decimal(1)
    ):
        problems.append(
            Problem(
                "OUT_OF_RANGE",
                f"rate is a fraction from 0 up to (not including) 1, e.g. 0.22 for 22%, "
                f"with at most {RATE_SCALE} decimals",
                ("input", "rate"),
            )
        )
    name = (given.name or "").strip()
    if len(name) > NAME_MAX:
        problems.append(
            Problem("TOO_LONG", f"name is at most {NAME_MAX} characters", ("input", "name"))
        )
    if problems:
        raise DomainError(problems)
    assert country is not None
    return country, province, given.rate, name or f"{country} tax"


async def set_rate(session: AsyncSession, *, given: RateFields) -> TaxRate:
    """Create or replace the rate of a country (or of one of its provinces)."""
    country, province, rate, name = _checked(given)
    row = await repository.get(session, country, province)
    if row is None:
        row = TaxRate(
            country_code=country,
            province=province,
            province_key=repository.province_key(province),
            rate=rate,
            name=name,
        )
        session.add(row)
    else:
        row.rate, row.name, row.province, row.updated_at = rate, name, province, utcnow()
    await session.flush()
    await record_event(
        session,
        EventType.TAX_RATE_SET,
        GlobalId("TaxRate", row.id),
        {"countryCode": country, "province": province, "rate": str(rate), "name": name},
    )
    return row


async def delete_rate(session: AsyncSession, *, country_code: str, province: str | None) -> int:
    """Remove a rate; orders placed afterwards there pay no tax (or the country's rate)."""
    country = normalize_country_code(country_code or "") or country_code
    row = await repository.get(session, country, province)
    if row is None:
        raise DomainError.single(
            "NOT_FOUND", "no tax rate for this country and province", ("countryCode",)
        )
    await repository.remove(session, row.id)
    await record_event(
        session,
        EventType.TAX_RATE_DELETED,
        GlobalId("TaxRate", row.id),
        {"countryCode": row.country_code, "province": row.province},
    )
    return row.id
