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
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from oms_graphql.db import Base, IdType, MoneyAmount, RateValue, UTCDateTime, string_enum, utcnow


class OrderStatus(enum.StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


class FinancialStatus(enum.StrEnum):
    PENDING = "PENDING"
    AUTHORIZED = "AUTHORIZED"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    PAID = "PAID"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"
    VOIDED = "VOIDED"


class FulfillmentStatus(enum.StrEnum):
    UNFULFILLED = "UNFULFILLED"
    PARTIALLY_FULFILLED = "PARTIALLY_FULFILLED"
    FULFILLED = "FULFILLED"
    IN_PROGRESS = "IN_PROGRESS"
    ON_HOLD = "ON_HOLD"
    SCHEDULED = "SCHEDULED"
    RESTOCKED = "RESTOCKED"


class CancelReason(enum.StrEnum):
    CUSTOMER = "CUSTOMER"
    FRAUD = "FRAUD"
    INVENTORY = "INVENTORY"
    DECLINED = "DECLINED"
    STAFF = "STAFF"
    OTHER = "OTHER"


class DeliveryMethod(enum.StrEnum):
    SHIPPING = "SHIPPING"
    PICKUP = "PICKUP"
    LOCAL_DELIVERY = "LOCAL_DELIVERY"


class DiscountValueType(enum.StrEnum):
    PERCENTAGE = "PERCENTAGE"
    FIXED_AMOUNT = "FIXED_AMOUNT"


class TransactionKind(enum.StrEnum):
    AUTHORIZATION = "AUTHORIZATION"
    CAPTURE = "CAPTURE"
    SALE = "SALE"
    REFUND = "REFUND"
    VOID = "VOID"


class TransactionStatus(enum.StrEnum):
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    PENDING = "PENDING"


class FulfillmentOrderStatus(enum.StrEnum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    ON_HOLD = "ON_HOLD"
    SCHEDULED = "SCHEDULED"
    INCOMPLETE = "INCOMPLETE"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


class FulfillmentOrderRequestStatus(enum.StrEnum):
    UNSUBMITTED = "UNSUBMITTED"
    SUBMITTED = "SUBMITTED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    CANCELLATION_REQUESTED = "CANCELLATION_REQUESTED"
    CANCELLATION_ACCEPTED = "CANCELLATION_ACCEPTED"
    CANCELLATION_REJECTED = "CANCELLATION_REJECTED"
    CLOSED = "CLOSED"


class Order(Base):
    """A customer's order from one channel, in one currency. Totals are stored exactly as
    priced when the order was placed; payments move ``total_captured``/``total_refunded``."""

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_total_price", "total_price"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(32), index=True)
    channel_id: Mapped[int] = mapped_column(IdType, ForeignKey("channels.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("customers.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    customer_sort_name: Mapped[str | None] = mapped_column(String(511), index=True)
    """The customer's lower-case "first last" (or email), for sorting by customer name."""
    currency_code: Mapped[str] = mapped_column(String(3))
    status: Mapped[OrderStatus] = mapped_column(string_enum(OrderStatus), index=True)
    financial_status: Mapped[FinancialStatus] = mapped_column(
        string_enum(FinancialStatus), index=True
    )
    fulfillment_status: Mapped[FulfillmentStatus] = mapped_column(
        string_enum(FulfillmentStatus), index=True
    )
    cancel_reason: Mapped[CancelReason | None] = mapped_column(string_enum(CancelReason))
    taxes_included: Mapped[bool] = mapped_column(Boolean, default=False)
    delivery_method: Mapped[DeliveryMethod] = mapped_column(string_enum(DeliveryMethod))
    pickup_location_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("locations.id"))
    reservation_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("reservations.id"))

    shipping_first_name: Mapped[str | None] = mapped_column(String(255))
    shipping_last_name: Mapped[str | None] = mapped_column(String(255))
    shipping_company: Mapped[str | None] = mapped_column(String(255))
    shipping_address1: Mapped[str | None] = mapped_column(String(255))
    shipping_address2: Mapped[str | None] = mapped_column(String(255))
    shipping_city: Mapped[str | None] = mapped_column(String(255))
    shipping_province: Mapped[str | None] = mapped_column(String(255))
    shipping_zip: Mapped[str | None] = mapped_column(String(32))
    shipping_country_code: Mapped[str | None] = mapped_column(String(2))
    shipping_phone: Mapped[str | None] = mapped_column(String(64))
    shipping_latitude: Mapped[float | None] = mapped_column(Float)
    shipping_longitude: Mapped[float | None] = mapped_column(Float)

    note: Mapped[str | None] = mapped_column(Text)
    subtotal_price: Mapped[Decimal] = mapped_column(MoneyAmount)
    total_discounts: Mapped[Decimal] = mapped_column(MoneyAmount)
    total_shipping: Mapped[Decimal] = mapped_column(MoneyAmount)
    total_tax: Mapped[Decimal] = mapped_column(MoneyAmount)
    total_price: Mapped[Decimal] = mapped_column(MoneyAmount)
    total_captured: Mapped[Decimal] = mapped_column(MoneyAmount, default=Decimal(0))
    total_refunded: Mapped[Decimal] = mapped_column(MoneyAmount, default=Decimal(0))

    version: Mapped[int] = mapped_column(Integer, default=1)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OrderTag(Base):
    __tablename__ = "order_tags"

    order_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(255), primary_key=True, index=True)


class OrderLine(Base):
    """One line of an order: a SKU, a quantity and what it cost after discounts and tax."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("current_quantity <= quantity", name="current_within_ordered"),
        CheckConstraint("fulfilled_quantity <= current_quantity", name="fulfilled_within_current"),
        CheckConstraint("refunded_quantity <= current_quantity", name="refunded_within_current"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    order_id: Mapped[int] = mapped_column(IdType, ForeignKey("orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("inventory_items.id"))
    sku: Mapped[str | None] = mapped_column(String(255), index=True)
    title: Mapped[str] = mapped_column(String(255))
    quantity: Mapped[int] = mapped_column(Integer)
    current_quantity: Mapped[int] = mapped_column(Integer)
    fulfilled_quantity: Mapped[int] = mapped_column(Integer, default=0)
    refunded_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Fulfilled units refunded (RETURN, or NO_RESTOCK kept by the buyer): still counted in
    ``current_quantity`` and ``fulfilled_quantity`` (they shipped), no longer billed. Units
    refunded before they shipped (CANCEL) leave ``current_quantity`` instead."""
    original_unit_price: Mapped[Decimal] = mapped_column(MoneyAmount)
    total_discount: Mapped[Decimal] = mapped_column(MoneyAmount)
    discounted_total: Mapped[Decimal] = mapped_column(MoneyAmount)
    """What the units still billed (``current_quantity - refunded_quantity``) cost."""
    tax_amount: Mapped[Decimal] = mapped_column(MoneyAmount)
    tax_rate: Mapped[Decimal] = mapped_column(RateValue)
    """The rate applied when the order was placed (a copy: later rate changes don't apply)."""
    tax_title: Mapped[str | None] = mapped_column(String(255))


class ShippingLine(Base):
    __tablename__ = "order_shipping_lines"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    order_id: Mapped[int] = mapped_column(IdType, ForeignKey("orders.id"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    code: Mapped[str | None] = mapped_column(String(255))
    price: Mapped[Decimal] = mapped_column(MoneyAmount)
    tax_amount: Mapped[Decimal] = mapped_column(MoneyAmount)


class DiscountApplication(Base):
    """A manual discount on the order (spread over every line) or on one line."""

    __tablename__ = "order_discount_applications"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    order_id: Mapped[int] = mapped_column(IdType, ForeignKey("orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(255))
    value_type: Mapped[DiscountValueType] = mapped_column(string_enum(DiscountValueType))
    value: Mapped[Decimal] = mapped_column(MoneyAmount)
    line_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("order_lines.id"))
    """The line it applies to; NULL for a discount on the whole order."""
    amount: Mapped[Decimal] = mapped_column(MoneyAmount)


class DiscountAllocation(Base):
    """The part of one discount that one line carries; a discount's parts add up exactly."""

    __tablename__ = "order_discount_allocations"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("order_discount_applications.id")
    )
    line_id: Mapped[int] = mapped_column(IdType, ForeignKey("order_lines.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MoneyAmount)


class OrderTransaction(Base):
    """Money moving for an order through a gateway (``manual`` is the only one today)."""

    __tablename__ = "order_transactions"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    order_id: Mapped[int] = mapped_column(IdType, ForeignKey("orders.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("order_transactions.id"))
    kind: Mapped[TransactionKind] = mapped_column(string_enum(TransactionKind))
    status: Mapped[TransactionStatus] = mapped_column(string_enum(TransactionStatus))
    gateway: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(MoneyAmount)
    currency_code: Mapped[str] = mapped_column(String(3))
    actor: Mapped[str | None] = mapped_column(String(255))
    refund_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("refunds.id"), index=True)
    """The refund a REFUND transaction belongs to (NULL for refunds made by a cancel)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FulfillmentOrder(Base):
    """The work of shipping (or handing over) some of an order's lines from one location."""

    __tablename__ = "fulfillment_orders"
    __table_args__ = (
        Index("ix_fulfillment_orders_location_id_created_at", "location_id", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    order_id: Mapped[int] = mapped_column(IdType, ForeignKey("orders.id"), index=True)
    location_id: Mapped[int] = mapped_column(IdType, ForeignKey("locations.id"))
    routing_decision_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("routing_decisions.id"), index=True
    )
    """The decision that sent it to its location."""
    status: Mapped[FulfillmentOrderStatus] = mapped_column(string_enum(FulfillmentOrderStatus))
    held_from: Mapped[FulfillmentOrderStatus | None] = mapped_column(
        string_enum(FulfillmentOrderStatus)
    )
    """The status to return to when its holds are released."""
    request_status: Mapped[FulfillmentOrderRequestStatus] = mapped_column(
        string_enum(FulfillmentOrderRequestStatus)
    )
    delivery_method: Mapped[DeliveryMethod] = mapped_column(string_enum(DeliveryMethod))
    fulfill_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FulfillmentOrderLine(Base):
    __tablename__ = "fulfillment_order_lines"
    __table_args__ = (
        CheckConstraint("remaining_quantity <= total_quantity", name="remaining_within_total"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    fulfillment_order_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("fulfillment_orders.id"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(IdType, ForeignKey("order_lines.id"), index=True)
    level_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("inventory_levels.id"))
    """The level whose committed units this line holds; NULL for untracked items."""
    total_quantity: Mapped[int] = mapped_column(Integer)
    remaining_quantity: Mapped[int] = mapped_column(Integer)
