"""Draft orders: orders being prepared by staff (by phone, chat, B2B), priced like orders,
invoiced by a link, optionally holding stock, and completed into real orders."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from oms_graphql.db import Base, IdType, MoneyAmount, RateValue, UTCDateTime, string_enum, utcnow


class DraftOrderStatus(enum.StrEnum):
    OPEN = "OPEN"
    INVOICE_SENT = "INVOICE_SENT"
    COMPLETED = "COMPLETED"


class DraftOrder(Base):
    """A draft: what will be ordered, priced as the order would be; totals are stored as
    last priced (on every change), so lists sort and search by them."""

    __tablename__ = "draft_orders"
    __table_args__ = (
        Index("ix_draft_orders_total_price", "total_price"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[DraftOrderStatus] = mapped_column(string_enum(DraftOrderStatus), index=True)
    channel_id: Mapped[int] = mapped_column(IdType, ForeignKey("channels.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("customers.id"), index=True)
    """The customer with the draft's email, when one exists (the order upserts it)."""
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    customer_first_name: Mapped[str | None] = mapped_column(String(255))
    customer_last_name: Mapped[str | None] = mapped_column(String(255))
    customer_sort_name: Mapped[str | None] = mapped_column(String(511), index=True)
    currency_code: Mapped[str] = mapped_column(String(3))

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

    shipping_line_title: Mapped[str | None] = mapped_column(String(255))
    shipping_line_price: Mapped[Decimal | None] = mapped_column(MoneyAmount)
    shipping_line_tax: Mapped[Decimal | None] = mapped_column(MoneyAmount)
    discounts: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """``[{"title", "valueType", "value", "lineItemIndex", "amount"}]`` in the order given
    (amounts as strings: what each discount took off when last priced)."""
    note: Mapped[str | None] = mapped_column(Text)

    subtotal_price: Mapped[Decimal] = mapped_column(MoneyAmount)
    total_discounts: Mapped[Decimal] = mapped_column(MoneyAmount)
    total_shipping: Mapped[Decimal] = mapped_column(MoneyAmount)
    total_tax: Mapped[Decimal] = mapped_column(MoneyAmount)
    total_price: Mapped[Decimal] = mapped_column(MoneyAmount)

    reserve_inventory_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reservation_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("reservations.id"))
    """The hold on stock while the draft is open (a reservation: it expires by itself)."""
    invoice_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    invoice_email: Mapped[str | None] = mapped_column(String(254))
    invoice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    order_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("orders.id"), index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class DraftOrderLine(Base):
    """A line of a draft: an inventory item's SKU, or a custom line (no SKU)."""

    __tablename__ = "draft_order_lines"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    draft_order_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("draft_orders.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("inventory_items.id"))
    sku: Mapped[str | None] = mapped_column(String(255), index=True)
    title: Mapped[str] = mapped_column(String(255))
    quantity: Mapped[int] = mapped_column(Integer)
    original_unit_price: Mapped[Decimal] = mapped_column(MoneyAmount)
    price_given: Mapped[bool] = mapped_column(Boolean, default=False)
    """Whether the price was given (else the catalog's when last priced)."""
    total_discount: Mapped[Decimal] = mapped_column(MoneyAmount)
    discounted_total: Mapped[Decimal] = mapped_column(MoneyAmount)
    tax_amount: Mapped[Decimal] = mapped_column(MoneyAmount)
    tax_rate: Mapped[Decimal] = mapped_column(RateValue)


class DraftOrderTag(Base):
    __tablename__ = "draft_order_tags"

    draft_order_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("draft_orders.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(255), primary_key=True, index=True)
