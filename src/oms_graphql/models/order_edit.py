"""Order edits: staged changes to a placed order (a "calculated order"), kept in the
database so that any server process can continue the session; nothing touches the order
until the edit is committed."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from oms_graphql.db import Base, IdType, MoneyAmount, UTCDateTime, string_enum, utcnow
from oms_graphql.models.order import DiscountValueType


class OrderEditStatus(enum.StrEnum):
    OPEN = "OPEN"
    COMMITTED = "COMMITTED"


class OrderEdit(Base):
    """One editing session of one order, begun at the order's ``base_version``."""

    __tablename__ = "order_edits"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    order_id: Mapped[int] = mapped_column(IdType, ForeignKey("orders.id"), index=True)
    status: Mapped[OrderEditStatus] = mapped_column(string_enum(OrderEditStatus))
    base_version: Mapped[int] = mapped_column(Integer)
    """The order's version when the edit began: committing needs it unchanged."""
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OrderEditLine(Base):
    """A calculated line: an order line as it will be, or a line the edit adds."""

    __tablename__ = "order_edit_lines"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    edit_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("order_edits.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    order_line_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("order_lines.id"))
    """The order line it edits; NULL for a line the edit adds, until it is committed."""
    item_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("inventory_items.id"))
    sku: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255))
    unit_price: Mapped[Decimal] = mapped_column(MoneyAmount)
    original_quantity: Mapped[int] = mapped_column(Integer)
    """Units ordered when the edit began (0 for an added line)."""
    fulfilled_quantity: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    """Units after the edit."""
    restock: Mapped[bool] = mapped_column(Boolean, default=True)
    """Whether units taken off go back to available (else they are written off)."""
    discount_title: Mapped[str | None] = mapped_column(String(255))
    discount_value_type: Mapped[DiscountValueType | None] = mapped_column(
        string_enum(DiscountValueType)
    )
    discount_value: Mapped[Decimal | None] = mapped_column(MoneyAmount)
