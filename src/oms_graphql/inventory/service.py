"""Rules for inventory levels: activation and the three ways people change quantities."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.errors import DomainError, Problem
from oms_graphql.events import EventType, record_event
from oms_graphql.ids import GlobalId, encode_gid
from oms_graphql.inventory import repository
from oms_graphql.inventory.items import QUANTITY_MAX
from oms_graphql.inventory.quantities import ADJUSTABLE, MOVABLE_FROM, MOVABLE_TO, adjustment, move
from oms_graphql.inventory.stock import (
    Applied,
    StockChange,
    change_stock,
    release_expired_holds,
)
from oms_graphql.locations import repository as locations
from oms_graphql.models import InventoryLevel, InventoryReason

REFERENCE_MAX = 2048
MAX_CHANGES = 250


@dataclass(frozen=True, slots=True)
class QuantityChange:
    """One line of a quantity mutation: ``amount`` is a delta, an absolute or a move size."""

    item_id: int
    location_id: int
    amount: int
    compare_quantity: int | None = None
    source: str | None = None
    target: str | None = None


async def activate(
    session: AsyncSession, *, item_id: int, location_id: int, on_hand: int | None
) -> InventoryLevel:
    """Start stocking an item at a location; ``on_hand`` units arrive with a ledger row."""
    problems: list[Problem] = []
    if await repository.get_item(session, item_id) is None:
        problems.append(Problem("NOT_FOUND", "inventory item not found", ("inventoryItemId",)))
    if await locations.get(session, location_id) is None:
        problems.append(Problem("NOT_FOUND", "location not found", ("locationId",)))
    if on_hand is not None and not 0 <= on_hand <= QUANTITY_MAX:
        problems.append(
            Problem("OUT_OF_RANGE", f"onHand must be between 0 and {QUANTITY_MAX}", ("onHand",))
        )
    if problems:
        raise DomainError(problems)
    existing = (await repository.levels_at(session, [(item_id, location_id)])).get(
        (item_id, location_id)
    )
    if existing is not None:
        if on_hand is not None:
            raise DomainError.single(
                "ALREADY_ACTIVE",
                "the item is already stocked at this location; adjust or set its quantities",
                ("onHand",),
            )
        return existing
    try:
        async with session.begin_nested():
            level = await repository.create_level(session, item_id=item_id, location_id=location_id)
    except IntegrityError:
        raise DomainError.single(
            "ALREADY_ACTIVE", "the item was just stocked at this location", ("locationId",)
        ) from None
    await record_event(
        session,
        EventType.INVENTORY_LEVEL_ACTIVATED,
        GlobalId("InventoryLevel", level.id),
        {
            "inventoryItemId": encode_gid("InventoryItem", item_id),
            "locationId": encode_gid("Location", location_id),
        },
    )
    if on_hand:
        await change_stock(
            session,
            [StockChange(level.id, {"on_hand": on_hand}, ("onHand",))],
            reason=InventoryReason.RECEIVED,
        )
    return level


def _check_name(
    name: str, allowed: Sequence[str], path: tuple[str, ...], problems: list[Problem]
) -> bool:
    if name in allowed:
        return True
    problems.append(
        Problem(
            "INVALID_QUANTITY_NAME",
            f"{name!r} can't be changed here; use one of {', '.join(allowed)}",
            path,
        )
    )
    return False


def _check_reference(reference: str | None, problems: list[Problem]) -> None:
    if reference is not None and not (0 < len(reference) <= REFERENCE_MAX and ":" in reference):
        problems.append(
            Problem(
                "INVALID",
                "referenceDocumentUri must be a URI with a scheme, "
                f"at most {REFERENCE_MAX} characters",
                ("input", "referenceDocumentUri"),
            )
        )


async def _levels_of(
    session: AsyncSession, lines: Sequence[QuantityChange], problems: list[Problem]
) -> list[int | None]:
    """The level of each line, or None with a NOT_FOUND/NOT_STOCKED problem."""
    if not lines:
        problems.append(Problem("BLANK", "give at least one change", ("input", "changes")))
    if len(lines) > MAX_CHANGES:
        problems.append(
            Problem("TOO_MANY", f"at most {MAX_CHANGES} changes at once", ("input", "changes"))
        )
        return []
    levels = await repository.levels_at(
        session, [(line.item_id, line.location_id) for line in lines]
    )
    missing_items = {line.item_id for line in lines} - {
        item.id for item in await repository.items_by_id(session, {line.item_id for line in lines})
    }
    missing_locations = {line.location_id for line in lines} - {
        row.id
        for row in await locations.get_many(session, list({line.location_id for line in lines}))
    }
    found: list[int | None] = []
    for index, line in enumerate(lines):
        path = ("input", "changes", str(index))
        level = levels.get((line.item_id, line.location_id))
        if line.item_id in missing_items:
            problems.append(
                Problem("NOT_FOUND", "inventory item not found", (*path, "inventoryItemId"))
            )
        elif line.location_id in missing_locations:
            problems.append(Problem("NOT_FOUND", "location not found", (*path, "locationId")))
        elif level is None:
            problems.append(
                Problem(
                    "NOT_STOCKED",
                    "the item is not stocked at this location; call inventoryActivate first",
                    (*path, "locationId"),
                )
            )
        found.append(level.id if level else None)
    return found


async def adjust_quantities(
    session: AsyncSession,
    *,
    name: str,
    reason: InventoryReason,
    reference_document_uri: str | None,
    changes: Sequence[QuantityChange],
) -> Applied:
    """Add deltas to one quantity at several levels, all or nothing."""
    problems: list[Problem] = []
    _check_name(name, ADJUSTABLE, ("input", "name"), problems)
    _check_reference(reference_document_uri, problems)
    levels = await _levels_of(session, changes, problems)
    for index, change in enumerate(changes):
        if change.amount == 0 or abs(change.amount) > QUANTITY_MAX:
            problems.append(
                Problem(
                    "INVALID_QUANTITY",
                    f"delta must be non-zero and at most {QUANTITY_MAX} either way",
                    ("input", "changes", str(index), "delta"),
                )
            )
    if problems:
        raise DomainError(problems)
    return await change_stock(
        session,
        [
            StockChange(
                level, adjustment(name, change.amount), ("input", "changes", str(index), "delta")
            )
            for index, (level, change) in enumerate(zip(levels, changes, strict=True))
            if level is not None
        ],
        reason=reason,
        reference_document_uri=reference_document_uri,
    )


async def set_quantities(
    session: AsyncSession,
    *,
    name: str,
    reason: InventoryReason,
    reference_document_uri: str | None,
    changes: Sequence[QuantityChange],
) -> Applied:
    """Set one quantity to absolute values; a ``compareQuantity`` that no longer matches
    refuses the whole batch (compare-and-swap), so two counts never silently overwrite."""
    problems: list[Problem] = []
    _check_name(name, ADJUSTABLE, ("input", "name"), problems)
    _check_reference(reference_document_uri, problems)
    levels = await _levels_of(session, changes, problems)
    seen: set[int] = set()
    for index, (level, change) in enumerate(zip(levels, changes, strict=True)):
        path = ("input", "quantities", str(index))
        if not 0 <= change.amount <= QUANTITY_MAX:
            problems.append(
                Problem(
                    "INVALID_QUANTITY",
                    f"quantity must be between 0 and {QUANTITY_MAX}",
                    (*path, "quantity"),
                )
            )
        if level is not None and level in seen:
            problems.append(
                Problem("DUPLICATE", "this level is set twice in one batch", (*path, "locationId"))
            )
        if level is not None:
            seen.add(level)
    if problems:
        raise DomainError([_quantities_path(p) for p in problems])
    stocked = [level for level in levels if level is not None]
    await release_expired_holds(session, level_ids=stocked, also_lock=stocked)
    current = await repository.lock_levels(session, stocked)
    stock_changes = []
    for index, (level, change) in enumerate(zip(levels, changes, strict=True)):
        assert level is not None
        now = current[level].quantities[name]
        path = ("input", "quantities", str(index))
        if change.compare_quantity is not None and change.compare_quantity != now:
            problems.append(
                Problem(
                    "STALE_COMPARE_QUANTITY",
                    f"{name} is {now}, not {change.compare_quantity}: "
                    "someone changed it; read it again",
                    (*path, "compareQuantity"),
                )
            )
        elif change.amount != now:
            stock_changes.append(
                StockChange(level, adjustment(name, change.amount - now), (*path, "quantity"))
            )
    if problems:
        raise DomainError(problems)
    return await change_stock(
        session,
        stock_changes,
        reason=reason,
        reference_document_uri=reference_document_uri,
        release_expired=False,
    )


def _quantities_path(problem: Problem) -> Problem:
    """Set mutations call their lines ``quantities``, not ``changes``."""
    if problem.field[:2] == ("input", "changes") and len(problem.field) > 2:
        return Problem(problem.code, problem.message, ("input", "quantities", *problem.field[2:]))
    if problem.field == ("input", "changes"):
        return Problem(problem.code, problem.message, ("input", "quantities"))
    return problem


async def move_quantities(
    session: AsyncSession,
    *,
    reason: InventoryReason,
    reference_document_uri: str | None,
    changes: Sequence[QuantityChange],
) -> Applied:
    """Move units between states at one location (e.g. available to damaged)."""
    problems: list[Problem] = []
    _check_reference(reference_document_uri, problems)
    levels = await _levels_of(session, changes, problems)
    for index, change in enumerate(changes):
        path = ("input", "changes", str(index))
        assert change.source is not None
        assert change.target is not None
        _check_name(change.source, MOVABLE_FROM, (*path, "from"), problems)
        _check_name(change.target, MOVABLE_TO, (*path, "to"), problems)
        if change.source == change.target:
            problems.append(Problem("INVALID", "from and to must differ", (*path, "to")))
        if not 0 < change.amount <= QUANTITY_MAX:
            problems.append(
                Problem(
                    "INVALID_QUANTITY",
                    f"quantity must be between 1 and {QUANTITY_MAX}",
                    (*path, "quantity"),
                )
            )
    if problems:
        raise DomainError(problems)
    return await change_stock(
        session,
        [
            StockChange(
                level,
                move(change.source or "", change.target or "", change.amount),
                ("input", "changes", str(index), "quantity"),
            )
            for index, (level, change) in enumerate(zip(levels, changes, strict=True))
            if level is not None
        ],
        reason=reason,
        reference_document_uri=reference_document_uri,
    )
