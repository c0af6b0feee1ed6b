"""Money is exact and times are UTC-aware on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, Table, insert, select
from sqlalchemy.exc import StatementError

from oms_graphql.db import MoneyAmount, UTCDateTime

metadata = MetaData()
samples = Table(
    "type_samples",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("amount", MoneyAmount),
    Column("at", UTCDateTime),
)


@pytest.fixture
def table(sync_engine: Engine) -> Iterator[Table]:
    metadata.create_all(sync_engine)
    yield samples
    metadata.drop_all(sync_engine)


@pytest.mark.parametrize("amount", ["0.1", "19.99", "0.0001", "123456789012.3456", "-5.5"])
def test_money_round_trips_exactly(sync_engine: Engine, table: Table, amount: str) -> None:
    with sync_engine.begin() as connection:
        connection.execute(insert(table).values(amount=Decimal(amount)))
        stored = connection.execute(select(table.c.amount)).scalar_one()

    assert stored == Decimal(amount)


def test_money_sums_exactly_in_sql(sync_engine: Engine, table: Table) -> None:
    from sqlalchemy import func

    with sync_engine.begin() as connection:
        connection.execute(insert(table), [{"amount": Decimal("0.1")} for _ in range(10)])
        total = connection.execute(select(func.sum(table.c.amount))).scalar_one()

    assert total == Decimal("1")


def test_money_with_too_many_decimals_is_refused(sync_engine: Engine, table: Table) -> None:
    with pytest.raises(StatementError), sync_engine.begin() as connection:
        connection.execute(insert(table).values(amount=Decimal("0.00001")))


def test_times_come_back_aware_in_utc(sync_engine: Engine, table: Table) -> None:
    rome = timezone(timedelta(hours=1))
    moment = datetime(2026, 11, 22, 10, 30, 15, 123456, tzinfo=rome)
    with sync_engine.begin() as connection:
        connection.execute(insert(table).values(at=moment))
        stored = connection.execute(select(table.c.at)).scalar_one()

    assert stored == moment
    assert stored.tzinfo == UTC


def test_naive_times_are_refused(sync_engine: Engine, table: Table) -> None:
    with pytest.raises(StatementError), sync_engine.begin() as connection:
        connection.execute(insert(table).values(at=datetime(2026, 1, 1)))
