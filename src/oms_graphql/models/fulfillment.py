from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from oms_graphql.db import Base, IdType, UTCDateTime, string_enum, utcnow


class FulfillmentHoldReason(enum.StrEnum):
    AWAITING_PAYMENT = "AWAITING_PAYMENT"
    HIGH_RISK_OF_FRAUD = "HIGH_RISK_OF_FRAUD"
    INCORRECT_ADDRESS = "INCORRECT_ADDRESS"
    INVENTORY_OUT_OF_STOCK = "INVENTORY_OUT_OF_STOCK"
    OTHER = "OTHER"


class FulfillmentHold(Base):
    """Why a fulfillment order waits; it waits while any of its holds is not released."""

    __tablename__ = "fulfillment_holds"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    fulfillment_order_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("fulfillment_orders.id"), index=True
    )
    reason: Mapped[FulfillmentHoldReason] = mapped_column(string_enum(FulfillmentHoldReason))
    reason_notes: Mapped[str | None] = mapped_column(String(1000))
    actor: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FulfillmentState(enum.StrEnum):
    SUCCESS = "SUCCESS"
    CANCELLED = "CANCELLED"


class ShipmentStatus(enum.StrEnum):
    IN_TRANSIT = "IN_TRANSIT"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    DELIVERED = "DELIVERED"
    FAILURE = "FAILURE"
    READY_FOR_PICKUP = "READY_FOR_PICKUP"
    PICKED_UP = "PICKED_UP"


class Fulfillment(Base):
    """A shipment (or a handover) of some units from one location, against one or more of
    one order's fulfillment orders there."""

    __tablename__ = "fulfillments"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    order_id: Mapped[int] = mapped_column(IdType, ForeignKey("orders.id"), index=True)
    location_id: Mapped[int] = mapped_column(IdType, ForeignKey("locations.id"))
    name: Mapped[str] = mapped_column(String(48))
    status: Mapped[FulfillmentState] = mapped_column(string_enum(FulfillmentState))
    shipment_status: Mapped[ShipmentStatus | None] = mapped_column(string_enum(ShipmentStatus))
    tracking_company: Mapped[str | None] = mapped_column(String(255))
    tracking_number: Mapped[str | None] = mapped_column(String(255))
    tracking_url: Mapped[str | None] = mapped_column(String(2048))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FulfillmentLine(Base):
    """Units of one fulfillment order line that left in a fulfillment."""

    __tablename__ = "fulfillment_lines"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    fulfillment_id: Mapped[int] = mapped_column(IdType, ForeignKey("fulfillments.id"), index=True)
    fulfillment_order_line_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("fulfillment_order_lines.id"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(IdType, ForeignKey("order_lines.id"))
    level_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("inventory_levels.id"))
    quantity: Mapped[int] = mapped_column(Integer)


class FulfillmentEvent(Base):
    """A step of a shipment reported by the carrier or the store."""

    __tablename__ = "fulfillment_events"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    fulfillment_id: Mapped[int] = mapped_column(IdType, ForeignKey("fulfillments.id"), index=True)
    status: Mapped[ShipmentStatus] = mapped_column(string_enum(ShipmentStatus))
    message: Mapped[str | None] = mapped_column(String(1000))
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
