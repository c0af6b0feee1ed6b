"""Per-operation DataLoaders; each batch opens its own short session and runs one statement."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from strawberry.dataloader import DataLoader

from oms_graphql import models
from oms_graphql.db import Database
from oms_graphql.locations import repository as locations


class Loaders:
    def __init__(self, database: Database) -> None:
        self._database = database

    @cached_property
    def location(self) -> DataLoader[int, models.Location | None]:
        return DataLoader(load_fn=self._load_locations)

    async def _load_locations(self, ids: Sequence[int]) -> list[models.Location | None]:
        async with self._database.reading() as session:
            found = {row.id: row for row in await locations.get_many(session, ids)}
        return [found.get(i) for i in ids]
