"""Orders, payments, fulfillment orders and tax rates.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 06:14:08.884931
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tax_rates",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("province", sa.String(length=255), nullable=True),
        sa.Column("province_key", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("rate", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_rates")),
        sa.UniqueConstraint(
            "country_code", "province_key", name=op.f("uq_tax_rates_country_code_province_key")
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column(
            "channel_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True
        ),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("customer_sort_name", sa.String(length=511), nullable=True),
        sa.Column("currency_code", sa.String(length=3), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "OPEN", "CLOSED", "CANCELLED", name="orderstatus", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column(
            "financial_status",
            sa.Enum(
                "PENDING",
                "AUTHORIZED",
                "PARTIALLY_PAID",
                "PAID",
                "PARTIALLY_REFUNDED",
                "REFUNDED",
                "VOIDED",
                name="financialstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "fulfillment_status",
            sa.Enum(
                "UNFULFILLED",
                "PARTIALLY_FULFILLED",
                "FULFILLED",
                "IN_PROGRESS",
                "ON_HOLD",
                "SCHEDULED",
                "RESTOCKED",
                name="fulfillmentstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "cancel_reason",
            sa.Enum(
                "CUSTOMER",
                "FRAUD",
                "INVENTORY",
                "DECLINED",
                "STAFF",
                "OTHER",
                name="cancelreason",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("taxes_included", sa.Boolean(), nullable=False),
        sa.Column(
            "delivery_method",
            sa.Enum(
                "SHIPPING",
                "PICKUP",
                "LOCAL_DELIVERY",
                name="deliverymethod",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "pickup_location_id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            nullable=True,
        ),
        sa.Column(
            "reservation_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True
        ),
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
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("subtotal_price", sa.BigInteger(), nullable=False),
        sa.Column("total_discounts", sa.BigInteger(), nullable=False),
        sa.Column("total_shipping", sa.BigInteger(), nullable=False),
        sa.Column("total_tax", sa.BigInteger(), nullable=False),
        sa.Column("total_price", sa.BigInteger(), nullable=False),
        sa.Column("total_captured", sa.BigInteger(), nullable=False),
        sa.Column("total_refunded", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_orders_channel_id_channels")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_orders_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["pickup_location_id"],
            ["locations.id"],
            name=op.f("fk_orders_pickup_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservations.id"],
            name=op.f("fk_orders_reservation_id_reservations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_orders_number")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_orders_channel_id"), ["channel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_orders_customer_sort_name"), ["customer_sort_name"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_orders_email"), ["email"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_orders_financial_status"), ["financial_status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_orders_fulfillment_status"), ["fulfillment_status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_orders_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_status"), ["status"], unique=False)
        batch_op.create_index("ix_orders_total_price", ["total_price"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_updated_at"), ["updated_at"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        # Order numbers (#1001...) without a hot counter row: concurrent orders never wait
        # on each other for a number. Owned by the column, so dropping the table drops it.
        op.execute("CREATE SEQUENCE order_number_seq START 1001 OWNED BY orders.number")
    op.create_table(
        "fulfillment_orders",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "location_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column(
            "status",
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
            nullable=False,
        ),
        sa.Column(
            "request_status",
            sa.Enum(
                "UNSUBMITTED",
                "SUBMITTED",
                "ACCEPTED",
                "REJECTED",
                "CANCELLATION_REQUESTED",
                "CANCELLATION_ACCEPTED",
                "CANCELLATION_REJECTED",
                "CLOSED",
                name="fulfillmentorderrequeststatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "delivery_method",
            sa.Enum(
                "SHIPPING",
                "PICKUP",
                "LOCAL_DELIVERY",
                name="deliverymethod",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("fulfill_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_fulfillment_orders_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_fulfillment_orders_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfillment_orders")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("fulfillment_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fulfillment_orders_location_id"), ["location_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fulfillment_orders_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "order_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True),
        sa.Column("sku", sa.String(length=255), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("current_quantity", sa.Integer(), nullable=False),
        sa.Column("fulfilled_quantity", sa.Integer(), nullable=False),
        sa.Column("original_unit_price", sa.BigInteger(), nullable=False),
        sa.Column("total_discount", sa.BigInteger(), nullable=False),
        sa.Column("discounted_total", sa.BigInteger(), nullable=False),
        sa.Column("tax_amount", sa.BigInteger(), nullable=False),
        sa.Column("tax_rate", sa.BigInteger(), nullable=False),
        sa.Column("tax_title", sa.String(length=255), nullable=True),
        sa.CheckConstraint(
            "current_quantity <= quantity", name=op.f("ck_order_lines_current_within_ordered")
        ),
        sa.CheckConstraint(
            "fulfilled_quantity <= current_quantity",
            name=op.f("ck_order_lines_fulfilled_within_current"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["inventory_items.id"], name=op.f("fk_order_lines_item_id_inventory_items")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_lines_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_lines_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_lines_sku"), ["sku"], unique=False)

    op.create_table(
        "order_shipping_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("code", sa.String(length=255), nullable=True),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("tax_amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_shipping_lines_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_shipping_lines")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("order_shipping_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_shipping_lines_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "order_tags",
        sa.Column("order_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("tag", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_tags_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", "tag", name=op.f("pk_order_tags")),
    )
    with op.batch_alter_table("order_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_tags_tag"), ["tag"], unique=False)

    op.create_table(
        "order_transactions",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("parent_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "AUTHORIZATION",
                "CAPTURE",
                "SALE",
                "REFUND",
                "VOID",
                name="transactionkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "SUCCESS",
                "FAILURE",
                "PENDING",
                name="transactionstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("gateway", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency_code", sa.String(length=3), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_transactions_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["order_transactions.id"],
            name=op.f("fk_order_transactions_parent_id_order_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_transactions")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("order_transactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_transactions_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "fulfillment_order_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "fulfillment_order_id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "order_line_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column("level_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True),
        sa.Column("total_quantity", sa.Integer(), nullable=False),
        sa.Column("remaining_quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "remaining_quantity <= total_quantity",
            name=op.f("ck_fulfillment_order_lines_remaining_within_total"),
        ),
        sa.ForeignKeyConstraint(
            ["fulfillment_order_id"],
            ["fulfillment_orders.id"],
            name=op.f("fk_fulfillment_order_lines_fulfillment_order_id_fulfillment_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["level_id"],
            ["inventory_levels.id"],
            name=op.f("fk_fulfillment_order_lines_level_id_inventory_levels"),
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_fulfillment_order_lines_order_line_id_order_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfillment_order_lines")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("fulfillment_order_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fulfillment_order_lines_fulfillment_order_id"),
            ["fulfillment_order_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_fulfillment_order_lines_order_line_id"), ["order_line_id"], unique=False
        )

    op.create_table(
        "order_discount_applications",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column(
            "value_type",
            sa.Enum(
                "PERCENTAGE", "FIXED_AMOUNT", name="discountvaluetype", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("line_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["order_lines.id"],
            name=op.f("fk_order_discount_applications_line_id_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_discount_applications_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_discount_applications")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("order_discount_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_discount_applications_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "order_discount_allocations",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "application_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column("line_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["order_discount_applications.id"],
            name=op.f("fk_order_discount_allocations_application_id_order_discount_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["order_lines.id"],
            name=op.f("fk_order_discount_allocations_line_id_order_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_discount_allocations")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("order_discount_allocations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_discount_allocations_line_id"), ["line_id"], unique=False
        )

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("currency_code", sa.String(length=3), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("currency_code")

    with op.batch_alter_table("order_discount_allocations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_discount_allocations_line_id"))

    op.drop_table("order_discount_allocations")
    with op.batch_alter_table("order_discount_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_discount_applications_order_id"))

    op.drop_table("order_discount_applications")
    with op.batch_alter_table("fulfillment_order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fulfillment_order_lines_order_line_id"))
        batch_op.drop_index(batch_op.f("ix_fulfillment_order_lines_fulfillment_order_id"))

    op.drop_table("fulfillment_order_lines")
    with op.batch_alter_table("order_transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_transactions_order_id"))

    op.drop_table("order_transactions")
    with op.batch_alter_table("order_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_tags_tag"))

    op.drop_table("order_tags")
    with op.batch_alter_table("order_shipping_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_shipping_lines_order_id"))

    op.drop_table("order_shipping_lines")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_lines_sku"))
        batch_op.drop_index(batch_op.f("ix_order_lines_order_id"))

    op.drop_table("order_lines")
    with op.batch_alter_table("fulfillment_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fulfillment_orders_order_id"))
        batch_op.drop_index(batch_op.f("ix_fulfillment_orders_location_id"))

    op.drop_table("fulfillment_orders")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_updated_at"))
        batch_op.drop_index("ix_orders_total_price")
        batch_op.drop_index(batch_op.f("ix_orders_status"))
        batch_op.drop_index(batch_op.f("ix_orders_name"))
        batch_op.drop_index(batch_op.f("ix_orders_fulfillment_status"))
        batch_op.drop_index(batch_op.f("ix_orders_financial_status"))
        batch_op.drop_index(batch_op.f("ix_orders_email"))
        batch_op.drop_index(batch_op.f("ix_orders_customer_sort_name"))
        batch_op.drop_index(batch_op.f("ix_orders_customer_id"))
        batch_op.drop_index(batch_op.f("ix_orders_created_at"))
        batch_op.drop_index(batch_op.f("ix_orders_channel_id"))

    op.drop_table("orders")
    op.drop_table("tax_rates")
