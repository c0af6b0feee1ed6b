"""Events are kept for the retention period, then pruned by the server and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from oms_graphql import migrate
from oms_graphql.db import Database, utcnow
from oms_graphql.events.retention import prune_events
from tests.api import Api
from tests.factories import a_location, count_rows

FEED = "{ events(first: 10) { nodes { type subjectId } } }"


def _age(engine: Engine, days: int, location_id: int) -> None:
    """Make the events about one location ``days`` old."""
    at = utcnow() - timedelta(days=days)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE events SET occurred_at = :at WHERE subject_id = :id"),
            {
                "at": at.replace(tzinfo=None) if engine.dialect.name == "sqlite" else at,
                "id": location_id,
            },
        )


async def test_events_older_than_the_retention_are_pruned(
    api: Api, database: Database, sync_engine: Engine
) -> None:
    old = await a_location(database, name="Old")
    recent = await a_location(database, name="Recent")
    _age(sync_engine, 31, old.id)

    pruned = await prune_events(database, retention_days=30)

    assert pruned == 1
    feed = (await api.gql(FEED)).ok()["events"]["nodes"]
    assert [node["subjectId"] for node in feed] == [f"gid://oms/Location/{recent.id}"]
    assert await prune_events(database, retention_days=30) == 0
    assert count_rows(sync_engine, "events") == 1


def test_the_cli_prunes_events(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'prune.sqlite3'}"
    migrate.upgrade(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMS_")}
    env["OMS_DATABASE_URL"] = url
    engine = create_engine(migrate.sync_url(url))
    with engine.begin() as connection:
        for days in (10, 3):
            connection.execute(
                text(
                    "INSERT INTO events (txid, type, subject_type, subject_id, data, occurred_at)"
                    " VALUES (0, 'location.created', 'Location', 1, '{}', :at)"
                ),
                {"at": (utcnow() - timedelta(days=days)).replace(tzinfo=None)},
            )

    result = subprocess.run(
        [sys.executable, "-m", "oms_graphql", "events", "prune", "--days", "7"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "pruned 1 events older than 7 days" in result.stderr
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM events")).scalar_one() == 1
    engine.dispose()
