"""Order edits: staged editing sessions ("calculated orders") and their lines.

Enums are stored as short strings (``native_enum=False``), so no PostgreSQL enum types
are created here and none is left behind by the downgrade.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 12:01:28.159649
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_edits",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "status",
            sa.Enum("OPEN", "COMMITTED", name="ordereditstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_edits_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_edits")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("order_edits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_edits_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_edits_order_id"), ["order_id"], unique=False)

    op.create_table(
        "order_edit_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("edit_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "order_line_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True
        ),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True),
        sa.Column("sku", sa.String(length=255), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("original_quantity", sa.Integer(), nullable=False),
        sa.Column("fulfilled_quantity", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("restock", sa.Boolean(), nullable=False),
        sa.Column("discount_title", sa.String(length=255), nullable=True),
        sa.Column(
            "discount_value_type",
            sa.Enum(
                "PERCENTAGE", "FIXED_AMOUNT", name="discountvaluetype", native_enum=False, length=32
            ),
            nullable=True,
        ),
        sa.Column("discount_value", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["edit_id"],
            ["order_edits.id"],
            name=op.f("fk_order_edit_lines_edit_id_order_edits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["inventory_items.id"],
            name=op.f("fk_order_edit_lines_item_id_inventory_items"),
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_order_edit_lines_order_line_id_order_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_edit_lines")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("order_edit_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_edit_lines_edit_id"), ["edit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("order_edit_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_edit_lines_edit_id"))

    op.drop_table("order_edit_lines")
    with op.batch_alter_table("order_edits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_edits_order_id"))
        batch_op.drop_index(batch_op.f("ix_order_edits_expires_at"))

    op.drop_table("order_edits")
