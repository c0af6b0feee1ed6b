"""All SQL about inventory items, levels and the ledger."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Row, Select, Table, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import LOCKED, utcnow
from oms_graphql.inventory.quantities import available, available_delta, with_available
from oms_graphql.listing import Listing
from oms_graphql.locations.repository import serves_channel
from oms_graphql.models import (
    STORED_QUANTITIES,
    InventoryAdjustmentGroup,
    InventoryChange,
    InventoryItem,
    InventoryLevel,
    InventoryPolicy,
    InventoryReason,
    Location,
    Reservation,
    ReservationLine,
    ReservationStatus,
)
from oms_graphql.paging import Page, PageRequest, SortKey, fetch_page
from oms_graphql.search import (
    SearchField,
    SearchSpec,
    boolean,
    custom,
    enumeration,
    identifier,
    keyword,
    timestamp,
)

LEVELS: Table = InventoryLevel.__table__  # type: ignore[assignment]

ITEM_SEARCH = SearchSpec(
    fields={
        "id": identifier(InventoryItem.id, "InventoryItem", "numeric or global id; >, < work"),
        "sku": keyword(InventoryItem.sku, "exact SKU, or a prefix with *"),
        "title": keyword(InventoryItem.title, "exact title, or a prefix with *"),
        "tracked": boolean(InventoryItem.tracked, "true or false"),
        "inventory_policy": enumeration(
            InventoryItem.inventory_policy, InventoryPolicy, "deny or continue"
        ),
        "created_at": timestamp(InventoryItem.created_at, "date or time; >, >=, <, <= work"),
        "updated_at": timestamp(InventoryItem.updated_at, "date or time; >, >=, <, <= work"),
    },
    text_columns=(InventoryItem.sku, InventoryItem.title),
)
ITEMS = Listing(
    InventoryItem, InventoryItem.id, {"ID": SortKey("ID", InventoryItem.id)}, ITEM_SEARCH
)
"""Search, page and count inventory items."""


# --- items --------------------------------------------------------------------------------


async def get_item(
    session: AsyncSession, item_id: int, *, for_update: bool = False
) -> InventoryItem | None:
    statement = select(InventoryItem).where(InventoryItem.id == item_id)
    if for_update:
        statement = statement.with_for_update().execution_options(**LOCKED)
    return (await session.execute(statement)).scalar_one_or_none()


async def items_by_id(session: AsyncSession, ids: Iterable[int]) -> list[InventoryItem]:
    wanted = set(ids)
    if not wanted:
        return []
    return list(
        (await session.scalars(select(InventoryItem).where(InventoryItem.id.in_(wanted)))).all()
    )


async def items_by_sku(session: AsyncSession, skus: Iterable[str]) -> dict[str, InventoryItem]:
    wanted = set(skus)
    if not wanted:
        return {}
    rows = await session.scalars(select(InventoryItem).where(InventoryItem.sku.in_(wanted)))
    return {row.sku: row for row in rows}


async def sku_taken(session: AsyncSession, sku: str, *, except_id: int | None = None) -> bool:
    statement = select(InventoryItem.id).where(InventoryItem.sku == sku).limit(1)
    if except_id is not None:
        statement = statement.where(InventoryItem.id != except_id)
    return (await session.scalar(statement)) is not None


# --- levels -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LevelState:
    """A level's quantities as callers see them: expired holds no longer count as reserved."""

    id: int
    item_id: int
    location_id: int
    quantities: dict[str, int]
    updated_at: datetime

    @property
    def available(self) -> int:
        return self.quantities["available"]

    @classmethod
    def of(cls, row: Any, *, expired_hold: int = 0) -> LevelState:
        stored = {name: getattr(row, name) for name in STORED_QUANTITIES}
        stored["reserved"] -= expired_hold
        return cls(row.id, row.item_id, row.location_id, with_available(stored), row.updated_at)


def expired_holds(now: datetime) -> Any:
    """Units per level still held by reservations that expired but were not swept yet."""
    return (
        select(
            ReservationLine.level_id.label("level_id"),
            func.sum(ReservationLine.quantity).label("expired_hold"),
        )
        .join(Reservation, Reservation.id == ReservationLine.reservation_id)
        .where(Reservation.status == ReservationStatus.ACTIVE, Reservation.expires_at <= now)
        .group_by(ReservationLine.level_id)
        .subquery("expired_holds")
    )


