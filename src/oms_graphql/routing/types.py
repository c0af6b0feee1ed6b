"""What routing is asked and what it answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class LineDemand:
    """One order line to place."""

    index: int
    item_id: int | None
    quantity: int
    needs_level: bool
    """The location must stock the item (tracked items)."""
    needs_stock: bool
    """The location must have ``quantity`` available (tracked items that deny overselling)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A location that may fulfil the order, with what it has available of each item."""

    location_id: int
    name: str
    priority: int
    available: Mapping[int, int]
    """Item id -> units available, for the items this location stocks."""


@dataclass(frozen=True, slots=True)
class RoutingRequest:
    lines: Sequence[LineDemand]
    candidates: Sequence[Candidate]
    allow_split: bool = True


@dataclass(frozen=True, slots=True)
class RoutingResult:
    assignments: dict[int, list[int]] = field(default_factory=dict)
    """Location id -> indexes of the lines it fulfils, most preferred location first."""
    unroutable: list[int] = field(default_factory=list)
    """Indexes of lines no candidate could take; empty when the order can be fulfilled."""
    explanation: str = ""
