"""Given-steps: plain keyword-only functions that commit through the services."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import Engine, text

from oms_graphql import models
from oms_graphql.db import Database
from oms_graphql.locations.service import LocationAddress, LocationFields, add_location
from oms_graphql.models import LocationKind

_numbers = itertools.count(1)


async def a_location(
    database: Database,
    *,
    name: str | None = None,
    country_code: str = "IT",
    latitude: float | None = 45.46,
    longitude: float | None = 9.19,
    kind: LocationKind = LocationKind.WAREHOUSE,
    priority: int = 0,
    **extra: Any,
) -> models.Location:
    async with database.transaction() as session:
        return await add_location(
            session,
            given=LocationFields(
                name=name or f"Location {next(_numbers)}",
                kind=kind,
                priority=priority,
                address=LocationAddress(
                    country_code=country_code, latitude=latitude, longitude=longitude
                ),
                **extra,
            ),
        )


def count_rows(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def row(engine: Engine, table: str, row_id: int) -> dict[str, Any]:
    with engine.connect() as connection:
        found = connection.execute(text(f"SELECT * FROM {table} WHERE id = :id"), {"id": row_id})
        return dict(found.mappings().one())