def level_select(now: datetime | None = None) -> Select[Any]:
    """Levels with the units of unswept expired holds, so reads never count them."""
    holds = expired_holds(now or utcnow())
    return select(
        *LEVELS.c, func.coalesce(holds.c.expired_hold, 0).label("expired_hold")
    ).outerjoin(holds, holds.c.level_id == LEVELS.c.id)


def level_state(row: Row[Any]) -> LevelState:
    return LevelState.of(row, expired_hold=row.expired_hold)


async def levels_by_id(session: AsyncSession, ids: Sequence[int]) -> list[LevelState]:
    if not ids:
        return []
    rows = await session.execute(level_select().where(LEVELS.c.id.in_(set(ids))))
    return [level_state(row) for row in rows]


async def levels_at(
    session: AsyncSession, pairs: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], InventoryLevel]:
    """The levels of these (item, location) pairs that exist."""
    wanted = set(pairs)
    if not wanted:
        return {}
    items = {item for item, _ in wanted}
    locations = {location for _, location in wanted}
    rows = await session.scalars(
        select(InventoryLevel).where(
            InventoryLevel.item_id.in_(items), InventoryLevel.location_id.in_(locations)
        )
    )
    found = {(row.item_id, row.location_id): row for row in rows}
    return {pair: level for pair, level in found.items() if pair in wanted}


async def lock_levels(session: AsyncSession, ids: Iterable[int]) -> dict[int, LevelState]:
    """Lock levels in id order (the one order every writer uses) and read them.

    FOR NO KEY UPDATE, the lock an UPDATE of quantities takes anyway: a plain FOR UPDATE
    would also wait for (and deadlock with) inserts of rows that reference the level.
    """
    ordered = sorted(set(ids))
    if not ordered:
        return {}
    statement = (
        select(InventoryLevel).where(InventoryLevel.id.in_(ordered)).order_by(InventoryLevel.id)
    )
    rows = (
        await session.scalars(statement.with_for_update(key_share=True).execution_options(**LOCKED))
    ).all()
    return {row.id: LevelState.of(row) for row in rows}


async def create_level(session: AsyncSession, *, item_id: int, location_id: int) -> InventoryLevel:
    level = InventoryLevel(item_id=item_id, location_id=location_id)
    session.add(level)
    await session.flush()
    return level


async def apply_deltas(
    session: AsyncSession, level_id: int, deltas: dict[str, int], *, keep_available: bool
) -> dict[str, int] | None:
    """Change one level in one conditional UPDATE; ``None`` when a guard refused it.

    Guards: no stored quantity goes below zero, and with ``keep_available`` the change may
    not take ``available`` below zero. The row is never read first, so concurrent writers
    cannot both take the last unit.
    """
    conditions: list[ColumnElement[bool]] = [LEVELS.c.id == level_id]
    conditions += [LEVELS.c[name] + delta >= 0 for name, delta in deltas.items() if delta < 0]
    change_in_available = available_delta(deltas)
    if keep_available and change_in_available < 0:
        current: Any = available({name: LEVELS.c[name] for name in STORED_QUANTITIES})  # type: ignore[misc]
        conditions.append(current + change_in_available >= 0)
    statement = (
        update(LEVELS)
        .where(*conditions)
        .values({LEVELS.c[name]: LEVELS.c[name] + delta for name, delta in deltas.items()})
        .values(updated_at=utcnow())
        .returning(*(LEVELS.c[name] for name in STORED_QUANTITIES))
    )
    row = (await session.execute(statement)).first()
    return None if row is None else dict(row._mapping)


# --- the ledger ---------------------------------------------------------------------------


async def add_group(
    session: AsyncSession,
    *,
    reason: InventoryReason,
    reference_document_uri: str | None,
    actor: str | None,
) -> InventoryAdjustmentGroup:
    group = InventoryAdjustmentGroup(
        reason=reason, reference_document_uri=reference_document_uri, actor=actor
    )
    session.add(group)
    await session.flush()
    return group


async def append_changes(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(InventoryChange), rows)


async def changes_of_groups(
    session: AsyncSession, group_ids: Sequence[int]
) -> list[InventoryChange]:
    if not group_ids:
        return []
    statement = (
        select(InventoryChange)
        .where(InventoryChange.group_id.in_(group_ids))
        .order_by(InventoryChange.id)
    )
    return list((await session.scalars(statement)).all())


