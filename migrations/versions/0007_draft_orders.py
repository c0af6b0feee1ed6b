"""Draft orders: drafts, their lines and tags (a number sequence on PostgreSQL).

Enums are stored as short strings (``native_enum=False``), so no PostgreSQL enum types
are created here and none is left behind by the downgrade.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 11:52:19.833675
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "draft_orders",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "OPEN",
                "INVOICE_SENT",
                "COMPLETED",
                name="draftorderstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "channel_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True
        ),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("customer_first_name", sa.String(length=255), nullable=True),
        sa.Column("customer_last_name", sa.String(length=255), nullable=True),
        sa.Column("customer_sort_name", sa.String(length=511), nullable=True),
        sa.Column("currency_code", sa.String(length=3), nullable=False),
        sa.Column("shipping_first_name", sa.String(length=255), nullable=True),
        sa.Column("shipping_last_name", sa.String(length=255), nullable=True),
        sa.Column("shipping_company", sa.String(length=255), nullable=True),
        sa.Column("shipping_address1", sa.String(length=255), nullable=True),
        sa.Column("shipping_address2", sa.String(length=255), nullable=True),
        sa.Column("shipping_city", sa.String(length=255), nullable=True),
        sa.Column("shipping_province", sa.String(length=255), nullable=True),
        sa.Column("shipping_zip", sa.String(length=32), nullable=True),
        sa.Column("shipping_country_code", sa.String(length=2), nullable=True),
        sa.Column("shipping_phone", sa.String(length=64), nullable=True),
        sa.Column("shipping_latitude", sa.Float(), nullable=True),
        sa.Column("shipping_longitude", sa.Float(), nullable=True),
        sa.Column("shipping_line_title", sa.String(length=255), nullable=True),
        sa.Column("shipping_line_price", sa.BigInteger(), nullable=True),
        sa.Column("shipping_line_tax", sa.BigInteger(), nullable=True),
        sa.Column("discounts", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("subtotal_price", sa.BigInteger(), nullable=False),
        sa.Column("total_discounts", sa.BigInteger(), nullable=False),
        sa.Column("total_shipping", sa.BigInteger(), nullable=False),
        sa.Column("total_tax", sa.BigInteger(), nullable=False),
        sa.Column("total_price", sa.BigInteger(), nullable=False),
        sa.Column("reserve_inventory_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "reservation_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True
        ),
        sa.Column("invoice_token", sa.String(length=64), nullable=True),
        sa.Column("invoice_email", sa.String(length=254), nullable=True),
        sa.Column("invoice_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_draft_orders_channel_id_channels")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_draft_orders_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_draft_orders_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservations.id"],
            name=op.f("fk_draft_orders_reservation_id_reservations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_orders")),
        sa.UniqueConstraint("invoice_token", name=op.f("uq_draft_orders_invoice_token")),
        sa.UniqueConstraint("number", name=op.f("uq_draft_orders_number")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("draft_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_draft_orders_channel_id"), ["channel_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_draft_orders_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_draft_orders_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_draft_orders_customer_sort_name"), ["customer_sort_name"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_draft_orders_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_draft_orders_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_draft_orders_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_draft_orders_status"), ["status"], unique=False)
        batch_op.create_index("ix_draft_orders_total_price", ["total_price"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_draft_orders_updated_at"), ["updated_at"], unique=False
        )

    if op.get_bind().dialect.name == "postgresql":
        # Draft numbers (#D1...) like order numbers: no hot counter row. Owned by the
        # column, so dropping the table drops it.
        op.execute("CREATE SEQUENCE draft_order_number_seq START 1 OWNED BY draft_orders.number")
    op.create_table(
        "draft_order_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "draft_order_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True),
        sa.Column("sku", sa.String(length=255), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("original_unit_price", sa.BigInteger(), nullable=False),
        sa.Column("price_given", sa.Boolean(), nullable=False),
        sa.Column("total_discount", sa.BigInteger(), nullable=False),
        sa.Column("discounted_total", sa.BigInteger(), nullable=False),
        sa.Column("tax_amount", sa.BigInteger(), nullable=False),
        sa.Column("tax_rate", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_order_id"],
            ["draft_orders.id"],
            name=op.f("fk_draft_order_lines_draft_order_id_draft_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["inventory_items.id"],
            name=op.f("fk_draft_order_lines_item_id_inventory_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_order_lines")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("draft_order_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_draft_order_lines_draft_order_id"), ["draft_order_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_draft_order_lines_sku"), ["sku"], unique=False)

    op.create_table(
        "draft_order_tags",
        sa.Column(
            "draft_order_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column("tag", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_order_id"],
            ["draft_orders.id"],
            name=op.f("fk_draft_order_tags_draft_order_id_draft_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("draft_order_id", "tag", name=op.f("pk_draft_order_tags")),
    )
    with op.batch_alter_table("draft_order_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draft_order_tags_tag"), ["tag"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("draft_order_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_order_tags_tag"))

    op.drop_table("draft_order_tags")
    with op.batch_alter_table("draft_order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_order_lines_sku"))
        batch_op.drop_index(batch_op.f("ix_draft_order_lines_draft_order_id"))

    op.drop_table("draft_order_lines")
    with op.batch_alter_table("draft_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_orders_updated_at"))
        batch_op.drop_index("ix_draft_orders_total_price")
        batch_op.drop_index(batch_op.f("ix_draft_orders_status"))
        batch_op.drop_index(batch_op.f("ix_draft_orders_order_id"))
        batch_op.drop_index(batch_op.f("ix_draft_orders_name"))
        batch_op.drop_index(batch_op.f("ix_draft_orders_email"))
        batch_op.drop_index(batch_op.f("ix_draft_orders_customer_sort_name"))
        batch_op.drop_index(batch_op.f("ix_draft_orders_customer_id"))
        batch_op.drop_index(batch_op.f("ix_draft_orders_created_at"))
        batch_op.drop_index(batch_op.f("ix_draft_orders_channel_id"))

    op.drop_table("draft_orders")
