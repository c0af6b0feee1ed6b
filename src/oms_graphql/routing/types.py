"""What routing is asked and what it answers: plain values, no database."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple


class RuleType(enum.StrEnum):
    """The rules a ruleset applies, in the merchant's order.

    Filters (PICKUP_LOCATION, EXCLUDE_UNAVAILABLE, CAPACITY) remove locations; the others rank
    what is left, the earlier rule first, later rules breaking the earlier rules' ties.
    """

    PICKUP_LOCATION = "PICKUP_LOCATION"
    EXCLUDE_UNAVAILABLE = "EXCLUDE_UNAVAILABLE"
    CAPACITY = "CAPACITY"
    MINIMIZE_SPLITS = "MINIMIZE_SPLITS"
    CLOSEST = "CLOSEST"
    RANKED = "RANKED"
    SAME_COUNTRY = "SAME_COUNTRY"
    BALANCE_STOCK = "BALANCE_STOCK"


RANKING_RULES = frozenset(
    {
        RuleType.MINIMIZE_SPLITS,
        RuleType.CLOSEST,
        RuleType.RANKED,
        RuleType.SAME_COUNTRY,
        RuleType.BALANCE_STOCK,
    }
)


@dataclass(frozen=True, slots=True)
class Rule:
    type: RuleType
    enabled: bool = True


DEFAULT_LOCAL_DELIVERY_RADIUS_KM = 50.0


@dataclass(frozen=True, slots=True)
class Ruleset:
    """A version of the merchant's routing configuration."""

    version: int
    rules: tuple[Rule, ...]
    local_delivery_radius_km: float = DEFAULT_LOCAL_DELIVERY_RADIUS_KM
    """How far from the destination a location may be to deliver it locally."""

    def enabled(self, rule: RuleType) -> bool:
        return any(r.type == rule and r.enabled for r in self.rules)

    @property
    def ranking(self) -> tuple[RuleType, ...]:
        """The enabled ranking rules, most important first."""
        return tuple(r.type for r in self.rules if r.enabled and r.type in RANKING_RULES)


DEFAULT_RULESET = Ruleset(version=1, rules=tuple(Rule(rule) for rule in RuleType))
"""Out of the box: pickups go to the chosen store, unavailable and full locations are
skipped, then the fewest locations, the closest, the highest priority, the same country and
the most stock decide, in that order."""


class Delivery(enum.StrEnum):
    SHIPPING = "SHIPPING"
    PICKUP = "PICKUP"
    LOCAL_DELIVERY = "LOCAL_DELIVERY"


class Exclusion(enum.StrEnum):
    """Why a location could not take part in a decision."""

    INACTIVE = "INACTIVE"
    NOT_FULFILLING_ONLINE_ORDERS = "NOT_FULFILLING_ONLINE_ORDERS"
    CHANNEL_NOT_SERVED = "CHANNEL_NOT_SERVED"
    NO_STOCK = "NO_STOCK"
    CANNOT_FULFIL_EVERY_LINE = "CANNOT_FULFIL_EVERY_LINE"
    OVER_CAPACITY = "OVER_CAPACITY"
    NOT_PICKUP_LOCATION = "NOT_PICKUP_LOCATION"
    OUT_OF_LOCAL_DELIVERY_RANGE = "OUT_OF_LOCAL_DELIVERY_RANGE"
    NO_LOCAL_DELIVERY = "NO_LOCAL_DELIVERY"
    RESERVATION_ELSEWHERE = "RESERVATION_ELSEWHERE"
    EXCLUDED_BY_REQUEST = "EXCLUDED_BY_REQUEST"
    NOT_INCLUDED_BY_REQUEST = "NOT_INCLUDED_BY_REQUEST"


class Strategy(enum.StrEnum):
    """The shape of a decision."""

    SINGLE_LOCATION = "SINGLE_LOCATION"
    SPLIT = "SPLIT"
    PICKUP = "PICKUP"
    UNROUTABLE = "UNROUTABLE"


@dataclass(frozen=True, slots=True)
class LineDemand:
    """One order line to place; decisions name lines by their position in the request."""

    item_id: int | None
    quantity: int
    needs_level: bool
    """The location must stock the item (tracked items)."""
    needs_stock: bool
    """The location must have ``quantity`` available (tracked items that deny overselling)."""
    sku: str | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A location that might fulfil the order, with what it has available of each item."""

    location_id: int
    name: str
    priority: int
    available: Mapping[int, int]
    """Item id -> units available, for the items this location stocks."""
    country_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    is_active: bool = True
    fulfills_online_orders: bool = True
    serves_channel: bool = True
    is_fulfillment_service: bool = False
    daily_order_capacity: int | None = None
    orders_today: int = 0
    """Fulfillment orders assigned to it since the start of the UTC day."""


@dataclass(frozen=True, slots=True)
class Destination:
    """Where the goods go; without coordinates the country's centre stands in."""

    country_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class RoutingRequest:
    lines: Sequence[LineDemand]
    candidates: Sequence[Candidate]
    allow_split: bool = True
    destination: Destination = field(default_factory=Destination)
    delivery: Delivery = Delivery.SHIPPING
    pickup_location_id: int | None = None
    ruleset: Ruleset = DEFAULT_RULESET
    excluded_location_ids: frozenset[int] = frozenset()
    included_location_ids: frozenset[int] | None = None
    """When set, only these locations may be chosen (a reroute's choice)."""
    reserved_location_id: int | None = None
    """The location where the order's reservation holds its stock: the only one allowed."""
    channel: str | None = None
    """The order's channel handle, for explanations."""


class Score(NamedTuple):
    rule: RuleType
    score: float


class CandidateReport(NamedTuple):
    """How one location fared (a named tuple: a decision makes one per location)."""

    location_id: int
    name: str
    exclusions: tuple[Exclusion, ...] = ()
    excluded_because: str | None = None
    scores: tuple[Score, ...] = ()
    rank: int | None = None
    """1 for the location ranked first among the eligible ones; None when excluded."""

    @property
    def eligible(self) -> bool:
        return not self.exclusions


@dataclass(frozen=True, slots=True)
class Assignment:
    location_id: int
    line_indexes: tuple[int, ...]
    reason: str
    """Why this location took these lines, in a merchant's words."""


@dataclass(frozen=True, slots=True)
class Decision:
    strategy: Strategy
    ruleset_version: int
    assignments: tuple[Assignment, ...] = ()
    """Most preferred location first."""
    candidates: tuple[CandidateReport, ...] = ()
    unroutable: tuple[int, ...] = ()
    """Indexes of lines no eligible location could take; empty when the order is routed."""
    explanation: str = ""

    @property
    def split_count(self) -> int:
        """Locations beyond the first: 0 when one location ships everything."""
        return max(0, len(self.assignments) - 1)

    def lines_of(self, location_id: int) -> tuple[int, ...]:
        for assignment in self.assignments:
            if assignment.location_id == location_id:
                return assignment.line_indexes
        return ()
