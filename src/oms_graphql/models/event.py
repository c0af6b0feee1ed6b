from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from oms_graphql.db import Base, IdType, UTCDateTime, utcnow


class Event(Base):
    """The outbox: one row per change, written in the change's own transaction.

    ``txid`` is the writing transaction's id on PostgreSQL (0 on SQLite, whose writers are
    serialized): readers take rows in (txid, id) order and only from transactions older than
    every transaction still running, so no committed event is ever skipped.
    """

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_position", "txid", "id"),
        Index("ix_events_subject", "subject_type", "subject_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    txid: Mapped[int] = mapped_column(BigInteger, default=0)
    type: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    channel: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
