"""Given-steps: plain keyword-only functions that commit through the services."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import Engine, text

from oms_graphql import models
from oms_graphql.addresses import AddressInput
from oms_graphql.channels.service import NewChannel, create_channel
from oms_graphql.customers.service import CustomerFields, create_customer
from oms_graphql.db import Database
from oms_graphql.locations.service import LocationFields, add_location
from oms_graphql.models import ChannelKind, LocationKind

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
                address=AddressInput(
                    country_code=country_code, latitude=latitude, longitude=longitude
                ),
                **extra,
            ),
        )


async def a_channel(
    database: Database,
    *,
    handle: str | None = None,
    kind: ChannelKind = ChannelKind.WEB,
    allow_split_shipments: bool = True,
) -> models.Channel:
    handle = handle or f"channel-{next(_numbers)}"
    async with database.transaction() as session:
        return await create_channel(
            session,
            given=NewChannel(handle, handle.title(), kind, allow_split_shipments),
        )


async def a_customer(
    database: Database,
    *,
    email: str | None = None,
    first_name: str | None = "Maria",
    last_name: str | None = "Rossi",
    country_code: str | None = "IT",
    tags: list[str] | None = None,
) -> models.Customer:
    async with database.transaction() as session:
        return await create_customer(
            session,
            given=CustomerFields(
                email=email or f"customer{next(_numbers)}@example.com",
                first_name=first_name,
                last_name=last_name,
                default_address=AddressInput(country_code=country_code, city="Somewhere"),
                tags=tags or [],
            ),
        )


def events_of(engine: Engine) -> list[dict[str, Any]]:
    """Every event row, in id order."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM events ORDER BY id"))
        return [dict(r) for r in rows.mappings().all()]


def count_rows(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def row(engine: Engine, table: str, row_id: int) -> dict[str, Any]:
    with engine.connect() as connection:
        found = connection.execute(text(f"SELECT * FROM {table} WHERE id = :id"), {"id": row_id})
        return dict(found.mappings().one())
