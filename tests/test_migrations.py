"""Migrations go up and down cleanly, and agree with the models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from oms_graphql import migrate
from oms_graphql.db import Base
from tests.conftest import DATABASES
from tests.postgres_server import create_database


@pytest.fixture(params=DATABASES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'migrations.sqlite3'}"
    server: Any = request.getfixturevalue("postgresql_server")
    return create_database(server, "oms_migrations")


def _tables(url: str) -> set[str]:
    engine = create_engine(migrate.sync_url(url))
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    assert _tables(empty_database_url) == set(Base.metadata.tables)

    migrate.downgrade(empty_database_url, "base")
    assert _tables(empty_database_url) == set()

    migrate.upgrade(empty_database_url)
    assert _tables(empty_database_url) == set(Base.metadata.tables)


def test_models_and_migrations_agree(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    engine = create_engine(migrate.sync_url(empty_database_url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()

    assert differences == []
