from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from oms_graphql.db import Base, IdType, MoneyAmount, UTCDateTime, string_enum, utcnow


class ReturnStatus(enum.StrEnum):
    REQUESTED = "REQUESTED"
    OPEN = "OPEN"
    DECLINED = "DECLINED"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


class ReturnReason(enum.StrEnum):
    SIZE_TOO_SMALL = "SIZE_TOO_SMALL"
    SIZE_TOO_LARGE = "SIZE_TOO_LARGE"
    UNWANTED = "UNWANTED"
    NOT_AS_DESCRIBED = "NOT_AS_DESCRIBED"
    WRONG_ITEM = "WRONG_ITEM"
    DEFECTIVE = "DEFECTIVE"
    STYLE = "STYLE"
    COLOR = "COLOR"
    OTHER = "OTHER"


class ReturnDeclineReason(enum.StrEnum):
    RETURN_PERIOD_ENDED = "RETURN_PERIOD_ENDED"
    FINAL_SALE = "FINAL_SALE"
    OTHER = "OTHER"


class ReverseFulfillmentOrderStatus(enum.StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


class DispositionType(enum.StrEnum):
    RESTOCKED = "RESTOCKED"
    DAMAGED = "DAMAGED"
    PROCESSING_REQUIRED = "PROCESSING_REQUIRED"
    NOT_RESTOCKED = "NOT_RESTOCKED"
    MISSING = "MISSING"


class Return(Base):
    """Goods of one order coming back: asked for by the buyer, or opened by staff."""

    __tablename__ = "returns"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    order_id: Mapped[int] = mapped_column(IdType, ForeignKey("orders.id"), index=True)
    name: Mapped[str] = mapped_column(String(48))
    status: Mapped[ReturnStatus] = mapped_column(string_enum(ReturnStatus), index=True)
    decline_reason: Mapped[ReturnDeclineReason | None] = mapped_column(
        string_enum(ReturnDeclineReason)
    )
    decline_note: Mapped[str | None] = mapped_column(String(1000))
    version: Mapped[int] = mapped_column(Integer, default=1)
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReturnLine(Base):
    """Units of one shipped fulfillment line coming back, and why. It names its order line
    too, so that refunds and exchanges can price it."""

    __tablename__ = "return_lines"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    return_id: Mapped[int] = mapped_column(IdType, ForeignKey("returns.id"), index=True)
    fulfillment_line_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("fulfillment_lines.id"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(IdType, ForeignKey("order_lines.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    refunded_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Disposed units of this line that a refund (type RETURN) or an exchange took out of
    the order's total: they can't be refunded again."""
    return_reason: Mapped[ReturnReason] = mapped_column(string_enum(ReturnReason))
    customer_note: Mapped[str | None] = mapped_column(String(1000))


class ReverseFulfillmentOrder(Base):
    """The work of receiving a return's units."""

    __tablename__ = "reverse_fulfillment_orders"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    return_id: Mapped[int] = mapped_column(IdType, ForeignKey("returns.id"), index=True)
    order_id: Mapped[int] = mapped_column(IdType, ForeignKey("orders.id"))
    status: Mapped[ReverseFulfillmentOrderStatus] = mapped_column(
        string_enum(ReverseFulfillmentOrderStatus)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReverseFulfillmentOrderLine(Base):
    """Units of one return line to receive; ``remaining_quantity`` is what no disposition
    has accounted for yet."""

    __tablename__ = "reverse_fulfillment_order_lines"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    reverse_fulfillment_order_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("reverse_fulfillment_orders.id"), index=True
    )
    return_line_id: Mapped[int] = mapped_column(IdType, ForeignKey("return_lines.id"))
    total_quantity: Mapped[int] = mapped_column(Integer)
    remaining_quantity: Mapped[int] = mapped_column(Integer)


class ReverseDisposition(Base):
    """What happened to some received units of one line, and where they went."""

    __tablename__ = "reverse_dispositions"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    line_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("reverse_fulfillment_order_lines.id"), index=True
    )
    type: Mapped[DispositionType] = mapped_column(string_enum(DispositionType))
    quantity: Mapped[int] = mapped_column(Integer)
    location_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("locations.id"))
    actor: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReverseDelivery(Base):
    """A parcel on its way back: label and carrier tracking."""

    __tablename__ = "reverse_deliveries"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    reverse_fulfillment_order_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("reverse_fulfillment_orders.id"), index=True
    )
    carrier_name: Mapped[str | None] = mapped_column(String(255))
    tracking_number: Mapped[str | None] = mapped_column(String(255))
    tracking_url: Mapped[str | None] = mapped_column(String(2048))
    label_url: Mapped[str | None] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReverseDeliveryLine(Base):
    """Units of one reverse fulfillment order line in a reverse delivery."""

    __tablename__ = "reverse_delivery_lines"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    reverse_delivery_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("reverse_deliveries.id"), index=True
    )
    line_id: Mapped[int] = mapped_column(IdType, ForeignKey("reverse_fulfillment_order_lines.id"))
    quantity: Mapped[int] = mapped_column(Integer)


class RestockType(enum.StrEnum):
    NO_RESTOCK = "NO_RESTOCK"
    CANCEL = "CANCEL"
    RETURN = "RETURN"


class Refund(Base):
    """Money given back for an order, and the units and shipping it takes out of the
    order's total."""

    __tablename__ = "refunds"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    order_id: Mapped[int] = mapped_column(IdType, ForeignKey("orders.id"), index=True)
    return_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("returns.id"), index=True)
    """The return its RETURN units came back on (the first one, when several)."""
    note: Mapped[str | None] = mapped_column(String(1000))
    shipping_amount: Mapped[Decimal] = mapped_column(MoneyAmount)
    shipping_tax: Mapped[Decimal] = mapped_column(MoneyAmount)
    total_refunded: Mapped[Decimal] = mapped_column(MoneyAmount)
    currency_code: Mapped[str] = mapped_column(String(3))
    actor: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class RefundLine(Base):
    """Units of one order line a refund took out of the order, what they were worth and
    what happened to their stock."""

    __tablename__ = "refund_lines"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    refund_id: Mapped[int] = mapped_column(IdType, ForeignKey("refunds.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(IdType, ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    restock_type: Mapped[RestockType] = mapped_column(string_enum(RestockType))
    location_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("locations.id"))
    subtotal: Mapped[Decimal] = mapped_column(MoneyAmount)
    total_tax: Mapped[Decimal] = mapped_column(MoneyAmount)


class ExchangeLine(Base):
    """Units of an item the buyer gets in exchange for a return; ``order_line_id`` is the
    order line it became once placed."""

    __tablename__ = "exchange_lines"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    return_id: Mapped[int] = mapped_column(IdType, ForeignKey("returns.id"), index=True)
    item_id: Mapped[int] = mapped_column(IdType, ForeignKey("inventory_items.id"))
    sku: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(MoneyAmount)
    currency_code: Mapped[str] = mapped_column(String(3))
    order_line_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("order_lines.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
