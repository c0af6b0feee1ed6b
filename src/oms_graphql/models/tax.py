from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from oms_graphql.db import Base, IdType, RateValue, UTCDateTime, utcnow


class TaxRate(Base):
    """The tax rate of a country, or of one province of it (which then wins)."""

    __tablename__ = "tax_rates"
    __table_args__ = (
        UniqueConstraint("country_code", "province_key"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    country_code: Mapped[str] = mapped_column(String(2))
    province: Mapped[str | None] = mapped_column(String(255))
    province_key: Mapped[str] = mapped_column(String(255))
    """The province in lower case, '' for the whole country (NULLs are never unique)."""
    name: Mapped[str] = mapped_column(String(255))
    rate: Mapped[Decimal] = mapped_column(RateValue)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
