"""Quantity names and how each API-level change maps onto the stored quantities.

``available`` is never stored: it is ``on_hand`` minus every state that holds units back.
Changing a state a person counts (``damaged``, ``quality_control``, ...) by ``d`` means
units arrived or left in that state, so ``on_hand`` moves with it and ``available`` stays.
"""

from __future__ import annotations

from collections.abc import Mapping

from oms_graphql.models import STORED_QUANTITIES

AVAILABLE = "available"
QUANTITY_NAMES = (
    "on_hand",
    AVAILABLE,
    "committed",
    "reserved",
    "incoming",
    "damaged",
    "safety_stock",
    "quality_control",
)
HELD_BACK = ("committed", "reserved", "damaged", "safety_stock", "quality_control")
"""What ``on_hand`` holds that is not available to sell."""

ADJUSTABLE = ("available", "on_hand", "incoming", "damaged", "safety_stock", "quality_control")
"""Names people may adjust or set; committed and reserved move only with orders and holds."""
MOVABLE_FROM = ("available", "incoming", "damaged", "safety_stock", "quality_control")
MOVABLE_TO = ("available", "damaged", "safety_stock", "quality_control")

Deltas = dict[str, int]
"""Changes to stored quantities, by name."""


def available(quantities: Mapping[str, int]) -> int:
    return quantities["on_hand"] - sum(quantities[name] for name in HELD_BACK)


def with_available(stored: Mapping[str, int]) -> dict[str, int]:
    """Every quantity name, ``available`` derived."""
    return {**{name: stored[name] for name in STORED_QUANTITIES}, AVAILABLE: available(stored)}


def adjustment(name: str, delta: int) -> Deltas:
    """Stored deltas for ``inventoryAdjustQuantities`` of ``name`` by ``delta``."""
    if name in (AVAILABLE, "on_hand"):
        return {"on_hand": delta}
    if name == "incoming":
        return {"incoming": delta}
    return {name: delta, "on_hand": delta}


def move(source: str, target: str, quantity: int) -> Deltas:
    """Stored deltas for moving ``quantity`` units between two states at one location."""
    deltas: Deltas = {}
    if source == "incoming":
        deltas.update(incoming=-quantity, on_hand=quantity)
    elif source != AVAILABLE:
        deltas[source] = -quantity
    if target != AVAILABLE:
        deltas[target] = deltas.get(target, 0) + quantity
    return deltas


def available_delta(deltas: Mapping[str, int]) -> int:
    return deltas.get("on_hand", 0) - sum(deltas.get(name, 0) for name in HELD_BACK)


def merged(many: list[Deltas]) -> Deltas:
    total: Deltas = {}
    for deltas in many:
        for name, delta in deltas.items():
            total[name] = total.get(name, 0) + delta
    return {name: delta for name, delta in total.items() if delta}
