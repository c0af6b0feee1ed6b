"""Returns: requests and approvals, reverse fulfillment orders and their lines,
reverse deliveries (label, tracking) and dispositions.

Enums are stored as short strings (``native_enum=False``), so no PostgreSQL enum types
are created here and none is left behind by the downgrade.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 13:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "returns",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=48), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "REQUESTED",
                "OPEN",
                "DECLINED",
                "CLOSED",
                "CANCELLED",
                name="returnstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "decline_reason",
            sa.Enum(
                "RETURN_PERIOD_ENDED",
                "FINAL_SALE",
                "OTHER",
                name="returndeclinereason",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("decline_note", sa.String(length=1000), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("declined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_returns_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_returns")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_returns_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_returns_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_returns_status"), ["status"], unique=False)

    op.create_table(
        "reverse_fulfillment_orders",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "return_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "OPEN",
                "CLOSED",
                "CANCELLED",
                name="reversefulfillmentorderstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_reverse_fulfillment_orders_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["return_id"],
            ["returns.id"],
            name=op.f("fk_reverse_fulfillment_orders_return_id_returns"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reverse_fulfillment_orders")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("reverse_fulfillment_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reverse_fulfillment_orders_return_id"), ["return_id"], unique=False
        )

    op.create_table(
        "reverse_deliveries",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "reverse_fulfillment_order_id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            nullable=False,
        ),
        sa.Column("carrier_name", sa.String(length=255), nullable=True),
        sa.Column("tracking_number", sa.String(length=255), nullable=True),
        sa.Column("tracking_url", sa.String(length=2048), nullable=True),
        sa.Column("label_url", sa.String(length=2048), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reverse_fulfillment_order_id"],
            ["reverse_fulfillment_orders.id"],
            name=op.f(
                "fk_reverse_deliveries_reverse_fulfillment_order_id_reverse_fulfillment_orders"
            ),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reverse_deliveries")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("reverse_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reverse_deliveries_reverse_fulfillment_order_id"),
            ["reverse_fulfillment_order_id"],
            unique=False,
        )

    op.create_table(
        "return_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "return_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column(
            "fulfillment_line_id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "order_line_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column(
            "return_reason",
            sa.Enum(
                "SIZE_TOO_SMALL",
                "SIZE_TOO_LARGE",
                "UNWANTED",
                "NOT_AS_DESCRIBED",
                "WRONG_ITEM",
                "DEFECTIVE",
                "STYLE",
                "COLOR",
                "OTHER",
                name="returnreason",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("customer_note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["fulfillment_line_id"],
            ["fulfillment_lines.id"],
            name=op.f("fk_return_lines_fulfillment_line_id_fulfillment_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_return_lines_order_line_id_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_return_lines_return_id_returns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_lines")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("return_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_return_lines_fulfillment_line_id"), ["fulfillment_line_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_return_lines_return_id"), ["return_id"], unique=False)

    op.create_table(
        "reverse_fulfillment_order_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "reverse_fulfillment_order_id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "return_line_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column("total_quantity", sa.Integer(), nullable=False),
        sa.Column("remaining_quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["return_line_id"],
            ["return_lines.id"],
            name=op.f("fk_reverse_fulfillment_order_lines_return_line_id_return_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["reverse_fulfillment_order_id"],
            ["reverse_fulfillment_orders.id"],
            name=op.f(
                "fk_reverse_fulfillment_order_lines_reverse_fulfillment_order_id_reverse_fulfillment_orders"
            ),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reverse_fulfillment_order_lines")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("reverse_fulfillment_order_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reverse_fulfillment_order_lines_reverse_fulfillment_order_id"),
            ["reverse_fulfillment_order_id"],
            unique=False,
        )

    op.create_table(
        "reverse_delivery_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "reverse_delivery_id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            nullable=False,
        ),
        sa.Column("line_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["reverse_fulfillment_order_lines.id"],
            name=op.f("fk_reverse_delivery_lines_line_id_reverse_fulfillment_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["reverse_delivery_id"],
            ["reverse_deliveries.id"],
            name=op.f("fk_reverse_delivery_lines_reverse_delivery_id_reverse_deliveries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reverse_delivery_lines")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("reverse_delivery_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reverse_delivery_lines_reverse_delivery_id"),
            ["reverse_delivery_id"],
            unique=False,
        )

    op.create_table(
        "reverse_dispositions",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("line_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "RESTOCKED",
                "DAMAGED",
                "PROCESSING_REQUIRED",
                "NOT_RESTOCKED",
                "MISSING",
                name="dispositiontype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column(
            "location_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True
        ),
        sa.Column("actor", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["reverse_fulfillment_order_lines.id"],
            name=op.f("fk_reverse_dispositions_line_id_reverse_fulfillment_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_reverse_dispositions_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reverse_dispositions")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("reverse_dispositions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reverse_dispositions_line_id"), ["line_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reverse_dispositions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reverse_dispositions_line_id"))

    op.drop_table("reverse_dispositions")
    with op.batch_alter_table("reverse_delivery_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reverse_delivery_lines_reverse_delivery_id"))

    op.drop_table("reverse_delivery_lines")
    with op.batch_alter_table("reverse_fulfillment_order_lines", schema=None) as batch_op:
        batch_op.drop_index(
            batch_op.f("ix_reverse_fulfillment_order_lines_reverse_fulfillment_order_id")
        )

    op.drop_table("reverse_fulfillment_order_lines")
    with op.batch_alter_table("return_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_return_lines_return_id"))
        batch_op.drop_index(batch_op.f("ix_return_lines_fulfillment_line_id"))

    op.drop_table("return_lines")
    with op.batch_alter_table("reverse_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reverse_deliveries_reverse_fulfillment_order_id"))

    op.drop_table("reverse_deliveries")
    with op.batch_alter_table("reverse_fulfillment_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reverse_fulfillment_orders_return_id"))

    op.drop_table("reverse_fulfillment_orders")
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_returns_status"))
        batch_op.drop_index(batch_op.f("ix_returns_order_id"))
        batch_op.drop_index(batch_op.f("ix_returns_created_at"))

    op.drop_table("returns")
