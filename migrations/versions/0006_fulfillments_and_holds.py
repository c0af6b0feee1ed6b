"""Fulfillments with tracking and delivery events; fulfillment holds.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 09:20:18.325037
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fulfillments",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "location_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column("name", sa.String(length=48), nullable=False),
        sa.Column(
            "status",
            sa.Enum("SUCCESS", "CANCELLED", name="fulfillmentstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "shipment_status",
            sa.Enum(
                "IN_TRANSIT",
                "OUT_FOR_DELIVERY",
                "DELIVERED",
                "FAILURE",
                "READY_FOR_PICKUP",
                "PICKED_UP",
                name="shipmentstatus",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("tracking_company", sa.String(length=255), nullable=True),
        sa.Column("tracking_number", sa.String(length=255), nullable=True),
        sa.Column("tracking_url", sa.String(length=2048), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_fulfillments_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_fulfillments_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfillments")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("fulfillments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fulfillments_order_id"), ["order_id"], unique=False)

    op.create_table(
        "fulfillment_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "fulfillment_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column(
            "status",
            sa.Enum(
                "IN_TRANSIT",
                "OUT_FOR_DELIVERY",
                "DELIVERED",
                "FAILURE",
                "READY_FOR_PICKUP",
                "PICKED_UP",
                name="shipmentstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("message", sa.String(length=1000), nullable=True),
        sa.Column("happened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fulfillment_id"],
            ["fulfillments.id"],
            name=op.f("fk_fulfillment_events_fulfillment_id_fulfillments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfillment_events")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("fulfillment_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fulfillment_events_fulfillment_id"), ["fulfillment_id"], unique=False
        )

    op.create_table(
        "fulfillment_holds",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "fulfillment_order_id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "reason",
            sa.Enum(
                "AWAITING_PAYMENT",
                "HIGH_RISK_OF_FRAUD",
                "INCORRECT_ADDRESS",
                "INVENTORY_OUT_OF_STOCK",
                "OTHER",
                name="fulfillmentholdreason",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason_notes", sa.String(length=1000), nullable=True),
        sa.Column("actor", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["fulfillment_order_id"],
            ["fulfillment_orders.id"],
            name=op.f("fk_fulfillment_holds_fulfillment_order_id_fulfillment_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfillment_holds")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("fulfillment_holds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fulfillment_holds_fulfillment_order_id"),
            ["fulfillment_order_id"],
            unique=False,
        )

    op.create_table(
        "fulfillment_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "fulfillment_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column(
            "fulfillment_order_line_id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "order_line_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column("level_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fulfillment_id"],
            ["fulfillments.id"],
            name=op.f("fk_fulfillment_lines_fulfillment_id_fulfillments"),
        ),
        sa.ForeignKeyConstraint(
            ["fulfillment_order_line_id"],
            ["fulfillment_order_lines.id"],
            name=op.f("fk_fulfillment_lines_fulfillment_order_line_id_fulfillment_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["level_id"],
            ["inventory_levels.id"],
            name=op.f("fk_fulfillment_lines_level_id_inventory_levels"),
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_fulfillment_lines_order_line_id_order_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfillment_lines")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("fulfillment_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fulfillment_lines_fulfillment_id"), ["fulfillment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fulfillment_lines_fulfillment_order_line_id"),
            ["fulfillment_order_line_id"],
            unique=False,
        )

    with op.batch_alter_table("fulfillment_orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "held_from",
                sa.Enum(
                    "OPEN",
                    "IN_PROGRESS",
                    "ON_HOLD",
                    "SCHEDULED",
                    "INCOMPLETE",
                    "CLOSED",
                    "CANCELLED",
                    name="fulfillmentorderstatus",
                    native_enum=False,
                    length=32,
                ),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("fulfillment_orders", schema=None) as batch_op:
        batch_op.drop_column("held_from")

    with op.batch_alter_table("fulfillment_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fulfillment_lines_fulfillment_order_line_id"))
        batch_op.drop_index(batch_op.f("ix_fulfillment_lines_fulfillment_id"))

    op.drop_table("fulfillment_lines")
    with op.batch_alter_table("fulfillment_holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fulfillment_holds_fulfillment_order_id"))

    op.drop_table("fulfillment_holds")
    with op.batch_alter_table("fulfillment_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fulfillment_events_fulfillment_id"))

    op.drop_table("fulfillment_events")
    with op.batch_alter_table("fulfillments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fulfillments_order_id"))

    op.drop_table("fulfillments")
