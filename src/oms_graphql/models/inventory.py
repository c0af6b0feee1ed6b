from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from oms_graphql.db import Base, IdType, MoneyAmount, UTCDateTime, string_enum, utcnow


class InventoryPolicy(enum.StrEnum):
    DENY = "DENY"
    CONTINUE = "CONTINUE"


class WeightUnit(enum.StrEnum):
    GRAMS = "GRAMS"
    KILOGRAMS = "KILOGRAMS"
    OUNCES = "OUNCES"
    POUNDS = "POUNDS"


class InventoryReason(enum.StrEnum):
    CORRECTION = "CORRECTION"
    CYCLE_COUNT = "CYCLE_COUNT"
    RECEIVED = "RECEIVED"
    DAMAGED = "DAMAGED"
    SHRINKAGE = "SHRINKAGE"
    RESTOCK = "RESTOCK"
    RESERVATION = "RESERVATION"
    ORDER = "ORDER"
    FULFILLMENT = "FULFILLMENT"
    TRANSFER = "TRANSFER"
    RETURN = "RETURN"
    OTHER = "OTHER"


class InventoryItem(Base):
    """One SKU."""

    __tablename__ = "inventory_items"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    sku: Mapped[str] = mapped_column(String(255), unique=True)
    title: Mapped[str] = mapped_column(String(255), index=True)
    unit_price: Mapped[Decimal | None] = mapped_column(MoneyAmount)
    currency_code: Mapped[str | None] = mapped_column(String(3))
    tracked: Mapped[bool] = mapped_column(Boolean, default=True)
    inventory_policy: Mapped[InventoryPolicy] = mapped_column(
        string_enum(InventoryPolicy), default=InventoryPolicy.DENY
    )
    low_stock_threshold: Mapped[int | None] = mapped_column(Integer)
    weight_value: Mapped[float | None] = mapped_column(Float)
    weight_unit: Mapped[WeightUnit | None] = mapped_column(string_enum(WeightUnit))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


STORED_QUANTITIES = (
    "on_hand",
    "committed",
    "reserved",
    "incoming",
    "damaged",
    "safety_stock",
    "quality_control",
)
"""The quantities kept on a level; ``available`` is derived from them."""


class InventoryLevel(Base):
    """One SKU at one location. Quantities only change through conditional UPDATEs."""

    __tablename__ = "inventory_levels"
    __table_args__ = (
        UniqueConstraint("item_id", "location_id"),
        *(
            CheckConstraint(f"{name} >= 0", name=f"{name}_not_negative")
            for name in STORED_QUANTITIES
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    item_id: Mapped[int] = mapped_column(IdType, ForeignKey("inventory_items.id"))
    location_id: Mapped[int] = mapped_column(IdType, ForeignKey("locations.id"), index=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    committed: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    incoming: Mapped[int] = mapped_column(Integer, default=0)
    damaged: Mapped[int] = mapped_column(Integer, default=0)
    safety_stock: Mapped[int] = mapped_column(Integer, default=0)
    quality_control: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InventoryAdjustmentGroup(Base):
    """One stock-changing request: the ledger rows it wrote share its reason and document."""

    __tablename__ = "inventory_adjustment_groups"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    reason: Mapped[InventoryReason] = mapped_column(string_enum(InventoryReason))
    reference_document_uri: Mapped[str | None] = mapped_column(String(2048))
    actor: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InventoryChange(Base):
    """The append-only ledger: one row per quantity a change moved (``available`` too)."""

    __tablename__ = "inventory_changes"
    __table_args__ = (
        Index("ix_inventory_changes_level_id_id", "level_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    group_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("inventory_adjustment_groups.id"), index=True
    )
    level_id: Mapped[int] = mapped_column(IdType, ForeignKey("inventory_levels.id"))
    quantity_name: Mapped[str] = mapped_column(String(32))
    delta: Mapped[int] = mapped_column(Integer)
    quantity_after: Mapped[int] = mapped_column(Integer)
    reason: Mapped[InventoryReason] = mapped_column(string_enum(InventoryReason))
    reference_document_uri: Mapped[str | None] = mapped_column(String(2048))
    actor: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReservationStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    CONSUMED = "CONSUMED"
    RELEASED = "RELEASED"
    EXPIRED = "EXPIRED"


class Reservation(Base):
    """A time-limited hold on stock at one location (a cart, a checkout, a draft)."""

    __tablename__ = "reservations"
    __table_args__ = (
        Index("ix_reservations_status_expires_at", "status", "expires_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    location_id: Mapped[int] = mapped_column(IdType, ForeignKey("locations.id"), index=True)
    status: Mapped[ReservationStatus] = mapped_column(string_enum(ReservationStatus))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    owner: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReservationLine(Base):
    __tablename__ = "reservation_lines"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    reservation_id: Mapped[int] = mapped_column(IdType, ForeignKey("reservations.id"), index=True)
    level_id: Mapped[int] = mapped_column(IdType, ForeignKey("inventory_levels.id"), index=True)
    item_id: Mapped[int] = mapped_column(IdType, ForeignKey("inventory_items.id"))
    quantity: Mapped[int] = mapped_column(Integer)


class TransferStatus(enum.StrEnum):
    PENDING = "PENDING"
    IN_TRANSIT = "IN_TRANSIT"
    PARTIALLY_RECEIVED = "PARTIALLY_RECEIVED"
    RECEIVED = "RECEIVED"


class InventoryTransfer(Base):
    """Stock on its way from one location to another."""

    __tablename__ = "inventory_transfers"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    origin_location_id: Mapped[int] = mapped_column(IdType, ForeignKey("locations.id"))
    destination_location_id: Mapped[int] = mapped_column(IdType, ForeignKey("locations.id"))
    status: Mapped[TransferStatus] = mapped_column(string_enum(TransferStatus))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InventoryTransferLine(Base):
    __tablename__ = "inventory_transfer_lines"
    __table_args__ = (
        UniqueConstraint("transfer_id", "item_id"),
        CheckConstraint("received_quantity <= quantity", name="received_within_shipped"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    transfer_id: Mapped[int] = mapped_column(IdType, ForeignKey("inventory_transfers.id"))
    item_id: Mapped[int] = mapped_column(IdType, ForeignKey("inventory_items.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    received_quantity: Mapped[int] = mapped_column(Integer, default=0)
