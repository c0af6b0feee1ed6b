"""Per-operation DataLoaders; each batch opens its own short session and runs one statement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from functools import cached_property
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from oms_graphql import models
from oms_graphql.channels import repository as channels
from oms_graphql.customers import repository as customers
from oms_graphql.db import Database
from oms_graphql.locations import repository as locations

R = TypeVar("R")


class Loaders:
    def __init__(self, database: Database) -> None:
        self._database = database

    def _by_id(
        self, fetch: Callable[[AsyncSession, Sequence[int]], Awaitable[Sequence[R]]]
    ) -> DataLoader[int, R | None]:
        async def load(ids: Sequence[int]) -> list[R | None]:
            async with self._database.reading() as session:
                found = {row.id: row for row in await fetch(session, ids)}  # type: ignore[attr-defined]
            return [found.get(i) for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def location(self) -> DataLoader[int, models.Location | None]:
        return self._by_id(locations.get_many)

    @cached_property
    def channel(self) -> DataLoader[int, models.Channel | None]:
        return self._by_id(channels.get_many)

    @cached_property
    def customer(self) -> DataLoader[int, models.Customer | None]:
        return self._by_id(customers.get_many)

    @cached_property
    def channels_of_location(self) -> DataLoader[int, list[models.Channel]]:
        async def load(ids: Sequence[int]) -> list[list[models.Channel]]:
            async with self._database.reading() as session:
                pairs = await channels.channels_of_locations(session, ids)
            grouped: dict[int, list[models.Channel]] = defaultdict(list)
            for location_id, channel in pairs:
                grouped[location_id].append(channel)
            return [grouped.get(i, []) for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def customer_tags(self) -> DataLoader[int, list[str]]:
        async def load(ids: Sequence[int]) -> list[list[str]]:
            async with self._database.reading() as session:
                tags = await customers.tags_of(session, ids)
            return [tags.get(i, []) for i in ids]

        return DataLoader(load_fn=load)