async def groups_by_id(session: AsyncSession, ids: Sequence[int]) -> list[InventoryAdjustmentGroup]:
    if not ids:
        return []
    statement = select(InventoryAdjustmentGroup).where(InventoryAdjustmentGroup.id.in_(ids))
    return list((await session.scalars(statement)).all())


CHANGE_POSITION = SortKey("ID", InventoryChange.id)


async def level_facts(session: AsyncSession, level_ids: Iterable[int]) -> dict[int, Row[Any]]:
    """What a stock change needs to know of each level's item and location."""
    wanted = set(level_ids)
    if not wanted:
        return {}
    statement = (
        select(
            LEVELS.c.id,
            LEVELS.c.item_id,
            LEVELS.c.location_id,
            InventoryItem.sku,
            InventoryItem.tracked,
            InventoryItem.inventory_policy,
            InventoryItem.low_stock_threshold,
        )
        .join(InventoryItem, InventoryItem.id == LEVELS.c.item_id)
        .where(LEVELS.c.id.in_(wanted))
    )
    return {row.id: row for row in await session.execute(statement)}


# --- nested lists and sums ------------------------------------------------------------------


async def first_levels(
    session: AsyncSession,
    *,
    of_items: Sequence[int] = (),
    of_locations: Sequence[int] = (),
    size: int,
) -> list[LevelState]:
    """The first ``size + 1`` levels (by id) of each item or location, in one statement."""
    parent = LEVELS.c.item_id if of_items else LEVELS.c.location_id
    parents = of_items or of_locations
    inner = (
        level_select()
        .where(parent.in_(set(parents)))
        .add_columns(
            func.row_number().over(partition_by=parent, order_by=LEVELS.c.id).label("position")
        )
        .subquery()
    )
    rows = await session.execute(
        select(inner).where(inner.c.position <= size + 1).order_by(inner.c.id)
    )
    return [level_state(row) for row in rows]


async def total_available(session: AsyncSession, item_ids: Sequence[int]) -> dict[int, int]:
    """Available units per item over active locations (negative backorders count as zero)."""
    if not item_ids:
        return {}
    levels = (
        level_select()
        .where(LEVELS.c.item_id.in_(set(item_ids)))
        .join(Location, Location.id == LEVELS.c.location_id)
        .where(Location.is_active.is_(True))
    )
    totals: dict[int, int] = {}
    for row in await session.execute(levels):
        state = level_state(row)
        totals[state.item_id] = totals.get(state.item_id, 0) + max(state.available, 0)
    return totals


async def levels_for_items(
    session: AsyncSession,
    item_ids: Sequence[int],
    *,
    location_ids: Sequence[int] | None = None,
    online: bool = False,
    channel: str | None = None,
) -> list[tuple[LevelState, Location]]:
    """The levels of these items at active locations, with their locations, in one statement.

    ``online`` keeps locations that fulfil online orders, ``channel`` those serving it.
    """
    if not item_ids:
        return []
    statement = (
        level_select()
        .add_columns(Location)
        .join(Location, Location.id == LEVELS.c.location_id)
        .where(LEVELS.c.item_id.in_(set(item_ids)), Location.is_active.is_(True))
        .order_by(Location.priority.desc(), Location.id, LEVELS.c.id)
    )
    if location_ids is not None:
        statement = statement.where(Location.id.in_(set(location_ids)))
    if online:
        statement = statement.where(Location.fulfills_online_orders.is_(True))
    if channel is not None:
        statement = statement.where(serves_channel(channel))
    return [(level_state(row), row.Location) for row in await session.execute(statement)]


def _of_items_matching(field: SearchField) -> SearchField:
    """A search field on items, applied to levels through their item."""

    def build(op: str, value: str) -> ColumnElement[bool]:
        return LEVELS.c.item_id.in_(select(InventoryItem.id).where(field.build(op, value)))

    return custom(build, field.description)


LEVEL_SEARCH = SearchSpec(
    fields={
        "sku": _of_items_matching(ITEM_SEARCH.fields["sku"]),
        "title": _of_items_matching(ITEM_SEARCH.fields["title"]),
        "tracked": _of_items_matching(ITEM_SEARCH.fields["tracked"]),
        "updated_at": timestamp(LEVELS.c.updated_at, "date or time; >, >=, <, <= work"),
    },
)
LEVEL_POSITION = SortKey("ID", InventoryLevel.id)


