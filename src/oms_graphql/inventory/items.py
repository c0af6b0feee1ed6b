"""Rules for inventory items: a unique SKU, a title, a price, how stock limits sales."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.currencies import MINOR_UNITS, amount_problem
from oms_graphql.db import utcnow
from oms_graphql.errors import DomainError, Problem, api_name
from oms_graphql.events import EventType, record_event
from oms_graphql.ids import GlobalId
from oms_graphql.inventory import repository
from oms_graphql.models import InventoryItem, InventoryPolicy, WeightUnit
from oms_graphql.unset import UNSET, Unset

SKU = re.compile(r"^[^\s\x00-\x1f\x7f]{1,255}$")
TITLE_MAX = 255
QUANTITY_MAX = 1_000_000_000
"""The largest quantity one input may name: far beyond any real stock, far below overflow."""


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency_code: str


@dataclass(frozen=True, slots=True)
class ItemFields:
    """What inventoryItemCreate and inventoryItemUpdate accept; ``UNSET`` means "not given"."""

    sku: str | Unset = UNSET
    title: str | Unset = UNSET
    unit_price: Money | Unset | None = UNSET
    tracked: bool | Unset = UNSET
    inventory_policy: InventoryPolicy | Unset = UNSET
    low_stock_threshold: int | Unset | None = UNSET
    weight_value: float | Unset | None = UNSET
    weight_unit: WeightUnit | Unset | None = UNSET


def _check_price(price: Money, problems: list[Problem]) -> None:
    path = ("input", "unitPrice")
    if price.currency_code not in MINOR_UNITS:
        problems.append(
            Problem(
                "INVALID",
                f"{price.currency_code!r} is not a currency code",
                (*path, "currencyCode"),
            )
        )
        return
    problem = amount_problem(price.amount, price.currency_code, (*path, "amount"), code="INVALID")
    if problem is not None:
        problems.append(problem)


async def _validated(
    session: AsyncSession, given: ItemFields, *, item_id: int | None
) -> dict[str, object]:
    problems: list[Problem] = []
    changes: dict[str, object] = {}
    if given.sku is not UNSET:
        sku = given.sku.strip()
        if not sku:
            problems.append(Problem("BLANK", "sku can't be blank", ("input", "sku")))
        elif not SKU.match(sku):
            problems.append(
                Problem(
                    "INVALID",
                    "sku must be at most 255 characters, without spaces or control characters",
                    ("input", "sku"),
                )
            )
        elif await repository.sku_taken(session, sku, except_id=item_id):
            problems.append(Problem("TAKEN", f"an item with SKU {sku} exists", ("input", "sku")))
        changes["sku"] = sku
    if given.title is not UNSET:
        title = given.title.strip()
        if not title:
            problems.append(Problem("BLANK", "title can't be blank", ("input", "title")))
        elif len(title) > TITLE_MAX:
            problems.append(
                Problem(
                    "TOO_LONG", f"title is longer than {TITLE_MAX} characters", ("input", "title")
                )
            )
        changes["title"] = title
    if given.unit_price is not UNSET:
        if given.unit_price is not None:
            _check_price(given.unit_price, problems)
        changes["unit_price"] = given.unit_price.amount if given.unit_price else None
        changes["currency_code"] = given.unit_price.currency_code if given.unit_price else None
    for name in ("tracked", "inventory_policy"):
        value = getattr(given, name)
        if value is not UNSET:
            changes[name] = value
    if given.low_stock_threshold not in (UNSET, None):
        assert isinstance(given.low_stock_threshold, int)
        if not 0 <= given.low_stock_threshold <= QUANTITY_MAX:
            problems.append(
                Problem(
                    "OUT_OF_RANGE",
                    f"lowStockThreshold must be between 0 and {QUANTITY_MAX}",
                    ("input", "lowStockThreshold"),
                )
            )
    if given.low_stock_threshold is not UNSET:
        changes["low_stock_threshold"] = given.low_stock_threshold
    if given.weight_value is not UNSET:
        weight = given.weight_value
        if weight is not None and not 0 <= weight <= 1e9:
            problems.append(
                Problem(
                    "OUT_OF_RANGE",
                    "weight must be between 0 and 10^9",
                    ("input", "weight", "value"),
                )
            )
        changes["weight_value"] = weight
        changes["weight_unit"] = given.weight_unit if weight is not None else None
    if problems:
        raise DomainError(problems)
    return changes


async def _flush_or_taken(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError:
        raise DomainError.single(
            "TAKEN", "an item with this SKU exists", ("input", "sku")
        ) from None


async def create_item(session: AsyncSession, *, given: ItemFields) -> InventoryItem:
    """A new item; ``sku`` and ``title`` are required, the SKU unique (exactly as written)."""
    missing = [
        Problem("BLANK", f"{api_name(name)} is required", ("input", api_name(name)))
        for name in ("sku", "title")
        if getattr(given, name) is UNSET
    ]
    if missing:
        raise DomainError(missing)
    item = InventoryItem(tracked=True, inventory_policy=InventoryPolicy.DENY)
    for name, value in (await _validated(session, given, item_id=None)).items():
        setattr(item, name, value)
    session.add(item)
    await _flush_or_taken(session)
    await record_event(
        session,
        EventType.INVENTORY_ITEM_CREATED,
        GlobalId("InventoryItem", item.id),
        {"sku": item.sku},
    )
    return item


async def update_item(session: AsyncSession, *, item_id: int, given: ItemFields) -> InventoryItem:
    item = await repository.get_item(session, item_id, for_update=True)
    if item is None:
        raise DomainError.single("NOT_FOUND", "inventory item not found", ("id",))
    changes = await _validated(session, given, item_id=item_id)
    changed = {name: value for name, value in changes.items() if getattr(item, name) != value}
    if not changed:
        return item
    for name, value in changed.items():
        setattr(item, name, value)
    item.updated_at = utcnow()
    await _flush_or_taken(session)
    await record_event(
        session,
        EventType.INVENTORY_ITEM_UPDATED,
        GlobalId("InventoryItem", item.id),
        {"changed": sorted({api_name(name) for name in changed})},
    )
    return item
