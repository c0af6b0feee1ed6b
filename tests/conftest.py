"""Every API test runs against SQLite and against a real PostgreSQL started for the session.

``OMS_TEST_DATABASES=sqlite`` (or ``postgresql``) narrows a local run to one database;
CI runs both.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import Engine, create_engine, text
from starlette.applications import Starlette

from oms_graphql import migrate, models
from oms_graphql.app import create_app
from oms_graphql.db import Base, Database
from oms_graphql.settings import Settings
from tests.api import Api
from tests.postgres_server import create_database, running_postgresql

TEST_JWT_SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
# A test sends its requests as one burst from one token: the suite runs with a bucket that
# never empties, and tests/test_limits.py checks throttling with the defaults and small ones.
ROOMY_BUCKET = 1_000_000
DATABASES = [
    name.strip()
    for name in os.environ.get("OMS_TEST_DATABASES", "sqlite,postgresql").split(",")
    if name.strip()
]
assert models.Location  # every table registered on Base.metadata


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[Any]:
    with running_postgresql() as executor:
        yield executor


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database of each kind, shared by the session and emptied between tests."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sqlite') / 'oms.sqlite3'}"
    elif request.param == "postgresql":
        url = create_database(request.getfixturevalue("postgresql_server"), "oms_test")
    else:
        raise ValueError(f"unknown test database {request.param!r}")
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def sync_engines() -> Iterator[dict[str, Engine]]:
    engines: dict[str, Engine] = {}
    yield engines
    for engine in engines.values():
        engine.dispose()


@pytest.fixture
def sync_engine(database_url: str, sync_engines: dict[str, Engine]) -> Engine:
    """A plain synchronous engine on the test database, for setup and for re-reading rows."""
    if database_url not in sync_engines:
        sync_engines[database_url] = create_engine(migrate.sync_url(database_url))
    return sync_engines[database_url]


def empty_database(engine: Engine) -> None:
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
            connection.execute(text("DELETE FROM sqlite_sequence"))


@pytest.fixture
def settings(database_url: str, sync_engine: Engine) -> Settings:
    empty_database(sync_engine)
    return Settings.from_env(
        {},
        database_url=database_url,
        jwt_secret=TEST_JWT_SECRET,
        sql_count_header=True,
        cost_bucket_size=ROOMY_BUCKET,
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    async with LifespanManager(application):
        yield application


@pytest.fixture
def database(app: Starlette) -> Database:
    """The application's own database, for factories that commit through services."""
    db: Database = app.state.runtime.database
    return db


@pytest.fixture
async def api(app: Starlette, settings: Settings) -> AsyncIterator[Api]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client, settings)


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture
def ledger_checked(sync_engine: Engine) -> Iterator[None]:
    """After the test: for every level and quantity, the ledger's deltas add up to it."""
    yield
    from tests.factories import ledger_disagreements

    assert ledger_disagreements(sync_engine) == []
