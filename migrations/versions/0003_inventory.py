"""inventory levels ledger reservations transfers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 01:46:31.897350
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inventory_adjustment_groups",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "CORRECTION",
                "CYCLE_COUNT",
                "RECEIVED",
                "DAMAGED",
                "SHRINKAGE",
                "RESTOCK",
                "RESERVATION",
                "ORDER",
                "FULFILLMENT",
                "TRANSFER",
                "RETURN",
                "OTHER",
                name="inventoryreason",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reference_document_uri", sa.String(length=2048), nullable=True),
        sa.Column("actor", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_adjustment_groups")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "inventory_items",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("sku", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=True),
        sa.Column("currency_code", sa.String(length=3), nullable=True),
        sa.Column("tracked", sa.Boolean(), nullable=False),
        sa.Column(
            "inventory_policy",
            sa.Enum("DENY", "CONTINUE", name="inventorypolicy", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("low_stock_threshold", sa.Integer(), nullable=True),
        sa.Column("weight_value", sa.Float(), nullable=True),
        sa.Column(
            "weight_unit",
            sa.Enum(
                "GRAMS",
                "KILOGRAMS",
                "OUNCES",
                "POUNDS",
                name="weightunit",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_items")),
        sa.UniqueConstraint("sku", name=op.f("uq_inventory_items_sku")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("inventory_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inventory_items_title"), ["title"], unique=False)

    op.create_table(
        "inventory_levels",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "location_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("committed", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("incoming", sa.Integer(), nullable=False),
        sa.Column("damaged", sa.Integer(), nullable=False),
        sa.Column("safety_stock", sa.Integer(), nullable=False),
        sa.Column("quality_control", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "committed >= 0", name=op.f("ck_inventory_levels_committed_not_negative")
        ),
        sa.CheckConstraint("damaged >= 0", name=op.f("ck_inventory_levels_damaged_not_negative")),
        sa.CheckConstraint("incoming >= 0", name=op.f("ck_inventory_levels_incoming_not_negative")),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_inventory_levels_on_hand_not_negative")),
        sa.CheckConstraint(
            "quality_control >= 0", name=op.f("ck_inventory_levels_quality_control_not_negative")
        ),
        sa.CheckConstraint("reserved >= 0", name=op.f("ck_inventory_levels_reserved_not_negative")),
        sa.CheckConstraint(
            "safety_stock >= 0", name=op.f("ck_inventory_levels_safety_stock_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["inventory_items.id"],
            name=op.f("fk_inventory_levels_item_id_inventory_items"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_inventory_levels_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_levels")),
        sa.UniqueConstraint(
            "item_id", "location_id", name=op.f("uq_inventory_levels_item_id_location_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("inventory_levels", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventory_levels_location_id"), ["location_id"], unique=False
        )

    op.create_table(
        "inventory_transfers",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "origin_location_id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "destination_location_id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "IN_TRANSIT",
                "PARTIALLY_RECEIVED",
                "RECEIVED",
                name="transferstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["destination_location_id"],
            ["locations.id"],
            name=op.f("fk_inventory_transfers_destination_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["origin_location_id"],
            ["locations.id"],
            name=op.f("fk_inventory_transfers_origin_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_transfers")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "reservations",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "location_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "CONSUMED",
                "RELEASED",
                "EXPIRED",
                name="reservationstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_reservations_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservations")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reservations_location_id"), ["location_id"], unique=False
        )
        batch_op.create_index(
            "ix_reservations_status_expires_at", ["status", "expires_at"], unique=False
        )

    op.create_table(
        "inventory_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("level_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("quantity_name", sa.String(length=32), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("quantity_after", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "CORRECTION",
                "CYCLE_COUNT",
                "RECEIVED",
                "DAMAGED",
                "SHRINKAGE",
                "RESTOCK",
                "RESERVATION",
                "ORDER",
                "FULFILLMENT",
                "TRANSFER",
                "RETURN",
                "OTHER",
                name="inventoryreason",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reference_document_uri", sa.String(length=2048), nullable=True),
        sa.Column("actor", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["inventory_adjustment_groups.id"],
            name=op.f("fk_inventory_changes_group_id_inventory_adjustment_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["level_id"],
            ["inventory_levels.id"],
            name=op.f("fk_inventory_changes_level_id_inventory_levels"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_changes")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("inventory_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventory_changes_group_id"), ["group_id"], unique=False
        )
        batch_op.create_index("ix_inventory_changes_level_id_id", ["level_id", "id"], unique=False)

    op.create_table(
        "inventory_transfer_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "transfer_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("received_quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "received_quantity <= quantity",
            name=op.f("ck_inventory_transfer_lines_received_within_shipped"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["inventory_items.id"],
            name=op.f("fk_inventory_transfer_lines_item_id_inventory_items"),
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["inventory_transfers.id"],
            name=op.f("fk_inventory_transfer_lines_transfer_id_inventory_transfers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_transfer_lines")),
        sa.UniqueConstraint(
            "transfer_id", "item_id", name=op.f("uq_inventory_transfer_lines_transfer_id_item_id")
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "reservation_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "reservation_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column("level_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["inventory_items.id"],
            name=op.f("fk_reservation_lines_item_id_inventory_items"),
        ),
        sa.ForeignKeyConstraint(
            ["level_id"],
            ["inventory_levels.id"],
            name=op.f("fk_reservation_lines_level_id_inventory_levels"),
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservations.id"],
            name=op.f("fk_reservation_lines_reservation_id_reservations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservation_lines")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("reservation_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reservation_lines_level_id"), ["level_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reservation_lines_reservation_id"), ["reservation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reservation_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reservation_lines_reservation_id"))
        batch_op.drop_index(batch_op.f("ix_reservation_lines_level_id"))

    op.drop_table("reservation_lines")
    op.drop_table("inventory_transfer_lines")
    with op.batch_alter_table("inventory_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_inventory_changes_level_id_id")
        batch_op.drop_index(batch_op.f("ix_inventory_changes_group_id"))

    op.drop_table("inventory_changes")
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.drop_index("ix_reservations_status_expires_at")
        batch_op.drop_index(batch_op.f("ix_reservations_location_id"))

    op.drop_table("reservations")
    op.drop_table("inventory_transfers")
    with op.batch_alter_table("inventory_levels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_levels_location_id"))

    op.drop_table("inventory_levels")
    with op.batch_alter_table("inventory_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_items_title"))

    op.drop_table("inventory_items")
    op.drop_table("inventory_adjustment_groups")
