"""Routing rules (versioned, seeded with the default) and stored routing decisions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 08:50:04.041425
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_RULES = (
    "PICKUP_LOCATION",
    "EXCLUDE_UNAVAILABLE",
    "CAPACITY",
    "MINIMIZE_SPLITS",
    "CLOSEST",
    "RANKED",
    "SAME_COUNTRY",
    "BALANCE_STOCK",
)


def upgrade() -> None:
    rulesets = op.create_table(
        "routing_rulesets",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("local_delivery_radius_km", sa.Float(), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_routing_rulesets")),
    )
    op.bulk_insert(
        rulesets,
        [
            {
                "version": 1,
                "rules": [{"type": rule, "enabled": True} for rule in DEFAULT_RULES],
                "local_delivery_radius_km": 50.0,
                "actor": None,
                "created_at": datetime.now(UTC),
            }
        ],
    )
    op.create_table(
        "routing_decisions",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("ruleset_version", sa.Integer(), nullable=False),
        sa.Column("strategy", sa.String(length=32), nullable=False),
        sa.Column("split_count", sa.Integer(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_routing_decisions_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_decisions")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("routing_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_routing_decisions_order_id"), ["order_id"], unique=False
        )

    with op.batch_alter_table("fulfillment_orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "routing_decision_id",
                sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.drop_index(batch_op.f("ix_fulfillment_orders_location_id"))
        batch_op.create_index(
            "ix_fulfillment_orders_location_id_created_at",
            ["location_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_fulfillment_orders_routing_decision_id"),
            ["routing_decision_id"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_fulfillment_orders_routing_decision_id_routing_decisions"),
            "routing_decisions",
            ["routing_decision_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("fulfillment_orders", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_fulfillment_orders_routing_decision_id_routing_decisions"),
            type_="foreignkey",
        )
        batch_op.drop_index(batch_op.f("ix_fulfillment_orders_routing_decision_id"))
        batch_op.drop_index("ix_fulfillment_orders_location_id_created_at")
        batch_op.create_index(
            batch_op.f("ix_fulfillment_orders_location_id"), ["location_id"], unique=False
        )
        batch_op.drop_column("routing_decision_id")

    with op.batch_alter_table("routing_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_decisions_order_id"))

    op.drop_table("routing_decisions")
    op.drop_table("routing_rulesets")
