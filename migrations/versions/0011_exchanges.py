"""Exchanges: the items a return gives in exchange, and the order lines they became.

Revision ID: 0011_exchanges
Revises: 0010_refunds
Create Date: 2026-11-30 15:07:40
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_exchanges"
down_revision: str | None = "0010_refunds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exchange_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "return_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("sku", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("currency_code", sa.String(length=3), nullable=False),
        sa.Column(
            "order_line_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["inventory_items.id"],
            name=op.f("fk_exchange_lines_item_id_inventory_items"),
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_exchange_lines_order_line_id_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_exchange_lines_return_id_returns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_lines")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("exchange_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exchange_lines_return_id"), ["return_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("exchange_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_lines_return_id"))

    op.drop_table("exchange_lines")
