from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Column, Enum, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from oms_graphql.db import Base, IdType, UTCDateTime, utcnow


class ChannelKind(enum.StrEnum):
    WEB = "WEB"
    POS = "POS"
    MARKETPLACE = "MARKETPLACE"
    PARTNER = "PARTNER"
    DRAFT = "DRAFT"


class Channel(Base):
    """Where orders come from: a web store, a point of sale, a marketplace, a partner app."""

    __tablename__ = "channels"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    handle: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[ChannelKind] = mapped_column(Enum(ChannelKind, native_enum=False, length=32))
    allow_split_shipments: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


location_channels = Table(
    "location_channels",
    Base.metadata,
    Column("location_id", IdType, ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True),
    Column("channel_id", IdType, ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True),
)
"""The channels a location serves; a location with none serves every channel."""
