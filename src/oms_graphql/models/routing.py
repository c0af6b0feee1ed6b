from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from oms_graphql.db import Base, IdType, UTCDateTime, utcnow


class RoutingRuleset(Base):
    """One version of the routing rules; the highest version is in force. Rows are never
    changed, so every stored decision can name the rules it followed."""

    __tablename__ = "routing_rulesets"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """``[{"type": "CLOSEST", "enabled": true}, ...]`` in the order they apply."""
    local_delivery_radius_km: Mapped[float] = mapped_column(Float)
    actor: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoutingDecision(Base):
    """Where routing sent an order's lines and why, as decided at the time."""

    __tablename__ = "routing_decisions"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    order_id: Mapped[int] = mapped_column(IdType, ForeignKey("orders.id"), index=True)
    ruleset_version: Mapped[int] = mapped_column(Integer)
    strategy: Mapped[str] = mapped_column(String(32))
    split_count: Mapped[int] = mapped_column(Integer)
    explanation: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Assignments and candidates, in the shape ``routing.records`` writes."""
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
