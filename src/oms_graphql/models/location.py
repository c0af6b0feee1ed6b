from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from oms_graphql.db import Base, IdType, UTCDateTime, utcnow


class LocationKind(enum.StrEnum):
    WAREHOUSE = "WAREHOUSE"
    STORE = "STORE"
    FULFILLMENT_SERVICE = "FULFILLMENT_SERVICE"


class Location(Base):
    """A place that holds stock: a warehouse, a store or a third-party fulfillment service."""

    __tablename__ = "locations"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[LocationKind] = mapped_column(
        Enum(LocationKind, native_enum=False, length=32), default=LocationKind.WAREHOUSE
    )
    address1: Mapped[str | None] = mapped_column(String(255))
    address2: Mapped[str | None] = mapped_column(String(255))
    city: Mapped[str | None] = mapped_column(String(255))
    province: Mapped[str | None] = mapped_column(String(255))
    zip: Mapped[str | None] = mapped_column(String(32))
    country_code: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(64))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    fulfills_online_orders: Mapped[bool] = mapped_column(Boolean, default=True)
    pickup_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    daily_order_capacity: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