async def levels_page(
    session: AsyncSession,
    *,
    item_id: int | None = None,
    location_id: int | None = None,
    request: PageRequest,
    query: str | None = None,
) -> Page[LevelState]:
    """One page of an item's or a location's levels, in id order: one statement."""
    statement = level_select()
    if item_id is not None:
        statement = statement.where(LEVELS.c.item_id == item_id)
    if location_id is not None:
        statement = statement.where(LEVELS.c.location_id == location_id)
    condition = LEVEL_SEARCH.where(query)
    if condition is not None:
        statement = statement.where(condition)
    page = await fetch_page(
        session,
        statement,
        sort=LEVEL_POSITION,
        id_column=InventoryLevel.id,
        request=request,
        query=query,
        scalars=False,
    )
    return Page(
        [(cursor, level_state(row)) for cursor, row in page.edges],
        page.has_next_page,
        page.has_previous_page,
    )


@dataclass(frozen=True, slots=True, eq=False)
class LevelsOf:
    """The levels of one item (``of="item"``) or one location, in id order: a nested list
    (``paging.Nested``) like ``paging.ChildList``, over level states rather than rows."""

    of: Literal["item", "location"]
    sort: SortKey = LEVEL_POSITION

    def parent_of(self, row: LevelState) -> int:
        return row.item_id if self.of == "item" else row.location_id

    async def first(
        self, session: AsyncSession, parents: Sequence[int], size: int
    ) -> list[LevelState]:
        if self.of == "item":
            return await first_levels(session, of_items=parents, size=size)
        return await first_levels(session, of_locations=parents, size=size)

    async def page(
        self, session: AsyncSession, parent_id: int, request: PageRequest
    ) -> Page[LevelState]:
        if self.of == "item":
            return await levels_page(session, item_id=parent_id, request=request)
        return await levels_page(session, location_id=parent_id, request=request)


LEVELS_OF_ITEM = LevelsOf("item")
LEVELS_OF_LOCATION = LevelsOf("location")


async def changes_page(
    session: AsyncSession, *, level_id: int, request: PageRequest
) -> Page[InventoryChange]:
    """The ledger of one level, oldest first."""
    return await fetch_page(
        session,
        select(InventoryChange).where(InventoryChange.level_id == level_id),
        sort=CHANGE_POSITION,
        id_column=InventoryChange.id,
        request=request,
    )


PUBLIC_LOCATION_COLUMNS = (
    "id",
    "name",
    "address1",
    "address2",
    "city",
    "province",
    "zip",
    "country_code",
    "phone",
    "latitude",
    "longitude",
    "pickup_enabled",
    "priority",
)


async def sellable(
    session: AsyncSession, item_ids: Sequence[int], *, channel: str | None = None
) -> list[tuple[int, int, Location]]:
    """(item id, available, location) at active locations that ship online orders or offer
    pickup (and serve ``channel``), best location first, in one statement.

    ``available`` is computed by the database, expired holds not counted; each location is
    built once from its public columns (per-row ORM work cost more than the query).
    """
    if not item_ids:
        return []
    holds = expired_holds(utcnow())
    units = available({name: LEVELS.c[name] for name in STORED_QUANTITIES})  # type: ignore[misc]
    places = Location.__table__.c
    statement = (
        select(
            LEVELS.c.item_id,
            (units + func.coalesce(holds.c.expired_hold, 0)).label("available"),
            *(places[name] for name in PUBLIC_LOCATION_COLUMNS),
        )
        .outerjoin(holds, holds.c.level_id == LEVELS.c.id)
        .join(Location, Location.id == LEVELS.c.location_id)
        .where(
            LEVELS.c.item_id.in_(set(item_ids)),
            Location.is_active.is_(True),
            or_(Location.fulfills_online_orders.is_(True), Location.pickup_enabled.is_(True)),
        )
        .order_by(Location.priority.desc(), Location.id, LEVELS.c.id)
    )
    if channel is not None:
        statement = statement.where(serves_channel(channel))
    found: dict[int, Location] = {}
    result = []
    for item_id, units_left, *public in await session.execute(statement):
        location = found.get(public[0])
        if location is None:
            location = Location(**dict(zip(PUBLIC_LOCATION_COLUMNS, public, strict=True)))
            found[public[0]] = location
        result.append((item_id, units_left, location))
    return result
