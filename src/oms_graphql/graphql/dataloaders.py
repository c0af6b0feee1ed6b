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
from oms_graphql.inventory import repository as inventory
from oms_graphql.inventory import reservation_repository as reservations
from oms_graphql.inventory import transfer_repository as transfers
from oms_graphql.inventory.repository import LevelState
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

    def _grouped(
        self,
        fetch: Callable[[AsyncSession, Sequence[int]], Awaitable[Sequence[R]]],
        key: Callable[[R], int],
    ) -> DataLoader[int, list[R]]:
        """Many rows per parent id, in one statement per batch."""

        async def load(ids: Sequence[int]) -> list[list[R]]:
            async with self._database.reading() as session:
                rows = await fetch(session, ids)
            grouped: dict[int, list[R]] = defaultdict(list)
            for row in rows:
                grouped[key(row)].append(row)
            return [grouped.get(i, []) for i in ids]

        return DataLoader(load_fn=load)

    def _first_pages(self, parent: str) -> DataLoader[tuple[int, int], list[LevelState]]:
        """The first page of levels of many items or locations: one statement per page size."""

        async def load(keys: Sequence[tuple[int, int]]) -> list[list[LevelState]]:
            by_size: dict[int, list[int]] = defaultdict(list)
            for parent_id, size in keys:
                by_size[size].append(parent_id)
            found: dict[tuple[int, int], list[LevelState]] = defaultdict(list)
            async with self._database.reading() as session:
                for size, parents in by_size.items():
                    rows = await inventory.first_levels(session, **{parent: parents}, size=size)
                    for level in rows:
                        owner = level.item_id if parent == "of_items" else level.location_id
                        found[(owner, size)].append(level)
            return [found.get(key, []) for key in keys]

        return DataLoader(load_fn=load)

    @cached_property
    def inventory_item(self) -> DataLoader[int, models.InventoryItem | None]:
        return self._by_id(inventory.items_by_id)

    @cached_property
    def inventory_level(self) -> DataLoader[int, LevelState | None]:
        return self._by_id(inventory.levels_by_id)

    @cached_property
    def levels_of_item(self) -> DataLoader[tuple[int, int], list[LevelState]]:
        return self._first_pages("of_items")

    @cached_property
    def levels_of_location(self) -> DataLoader[tuple[int, int], list[LevelState]]:
        return self._first_pages("of_locations")

    @cached_property
    def total_available(self) -> DataLoader[int, int]:
        async def load(ids: Sequence[int]) -> list[int]:
            async with self._database.reading() as session:
                totals = await inventory.total_available(session, ids)
            return [totals.get(i, 0) for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def adjustment_group(self) -> DataLoader[int, models.InventoryAdjustmentGroup | None]:
        return self._by_id(inventory.groups_by_id)

    @cached_property
    def changes_of_group(self) -> DataLoader[int, list[models.InventoryChange]]:
        return self._grouped(inventory.changes_of_groups, lambda row: row.group_id)

    @cached_property
    def reservation(self) -> DataLoader[int, models.Reservation | None]:
        return self._by_id(reservations.get_many)

    @cached_property
    def reservation_lines(self) -> DataLoader[int, list[models.ReservationLine]]:
        return self._grouped(reservations.lines_of, lambda row: row.reservation_id)

    @cached_property
    def transfer(self) -> DataLoader[int, models.InventoryTransfer | None]:
        return self._by_id(transfers.get_many)

    @cached_property
    def transfer_lines(self) -> DataLoader[int, list[models.InventoryTransferLine]]:
        return self._grouped(transfers.lines_of, lambda row: row.transfer_id)
