"""Orders for S1, written straight into the tables with Core bulk inserts: the services
would take minutes for 10,000 orders. Money goes in as ``Decimal`` through the models'
tables, whose column types scale it to integers as the app does.

The rows are what ``orderCreate`` would have written for the columns S1 reads and every
NOT NULL one; no ledger, fulfillment orders, transactions or events (S1 never reads them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, insert, select

from oms_graphql import models
from oms_graphql.db import Base, Database, utcnow
from oms_graphql.models import (
    ChannelKind,
    DeliveryMethod,
    FinancialStatus,
    FulfillmentStatus,
    InventoryPolicy,
    OrderStatus,
)

CURRENCY = "EUR"
CHANNEL = "bench-web"
FIRST_NUMBER = 1001
BATCH = 5_000
"""Rows per executemany: bounded memory and statement size on both databases."""


@dataclass(frozen=True, slots=True)
class Seeded:
    orders: int
    lines: int
    customers: int


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


async def _bulk(database: Database, model: type[Base], rows: list[dict[str, Any]]) -> None:
    table = _table(model)
    async with database.transaction() as session:
        for start in range(0, len(rows), BATCH):
            await session.execute(insert(table), rows[start : start + BATCH])


async def _ids(database: Database, column: Any) -> list[int]:
    async with database.reading() as session:
        return list((await session.scalars(select(column).order_by(column))).all())


async def seed_channel(database: Database, handle: str = CHANNEL) -> None:
    now = utcnow()
    await _bulk(
        database,
        models.Channel,
        [
            {
                "handle": handle,
                "name": "Bench web store",
                "kind": ChannelKind.WEB,
                "allow_split_shipments": True,
                "created_at": now,
                "updated_at": now,
            }
        ],
    )


def _price(n: int) -> Decimal:
    return Decimal(990 + 250 * (n % 37)) / 100


async def seed_orders(
    database: Database, *, orders: int, customers: int, lines_per_order: int, skus: int
) -> Seeded:
    """``orders`` orders, one a minute, each of a customer among ``customers`` and with
    ``lines_per_order`` lines of ``skus`` priced SKUs."""
    now = utcnow()
    await seed_channel(database)
    (channel_id,) = await _ids(database, models.Channel.id)
    await _bulk(
        database,
        models.InventoryItem,
        [
            {
                "sku": f"S1-{n:04}",
                "title": f"Bench item {n}",
                "unit_price": _price(n),
                "currency_code": CURRENCY,
                "tracked": True,
                "inventory_policy": InventoryPolicy.DENY,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(skus)
        ],
    )
    item_ids = await _ids(database, models.InventoryItem.id)
    await _bulk(
        database,
        models.Customer,
        [
            {
                "email": f"customer-{n:05}@example.com",
                "first_name": f"First{n}",
                "last_name": f"Last{n}",
                "sort_name": f"first{n} last{n}",
                "country_code": "IT",
                "orders_count": orders // customers + (n < orders % customers),
                "amount_spent": Decimal(0),
                "currency_code": CURRENCY,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(customers)
        ],
    )
    customer_ids = await _ids(database, models.Customer.id)
    started = datetime(2025, 1, 1, tzinfo=UTC)
    order_rows = []
    line_rows: list[list[dict[str, Any]]] = []
    for n in range(orders):
        customer = n % customers
        lines = [
            ((n + position) % skus, 1 + (n + position) % 3) for position in range(lines_per_order)
        ]
        subtotal = sum((quantity * _price(sku) for sku, quantity in lines), Decimal(0))
        created = started + timedelta(minutes=n)
        order_rows.append(
            {
                "number": FIRST_NUMBER + n,
                "name": f"#{FIRST_NUMBER + n}",
                "channel_id": channel_id,
                "customer_id": customer_ids[customer],
                "email": f"customer-{customer:05}@example.com",
                "customer_sort_name": f"first{customer} last{customer}",
                "currency_code": CURRENCY,
                "status": OrderStatus.OPEN,
                "financial_status": FinancialStatus.PENDING,
                "fulfillment_status": FulfillmentStatus.UNFULFILLED,
                "taxes_included": False,
                "delivery_method": DeliveryMethod.SHIPPING,
                "shipping_city": "Milano",
                "shipping_country_code": "IT",
                "subtotal_price": subtotal,
                "total_discounts": Decimal(0),
                "total_shipping": Decimal(0),
                "total_tax": Decimal(0),
                "total_price": subtotal,
                "total_captured": Decimal(0),
                "total_refunded": Decimal(0),
                "version": 1,
                "processed_at": created,
                "created_at": created,
                "updated_at": created,
            }
        )
        line_rows.append(
            [
                {
                    "position": position,
                    "item_id": item_ids[sku],
                    "sku": f"S1-{sku:04}",
                    "title": f"Bench item {sku}",
                    "quantity": quantity,
                    "current_quantity": quantity,
                    "fulfilled_quantity": 0,
                    "original_unit_price": _price(sku),
                    "total_discount": Decimal(0),
                    "discounted_total": quantity * _price(sku),
                    "tax_amount": Decimal(0),
                    "tax_rate": Decimal(0),
                }
                for position, (sku, quantity) in enumerate(lines)
            ]
        )
    await _bulk(database, models.Order, order_rows)
    order_ids = await _ids(database, models.Order.id)
    await _bulk(
        database,
        models.OrderLine,
        [
            {**line, "order_id": order_id}
            for order_id, lines_of_order in zip(order_ids, line_rows, strict=True)
            for line in lines_of_order
        ],
    )
    return Seeded(len(order_ids), len(order_ids) * lines_per_order, len(customer_ids))
