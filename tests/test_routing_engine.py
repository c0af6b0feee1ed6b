"""The routing engine without a database: which locations fulfil an order's lines, and why."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import pytest

from oms_graphql.country_centroids import centroid
from oms_graphql.geo import distance_km
from oms_graphql.routing import (
    DEFAULT_RULESET,
    Candidate,
    CandidateReport,
    Decision,
    Delivery,
    Destination,
    Exclusion,
    LineDemand,
    RoutingRequest,
    Rule,
    Ruleset,
    RuleType,
    Strategy,
    decide,
)

SEED = 20240611

Point = tuple[float, float]

ROME: Point = (41.9028, 12.4964)
FRASCATI: Point = (41.8086, 12.6806)  # 18.5 km from Rome
NAPLES: Point = (40.8518, 14.2681)  # 188.4 km from Rome
MILAN: Point = (45.4642, 9.1900)  # 476.9 km from Rome
PARIS: Point = (48.8566, 2.3522)
NICE: Point = (43.7102, 7.2620)


# helpers


def deny(index: int, item_id: int, quantity: int = 1, sku: str | None = None) -> LineDemand:
    """A tracked line that must not oversell: the location needs the units available.

    ``index`` (the line's position in the request, as the engine counts) keeps the tests
    readable; the engine does not take it."""
    return LineDemand(item_id, quantity, needs_level=True, needs_stock=True, sku=sku)


def keep_selling(index: int, item_id: int, quantity: int = 1) -> LineDemand:
    """A tracked line that may oversell: the location only needs to stock the item."""
    return LineDemand(item_id, quantity, needs_level=True, needs_stock=False)


def untracked(index: int, item_id: int | None = None, quantity: int = 1) -> LineDemand:
    return LineDemand(item_id, quantity, needs_level=False, needs_stock=False)


def location(
    location_id: int,
    priority: int = 0,
    stock: Mapping[int, int] | None = None,
    *,
    name: str | None = None,
    at: Point | None = None,
    country: str | None = None,
) -> Candidate:
    return Candidate(
        location_id,
        name or f"Location {location_id}",
        priority,
        dict(stock or {}),
        country_code=country,
        latitude=at[0] if at else None,
        longitude=at[1] if at else None,
    )


def rules(*types: RuleType, version: int = 7, radius_km: float = 50.0) -> Ruleset:
    """A ruleset with only ``types`` enabled, in that order."""
    return Ruleset(version, tuple(Rule(rule) for rule in types), local_delivery_radius_km=radius_km)


def without(rule: RuleType) -> Ruleset:
    """The default ruleset with ``rule`` disabled."""
    return replace(
        DEFAULT_RULESET,
        rules=tuple(Rule(r.type, r.type != rule) for r in DEFAULT_RULESET.rules),
    )


BY_PRIORITY = rules(RuleType.MINIMIZE_SPLITS, RuleType.RANKED, version=2)
"""The old interim rule: one location if possible, else the fewest; priority decides."""


def route(
    lines: Sequence[LineDemand],
    candidates: Sequence[Candidate],
    *,
    ruleset: Ruleset = DEFAULT_RULESET,
    **options: Any,
) -> Decision:
    return decide(RoutingRequest(lines, candidates, ruleset=ruleset, **options))


def by_priority(
    lines: Sequence[LineDemand], candidates: Sequence[Candidate], **options: Any
) -> Decision:
    return route(lines, candidates, ruleset=BY_PRIORITY, **options)


def address(point: Point, country: str | None = None) -> Destination:
    return Destination(country, point[0], point[1])


def placed(decision: Decision) -> dict[int, tuple[int, ...]]:
    """Location id -> line indexes, in the order the locations were chosen."""
    return {a.location_id: a.line_indexes for a in decision.assignments}


def report(decision: Decision, location_id: int) -> CandidateReport:
    (found,) = (r for r in decision.candidates if r.location_id == location_id)
    return found


def score(decision: Decision, location_id: int, rule: RuleType) -> float | None:
    for s in report(decision, location_id).scores:
        if s.rule == rule:
            return s.score
    return None


def km(a: Point, b: Point) -> float:
    return round(distance_km(a[0], a[1], b[0], b[1]), 1)


# one location for everything (ported from the interim rule, with priority deciding)


def test_the_highest_priority_location_that_can_serve_every_line_wins() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2)]
    candidates = [
        location(1, priority=1, stock={1: 5, 2: 5}),
        location(2, priority=5, stock={1: 5, 2: 5}),
        location(3, priority=3, stock={1: 5, 2: 5}),
    ]

    decision = by_priority(lines, candidates)

    assert placed(decision) == {2: (0, 1)}
    assert decision.unroutable == ()
    assert decision.strategy == Strategy.SINGLE_LOCATION
    assert (
        "Location 2 fulfils every line: the highest priority (5; Location 3 has 3), "
        "after tying on fewest locations." in decision.explanation
    )


def test_a_higher_priority_location_that_cannot_serve_every_line_is_passed_over() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2)]
    candidates = [
        location(1, priority=9, stock={1: 5}),
        location(2, priority=1, stock={1: 5, 2: 5}),
    ]

    assert placed(by_priority(lines, candidates)) == {2: (0, 1)}


def test_a_negative_priority_is_less_preferred_than_the_default() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [location(1, priority=-1, stock={1: 1}), location(2, priority=0, stock={1: 1})]

    assert placed(by_priority(lines, candidates)) == {2: (0,)}


def test_equal_priorities_break_by_the_lowest_location_id() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [
        location(7, priority=2, stock={1: 1}),
        location(3, priority=2, stock={1: 1}),
        location(5, priority=2, stock={1: 1}),
        location(1, priority=1, stock={1: 1}),
    ]

    decision = by_priority(lines, candidates)

    assert placed(decision) == {3: (0,)}
    assert "equal to Location 5 on every rule, so the lower location id decides" in (
        decision.assignments[0].reason
    )


# what a location needs to serve a line


def test_a_location_without_enough_stock_for_a_deny_line_is_skipped() -> None:
    lines = [deny(0, item_id=1, quantity=3)]
    candidates = [location(1, priority=9, stock={1: 2}), location(2, priority=0, stock={1: 3})]

    decision = by_priority(lines, candidates)

    assert placed(decision) == {2: (0,)}
    assert report(decision, 1).exclusions == (Exclusion.NO_STOCK,)


def test_exactly_the_quantity_available_is_enough_for_a_deny_line() -> None:
    lines = [deny(0, item_id=1, quantity=3)]

    assert placed(by_priority(lines, [location(1, stock={1: 3})])) == {1: (0,)}


def test_a_location_not_stocking_the_item_of_a_deny_line_is_skipped() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [location(1, priority=9, stock={2: 100}), location(2, priority=0, stock={1: 1})]

    assert placed(by_priority(lines, candidates)) == {2: (0,)}


def test_a_line_that_may_oversell_only_needs_the_item_stocked() -> None:
    lines = [keep_selling(0, item_id=1, quantity=10)]
    candidates = [
        location(1, priority=9, stock={2: 100}),  # does not stock item 1
        location(2, priority=5, stock={1: 0}),  # stocks it, none available
        location(3, priority=0, stock={1: 50}),
    ]

    decision = by_priority(lines, candidates)

    assert placed(decision) == {2: (0,)}
    assert decision.unroutable == ()
    assert report(decision, 1).exclusions == (Exclusion.NO_STOCK,)


def test_a_line_that_may_oversell_is_unroutable_where_no_location_stocks_the_item() -> None:
    lines = [keep_selling(0, item_id=1)]

    decision = by_priority(lines, [location(1, stock={2: 5}), location(2, stock={3: 5})])

    assert decision.unroutable == (0,)
    assert decision.assignments == ()
    assert decision.strategy == Strategy.UNROUTABLE


def test_untracked_lines_fit_at_any_location() -> None:
    lines = [untracked(0, item_id=1, quantity=99), untracked(1, item_id=None)]
    candidates = [location(1, priority=0, stock={1: 500}), location(2, priority=4)]

    decision = by_priority(lines, candidates)

    assert placed(decision) == {2: (0, 1)}
    assert decision.unroutable == ()


def test_untracked_lines_follow_the_tracked_lines_to_their_location() -> None:
    lines = [untracked(0), deny(1, item_id=1), untracked(2)]
    candidates = [location(1, priority=9), location(2, priority=0, stock={1: 1})]

    assert placed(by_priority(lines, candidates)) == {2: (0, 1, 2)}


@pytest.mark.parametrize("first", [RuleType.RANKED, RuleType.CLOSEST])
def test_untracked_lines_follow_the_tracked_lines_whatever_rule_comes_first(
    first: RuleType,
) -> None:
    lines = [deny(0, item_id=1), untracked(1)]
    candidates = [
        location(1, priority=9, at=ROME, name="Empty shop"),  # nothing of item 1
        location(2, priority=1, stock={1: 1}, at=MILAN, name="Warehouse"),
    ]

    decision = route(
        lines, candidates, ruleset=rules(first, RuleType.MINIMIZE_SPLITS), destination=address(ROME)
    )

    assert placed(decision) == {2: (0, 1)}
    assert decision.strategy == Strategy.SINGLE_LOCATION


def test_two_lines_of_the_same_item_share_the_location_stock() -> None:
    lines = [deny(0, item_id=1, quantity=3), deny(1, item_id=1, quantity=3)]
    candidates = [
        location(1, priority=9, stock={1: 5}),  # 3 + 3 > 5
        location(2, priority=0, stock={1: 6}),
    ]

    assert placed(by_priority(lines, candidates)) == {2: (0, 1)}


def test_lines_that_may_oversell_do_not_use_up_the_stock_of_deny_lines() -> None:
    lines = [keep_selling(0, item_id=1, quantity=5), deny(1, item_id=1, quantity=5)]

    assert placed(by_priority(lines, [location(1, stock={1: 5})])) == {1: (0, 1)}


def test_lines_of_the_same_item_that_cannot_share_one_location_are_split() -> None:
    lines = [deny(0, item_id=1, quantity=3), deny(1, item_id=1, quantity=3)]
    candidates = [location(1, priority=2, stock={1: 5}), location(2, priority=1, stock={1: 5})]

    decision = by_priority(lines, candidates)

    assert placed(decision) == {1: (0,), 2: (1,)}
    assert decision.unroutable == ()
    assert decision.strategy == Strategy.SPLIT


# splitting


def test_a_split_uses_the_fewest_locations_not_the_highest_priority_ones() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2), deny(2, item_id=3), deny(3, item_id=4)]
    candidates = [
        location(10, priority=9, stock={1: 1}),
        location(11, priority=8, stock={2: 1}),
        location(12, priority=0, stock={1: 1, 2: 1}),
        location(13, priority=0, stock={3: 1, 4: 1}),
    ]

    decision = by_priority(lines, candidates)

    assert placed(decision) == {12: (0, 1), 13: (2, 3)}
    assert decision.unroutable == ()


def test_a_split_first_takes_the_location_serving_the_most_open_lines() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2), deny(2, item_id=3), deny(3, item_id=4)]
    candidates = [
        location(1, priority=9, stock={4: 1}),
        location(2, priority=0, stock={1: 1, 2: 1, 3: 1}),
        location(3, priority=5, stock={3: 1, 4: 1}),
    ]

    decision = by_priority(lines, candidates)

    # location 2 (priority 0) takes three lines first; the last line then goes to the
    # highest-priority location that can take it
    assert [a.location_id for a in decision.assignments] == [2, 1]
    assert placed(decision) == {2: (0, 1, 2), 1: (3,)}
    assert decision.assignments[0].reason == (
        "it can fulfil 3 of the 4 open lines, more than any other"
    )
    assert decision.assignments[1].reason == (
        "the highest priority (9; Location 3 has 5), after tying on fewest locations"
    )


def test_a_split_names_the_locations_it_chose_in_its_explanation() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2), deny(2, item_id=3)]
    candidates = [
        Candidate(1, "Milan", 3, {1: 1, 2: 1}),
        Candidate(2, "Rome", 1, {3: 1}),
        Candidate(3, "Turin", 0, {}),
    ]

    decision = by_priority(lines, candidates)

    assert placed(decision) == {1: (0, 1), 2: (2,)}
    assert (
        "No single eligible location can fulfil every line, so the order is split across "
        "2 locations: Milan takes line 1 × 1, line 2 × 1: it can fulfil 2 of the 3 open lines, "
        "more than any other; Rome takes line 3 × 1: the only location able to take what was "
        "left." in decision.explanation
    )
    assert "Excluded: Turin (priority 0): not enough stock for any line" in decision.explanation


def test_a_split_breaks_ties_on_line_count_by_priority_then_location_id() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2), deny(2, item_id=3)]
    candidates = [
        location(4, priority=1, stock={1: 1}),
        location(9, priority=3, stock={2: 1}),
        location(6, priority=1, stock={3: 1}),
    ]

    decision = by_priority(lines, candidates)

    assert [a.location_id for a in decision.assignments] == [9, 4, 6]
    assert placed(decision) == {9: (1,), 4: (0,), 6: (2,)}


def test_a_split_never_divides_a_line_between_locations() -> None:
    lines = [deny(0, item_id=1, quantity=4)]
    candidates = [location(1, stock={1: 2}), location(2, stock={1: 2})]

    decision = by_priority(lines, candidates)

    assert decision.assignments == ()
    assert decision.unroutable == (0,)


def test_a_split_counts_the_most_lines_a_location_can_take_not_the_first_that_fit() -> None:
    """Location 1 can take lines 1 and 2 together (2 + 2 of its 4 units): the most open lines.

    Location 2 then takes line 0 with its 3 units. Filling location 1 in line order instead
    (line 0 first, 3 of its 4 units) leaves it a count of 1 and strands line 2.
    """
    lines = [
        deny(0, item_id=1, quantity=3),
        deny(1, item_id=1, quantity=2),
        deny(2, item_id=1, quantity=2),
    ]
    candidates = [location(1, stock={1: 4}), location(2, stock={1: 3})]

    decision = by_priority(lines, candidates)

    assert decision.unroutable == ()
    assert placed(decision) == {1: (1, 2), 2: (0,)}


# unroutable lines


def test_lines_no_location_can_serve_come_back_unroutable() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=9), keep_selling(2, item_id=8), untracked(3)]
    candidates = [location(1, stock={1: 1}), location(2, stock={2: 1})]

    decision = by_priority(lines, candidates)

    assert decision.unroutable == (1, 2)
    assert placed(decision) == {1: (0, 3)}
    assert decision.strategy == Strategy.UNROUTABLE
    assert decision.explanation.endswith(
        "line 2 × 1, line 3 × 1 cannot be fulfilled: no eligible location has enough available."
    )


def test_a_line_left_without_stock_by_the_other_lines_comes_back_unroutable() -> None:
    lines = [deny(0, item_id=1, quantity=3), deny(1, item_id=1, quantity=3)]

    decision = by_priority(lines, [location(1, stock={1: 5})])

    assert placed(decision) == {1: (0,)}
    assert decision.unroutable == (1,)


def test_with_no_candidates_every_line_is_unroutable() -> None:
    lines = [deny(0, item_id=1), untracked(1)]

    for allow_split in (True, False):
        decision = by_priority(lines, [], allow_split=allow_split)
        assert decision.unroutable == (0, 1)
        assert decision.strategy == Strategy.UNROUTABLE
        assert "0 of 0 locations were eligible." in decision.explanation


def test_lines_are_named_by_sku_in_the_explanation() -> None:
    lines = [deny(0, item_id=1, quantity=2, sku="MUG-RED"), deny(1, item_id=2, sku="MUG-BLUE")]

    decision = by_priority(lines, [location(1, stock={1: 2})])

    assert decision.unroutable == (1,)
    assert "MUG-BLUE × 1 cannot be fulfilled" in decision.explanation


def test_an_empty_order_has_nothing_to_route_and_blames_no_location() -> None:
    decision = by_priority([], [location(1, stock={1: 1})])

    assert decision.explanation == "There is nothing to fulfil."
    assert decision.strategy == Strategy.UNROUTABLE
    assert decision.candidates == ()


# MINIMIZE_SPLITS first, or CLOSEST first


def test_with_fewest_locations_first_one_location_with_everything_beats_a_closer_split() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2)]
    candidates = [
        location(1, priority=9, stock={1: 1}, at=ROME, name="Rome"),
        location(2, priority=9, stock={2: 1}, at=FRASCATI, name="Frascati"),
        location(3, priority=0, stock={1: 1, 2: 1}, at=MILAN, name="Milan"),
    ]

    decision = route(lines, candidates, destination=address(ROME))

    assert placed(decision) == {3: (0, 1)}
    assert decision.strategy == Strategy.SINGLE_LOCATION
    assert decision.split_count == 0
    assert (
        "Milan fulfils every line: it can fulfil every line, so the order ships in one piece."
        in (decision.explanation)
    )


def test_with_closest_first_the_closest_location_takes_what_it_can_and_the_order_splits() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2)]
    candidates = [
        location(1, priority=0, stock={1: 1}, at=ROME, name="Rome"),
        location(2, priority=9, stock={1: 1, 2: 1}, at=MILAN, name="Milan"),
    ]
    closest_first = rules(RuleType.CLOSEST, RuleType.MINIMIZE_SPLITS, RuleType.RANKED)

    decision = route(lines, candidates, ruleset=closest_first, destination=address(ROME))

    assert placed(decision) == {1: (0,), 2: (1,)}
    assert decision.strategy == Strategy.SPLIT
    assert decision.split_count == 1
    assert decision.assignments[0].reason == (
        f"the closest at 0.0 km (Milan is {km(ROME, MILAN):,.1f} km away)"
    )
    assert decision.explanation.startswith(
        "Routing ruleset version 7 ranks locations by closest, then fewest locations, "
        "then highest priority."
    )


# CLOSEST


def test_the_closest_location_wins_among_equals() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [
        location(1, stock={1: 1}, at=MILAN, name="Milan"),
        location(2, stock={1: 1}, at=NAPLES, name="Naples"),
        location(3, stock={1: 1}, at=PARIS, name="Paris"),
    ]

    decision = route(lines, candidates, destination=address(ROME, "IT"))

    assert placed(decision) == {2: (0,)}
    assert decision.assignments[0].reason == (
        f"the closest at {km(ROME, NAPLES):,.1f} km (Milan is {km(ROME, MILAN):,.1f} km away), "
        "after tying on fewest locations"
    )
    assert score(decision, 3, RuleType.CLOSEST) == km(ROME, PARIS)
    assert "centre of" not in decision.explanation


def test_without_destination_coordinates_the_destination_country_centre_is_used() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [
        location(1, stock={1: 1}, at=MILAN, name="Milan"),
        location(2, stock={1: 1}, at=ROME, name="Rome"),
    ]
    italy = centroid("IT")
    assert italy is not None

    decision = route(lines, candidates, destination=Destination("IT"))

    assert placed(decision) == {2: (0,)}
    assert score(decision, 2, RuleType.CLOSEST) == km(italy, ROME)
    assert score(decision, 1, RuleType.CLOSEST) == km(italy, MILAN)
    assert (
        "The address has no coordinates, so distances are measured from the centre of IT."
        in decision.explanation
    )


def test_a_candidate_without_coordinates_is_placed_at_its_country_centre() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [
        location(1, stock={1: 1}, at=MILAN, name="Milan"),
        location(2, stock={1: 1}, country="FR", name="Somewhere in France"),
    ]
    france = centroid("FR")
    assert france is not None

    decision = route(lines, candidates, destination=address(PARIS, "FR"))

    assert placed(decision) == {2: (0,)}
    assert score(decision, 2, RuleType.CLOSEST) == km(PARIS, france)


def test_a_candidate_with_no_known_place_comes_last_on_distance_without_a_score() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [
        location(1, stock={1: 1}, name="Nowhere"),
        location(2, stock={1: 1}, at=PARIS, name="Paris"),
    ]

    decision = route(lines, candidates, destination=address(ROME))

    assert placed(decision) == {2: (0,)}
    assert score(decision, 1, RuleType.CLOSEST) is None
    assert score(decision, 2, RuleType.CLOSEST) == km(ROME, PARIS)


def test_without_any_destination_distance_does_not_decide() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [
        location(1, priority=1, stock={1: 1}, at=MILAN),
        location(2, priority=5, stock={1: 1}, at=ROME),
    ]

    decision = route(lines, candidates, ruleset=rules(RuleType.CLOSEST, RuleType.RANKED))

    assert placed(decision) == {2: (0,)}
    assert "highest priority" in decision.assignments[0].reason
    assert score(decision, 1, RuleType.CLOSEST) is None


# RANKED


def test_ranked_prefers_the_higher_priority_over_the_closer_when_first() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [
        location(1, priority=1, stock={1: 1}, at=ROME),
        location(2, priority=5, stock={1: 1}, at=MILAN),
    ]

    decision = route(
        lines,
        candidates,
        ruleset=rules(RuleType.RANKED, RuleType.CLOSEST),
        destination=address(ROME),
    )

    assert placed(decision) == {2: (0,)}
    assert decision.assignments[0].reason == "the highest priority (5; Location 1 has 1)"


def test_a_top_priority_location_without_stock_is_excluded_and_named_in_the_explanation() -> None:
    lines = [deny(0, item_id=1, sku="TSHIRT-M")]
    candidates = [
        location(1, priority=10, stock={1: 0}, name="Flagship"),
        location(2, priority=1, stock={1: 5}, name="Depot"),
    ]

    decision = route(lines, candidates)

    assert placed(decision) == {2: (0,)}
    flagship = report(decision, 1)
    assert flagship.exclusions == (Exclusion.NO_STOCK,)
    assert not flagship.eligible
    assert flagship.rank is None
    assert flagship.excluded_because is not None
    assert "stock" in flagship.excluded_because
    assert (
        "Excluded: Flagship (priority 10): not enough stock for any line (needs TSHIRT-M × 1)."
        in decision.explanation
    )
    assert "1 of 2 locations was eligible." in decision.explanation


def test_the_explanation_lists_five_excluded_locations_by_priority_and_counts_the_rest() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [location(i, priority=i, name=f"Shop {i}") for i in range(1, 8)]
    candidates.append(location(8, priority=0, stock={1: 1}, name="Depot"))

    decision = route(lines, candidates)

    assert placed(decision) == {8: (0,)}
    assert "Excluded: Shop 7 (priority 7)" in decision.explanation
    assert "Shop 3 (priority 3)" in decision.explanation
    assert "Shop 2 (priority 2)" not in decision.explanation
    assert "; and 2 more." in decision.explanation


# SAME_COUNTRY and BALANCE_STOCK


def test_same_country_prefers_a_location_in_the_destination_country() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [
        location(1, priority=9, stock={1: 1}, country="FR"),
        location(2, priority=0, stock={1: 1}, country="IT"),
        location(3, priority=5, stock={1: 1}),  # country unknown: not the destination's
    ]
    same_country = rules(RuleType.SAME_COUNTRY, RuleType.RANKED)

    decision = route(lines, candidates, ruleset=same_country, destination=Destination("IT"))

    assert placed(decision) == {2: (0,)}
    assert decision.assignments[0].reason == "in the destination's country (IT)"
    assert [report(decision, i).rank for i in (1, 2, 3)] == [2, 1, 3]
    assert score(decision, 1, RuleType.SAME_COUNTRY) == 0.0
    assert score(decision, 2, RuleType.SAME_COUNTRY) == 1.0


def test_same_country_prefers_no_one_without_a_destination_country() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [
        location(1, priority=9, stock={1: 1}, country="FR"),
        location(2, priority=0, stock={1: 1}, country="IT"),
    ]
    same_country = rules(RuleType.SAME_COUNTRY, RuleType.RANKED)

    decision = route(lines, candidates, ruleset=same_country)

    assert placed(decision) == {1: (0,)}
    assert score(decision, 1, RuleType.SAME_COUNTRY) is None


def test_balance_stock_prefers_the_most_units_of_the_ordered_items() -> None:
    lines = [deny(0, item_id=1), keep_selling(1, item_id=2), untracked(2, item_id=3)]
    candidates = [
        location(1, stock={1: 3, 2: 3, 3: 900, 4: 900}),  # 6 of items 1 and 2
        location(2, stock={1: 5, 2: 2}),  # 7
        location(3, stock={1: 1, 2: 1}),  # 2
    ]

    decision = route(lines, candidates, ruleset=rules(RuleType.BALANCE_STOCK))

    assert placed(decision) == {2: (0, 1, 2)}
    assert decision.assignments[0].reason == (
        "the most stock of the ordered items (7 units; Location 1 has 6)"
    )
    assert [score(decision, i, RuleType.BALANCE_STOCK) for i in (1, 2, 3)] == [6.0, 7.0, 2.0]
    assert [report(decision, i).rank for i in (1, 2, 3)] == [2, 1, 3]


def test_balance_stock_counts_an_item_ordered_on_two_lines_once() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=1)]
    candidates = [location(1, stock={1: 4}), location(2, stock={1: 5})]

    decision = route(lines, candidates, ruleset=rules(RuleType.BALANCE_STOCK))

    assert placed(decision) == {2: (0, 1)}
    assert score(decision, 2, RuleType.BALANCE_STOCK) == 5.0


# EXCLUDE_UNAVAILABLE


def unavailable_locations() -> list[Candidate]:
    stock = {1: 1}
    return [
        replace(location(1, priority=9, stock=stock), is_active=False),
        replace(location(2, priority=8, stock=stock), fulfills_online_orders=False),
        replace(location(3, priority=7, stock=stock), serves_channel=False),
        location(4, priority=0, stock=stock),
    ]


def test_unavailable_locations_are_excluded_with_their_reasons() -> None:
    decision = route([deny(0, item_id=1)], unavailable_locations())

    assert placed(decision) == {4: (0,)}
    assert [report(decision, i).exclusions for i in (1, 2, 3)] == [
        (Exclusion.INACTIVE,),
        (Exclusion.NOT_FULFILLING_ONLINE_ORDERS,),
        (Exclusion.CHANNEL_NOT_SERVED,),
    ]
    assert [report(decision, i).excluded_because for i in (1, 2, 3)] == [
        "inactive",
        "does not fulfil online orders",
        "does not serve the order's channel",
    ]
    assert [report(decision, i).rank for i in (1, 2, 3, 4)] == [None, None, None, 1]


def test_with_exclude_unavailable_off_only_inactive_locations_stay_excluded() -> None:
    decision = route(
        [deny(0, item_id=1)],
        unavailable_locations(),
        ruleset=without(RuleType.EXCLUDE_UNAVAILABLE),
    )

    assert placed(decision) == {2: (0,)}
    assert report(decision, 1).exclusions == (Exclusion.INACTIVE,)
    assert [report(decision, i).rank for i in (2, 3, 4)] == [1, 2, 3]


def test_a_location_with_several_problems_lists_every_reason() -> None:
    broken = replace(location(1, name="Old shop"), is_active=False, fulfills_online_orders=False)

    decision = route([deny(0, item_id=1)], [broken])

    assert report(decision, 1).exclusions == (
        Exclusion.INACTIVE,
        Exclusion.NOT_FULFILLING_ONLINE_ORDERS,
        Exclusion.NO_STOCK,
    )
    assert report(decision, 1).excluded_because == (
        "inactive; does not fulfil online orders; not enough stock for any line (needs line 1 × 1)"
    )
    assert decision.strategy == Strategy.UNROUTABLE


# CAPACITY


def full(candidate: Candidate, capacity: int = 3, orders_today: int = 3) -> Candidate:
    return replace(candidate, daily_order_capacity=capacity, orders_today=orders_today)


def test_a_location_at_or_over_its_daily_capacity_is_skipped_for_one_with_room() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [
        full(location(1, priority=9, stock={1: 1}), capacity=3, orders_today=3),
        full(location(2, priority=9, stock={1: 1}), capacity=3, orders_today=4),
        full(location(3, priority=0, stock={1: 1}), capacity=3, orders_today=2),
    ]

    decision = route(lines, candidates, ruleset=without(RuleType.CLOSEST))

    assert placed(decision) == {3: (0,)}
    for location_id in (1, 2):
        assert report(decision, location_id).exclusions == (Exclusion.OVER_CAPACITY,)
        assert report(decision, location_id).excluded_because == (
            "reached its daily capacity of 3 orders"
        )
    assert score(decision, 3, RuleType.CAPACITY) == 1.0
    assert "capacity was set aside" not in decision.explanation


def test_when_every_location_able_to_fulfil_is_full_capacity_is_set_aside() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [
        full(location(1, priority=1, stock={1: 1})),
        full(location(2, priority=5, stock={1: 1})),
        location(3, priority=9),  # room, but no stock
    ]

    decision = route(lines, candidates)

    assert placed(decision) == {2: (0,)}
    assert decision.strategy == Strategy.SINGLE_LOCATION
    assert decision.unroutable == ()
    assert decision.explanation.startswith(
        "The order could not be routed within the locations' daily order capacity, so "
        "capacity was set aside for it: locations with room left still come first. "
        "Routing ruleset version 1"
    )
    assert report(decision, 2).exclusions == ()
    assert score(decision, 2, RuleType.CAPACITY) == 0.0
    assert report(decision, 3).exclusions == (Exclusion.NO_STOCK,)


def test_capacity_is_set_aside_when_full_locations_are_needed_for_part_of_a_split() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2)]
    candidates = [location(1, stock={2: 1}), full(location(2, stock={1: 1}))]

    decision = route(lines, candidates)

    assert placed(decision) == {1: (1,), 2: (0,)}
    assert decision.unroutable == ()
    assert "capacity was set aside" in decision.explanation


def test_with_capacity_disabled_a_full_location_is_chosen_as_usual() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [full(location(1, priority=9, stock={1: 1})), location(2, stock={1: 1})]

    decision = route(lines, candidates, ruleset=without(RuleType.CAPACITY))

    assert placed(decision) == {1: (0,)}
    assert report(decision, 1).exclusions == ()
    assert score(decision, 1, RuleType.CAPACITY) is None
    assert "capacity" not in decision.explanation


def test_a_location_without_a_daily_capacity_is_never_full() -> None:
    candidate = replace(location(1, stock={1: 1}), orders_today=10_000)

    decision = route([deny(0, item_id=1)], [candidate])

    assert placed(decision) == {1: (0,)}
    assert score(decision, 1, RuleType.CAPACITY) is None


# PICKUP_LOCATION


def pickup_candidates() -> list[Candidate]:
    return [
        location(1, priority=9, stock={1: 5}, name="Warehouse"),
        location(2, priority=0, stock={1: 5}, name="Corner shop"),
        location(3, priority=5, stock={1: 5}, name="Mall"),
    ]


def test_a_pickup_order_goes_only_to_the_chosen_location() -> None:
    decision = route(
        [deny(0, item_id=1)], pickup_candidates(), delivery=Delivery.PICKUP, pickup_location_id=2
    )

    assert placed(decision) == {2: (0,)}
    assert decision.strategy == Strategy.PICKUP
    assert decision.split_count == 0
    for other in (1, 3):
        assert report(decision, other).exclusions == (Exclusion.NOT_PICKUP_LOCATION,)
        assert report(decision, other).excluded_because == (
            "not the pickup location the customer chose"
        )
    assert (
        "Pickup orders go to the location the customer chose; the other 2 locations were not "
        "considered." in decision.explanation
    )
    assert "Excluded:" not in decision.explanation
    assert "Corner shop fulfils every line: the only eligible location." in decision.explanation


def test_a_pickup_location_that_does_not_fulfil_online_orders_still_takes_its_pickups() -> None:
    candidates = pickup_candidates()
    candidates[1] = replace(candidates[1], fulfills_online_orders=False)

    decision = route(
        [deny(0, item_id=1)], candidates, delivery=Delivery.PICKUP, pickup_location_id=2
    )

    assert placed(decision) == {2: (0,)}
    assert decision.strategy == Strategy.PICKUP
    assert report(decision, 2).exclusions == ()


def test_a_pickup_order_is_unroutable_when_the_chosen_location_lacks_stock() -> None:
    candidates = pickup_candidates()
    candidates[1] = replace(candidates[1], available={1: 0})

    decision = route(
        [deny(0, item_id=1)], candidates, delivery=Delivery.PICKUP, pickup_location_id=2
    )

    assert decision.strategy == Strategy.UNROUTABLE
    assert decision.assignments == ()
    assert decision.unroutable == (0,)
    assert report(decision, 2).exclusions == (Exclusion.NO_STOCK,)
    assert report(decision, 1).exclusions == (Exclusion.NOT_PICKUP_LOCATION,)


def test_a_pickup_order_is_not_split_to_other_locations() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2)]
    candidates = [location(1, priority=9, stock={2: 1}), location(2, stock={1: 1})]

    decision = route(lines, candidates, delivery=Delivery.PICKUP, pickup_location_id=2)

    assert placed(decision) == {2: (0,)}
    assert decision.unroutable == (1,)
    assert decision.strategy == Strategy.UNROUTABLE


def test_with_pickup_location_off_pickup_orders_route_like_shipping() -> None:
    decision = route(
        [deny(0, item_id=1)],
        pickup_candidates(),
        ruleset=without(RuleType.PICKUP_LOCATION),
        delivery=Delivery.PICKUP,
        pickup_location_id=2,
    )

    assert placed(decision) == {1: (0,)}
    assert decision.strategy == Strategy.SINGLE_LOCATION
    assert all(r.exclusions == () for r in decision.candidates)
    assert "Pickup" not in decision.explanation


# LOCAL_DELIVERY


def test_a_local_delivery_is_never_split() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2)]
    candidates = [
        location(1, stock={1: 1}, at=ROME),
        location(2, stock={2: 1}, at=FRASCATI),
    ]

    decision = route(
        lines,
        candidates,
        delivery=Delivery.LOCAL_DELIVERY,
        destination=address(ROME),
        allow_split=True,
    )

    assert decision.strategy == Strategy.UNROUTABLE
    assert decision.assignments == ()
    assert decision.unroutable == (0, 1)
    assert (
        "No eligible location can fulfil every line, and local deliveries come from one "
        "location; the order cannot be routed." in decision.explanation
    )


def test_a_local_delivery_goes_to_a_nearby_location_with_every_line() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2)]
    candidates = [
        location(1, priority=9, stock={1: 1}, at=ROME),
        location(2, stock={1: 1, 2: 1}, at=FRASCATI),
    ]

    decision = route(lines, candidates, delivery=Delivery.LOCAL_DELIVERY, destination=address(ROME))

    assert placed(decision) == {2: (0, 1)}
    assert decision.strategy == Strategy.SINGLE_LOCATION


def test_locations_beyond_the_local_delivery_radius_are_excluded() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [
        location(1, priority=9, stock={1: 1}, at=MILAN, name="Milan"),
        location(2, priority=0, stock={1: 1}, at=FRASCATI, name="Frascati"),
    ]

    decision = route(lines, candidates, delivery=Delivery.LOCAL_DELIVERY, destination=address(ROME))

    assert placed(decision) == {2: (0,)}
    milan = report(decision, 1)
    assert milan.exclusions == (Exclusion.OUT_OF_LOCAL_DELIVERY_RANGE,)
    assert milan.excluded_because == (
        f"{km(ROME, MILAN):,.1f} km away, beyond the 50 km local delivery radius"
    )


def test_the_local_delivery_radius_comes_from_the_ruleset() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [location(1, stock={1: 1}, at=FRASCATI)]  # 18.5 km

    for radius, routed in ((10.0, False), (25.0, True)):
        ruleset = replace(DEFAULT_RULESET, local_delivery_radius_km=radius)
        decision = route(
            lines,
            candidates,
            ruleset=ruleset,
            delivery=Delivery.LOCAL_DELIVERY,
            destination=address(ROME),
        )
        assert (placed(decision) == {1: (0,)}) is routed
        if not routed:
            assert report(decision, 1).exclusions == (Exclusion.OUT_OF_LOCAL_DELIVERY_RANGE,)
            assert f"beyond the {radius:g} km local delivery radius" in decision.explanation


def test_a_local_delivery_without_coordinates_stays_in_the_destination_country() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [
        location(1, priority=9, stock={1: 1}, at=NICE, country="FR"),
        location(2, priority=0, stock={1: 1}, at=MILAN, country="IT"),
    ]

    decision = route(
        lines, candidates, delivery=Delivery.LOCAL_DELIVERY, destination=Destination("IT")
    )

    assert placed(decision) == {2: (0,)}
    assert report(decision, 1).exclusions == (Exclusion.OUT_OF_LOCAL_DELIVERY_RANGE,)
    assert report(decision, 1).excluded_because == (
        "in another country than the local delivery address"
    )


def test_fulfillment_services_do_not_deliver_locally() -> None:
    lines = [deny(0, item_id=1)]
    service = replace(location(1, priority=9, stock={1: 1}, at=ROME), is_fulfillment_service=True)
    candidates = [service, location(2, stock={1: 1}, at=FRASCATI)]

    local = route(lines, candidates, delivery=Delivery.LOCAL_DELIVERY, destination=address(ROME))
    shipped = route(lines, candidates, destination=address(ROME))

    assert placed(local) == {2: (0,)}
    assert report(local, 1).exclusions == (Exclusion.NO_LOCAL_DELIVERY,)
    assert report(local, 1).excluded_because == (
        "a fulfillment service, which does not deliver locally"
    )
    assert placed(shipped) == {1: (0,)}


# allow_split=False


def test_without_split_shipments_every_line_is_unroutable_when_no_location_has_all() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2)]
    candidates = [location(1, stock={1: 1}), location(2, stock={2: 1})]

    decision = by_priority(lines, candidates, allow_split=False)

    assert decision.assignments == ()
    assert decision.unroutable == (0, 1)
    assert decision.strategy == Strategy.UNROUTABLE
    assert decision.explanation.endswith(
        "No eligible location can fulfil every line, and the channel does not allow split "
        "shipments; the order cannot be routed."
    )


def test_without_split_shipments_one_location_that_has_everything_still_serves() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2)]
    candidates = [location(1, priority=5, stock={1: 1}), location(2, stock={1: 1, 2: 1})]

    decision = by_priority(lines, candidates, allow_split=False)

    assert placed(decision) == {2: (0, 1)}
    assert decision.unroutable == ()


def test_without_split_shipments_closest_first_still_picks_a_location_with_everything() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2)]
    candidates = [
        location(1, stock={1: 1}, at=ROME),
        location(2, stock={1: 1, 2: 1}, at=MILAN),
        location(3, stock={1: 1, 2: 1}, at=PARIS),
    ]
    closest_first = rules(RuleType.CLOSEST, RuleType.MINIMIZE_SPLITS)

    decision = route(
        lines, candidates, ruleset=closest_first, destination=address(ROME), allow_split=False
    )

    assert placed(decision) == {2: (0, 1)}
    assert decision.assignments[0].reason.startswith(f"the closest at {km(ROME, MILAN):,.1f} km")


@pytest.mark.parametrize("delivery", [Delivery.SHIPPING, Delivery.LOCAL_DELIVERY])
def test_every_location_without_a_rank_is_reported_excluded(delivery: Delivery) -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2)]
    candidates = [location(1, stock={1: 1}, at=ROME), location(2, stock={1: 1, 2: 1}, at=ROME)]

    decision = route(
        lines, candidates, allow_split=False, delivery=delivery, destination=address(ROME)
    )

    assert placed(decision) == {2: (0, 1)}
    assert report(decision, 1).rank is None
    assert not report(decision, 1).eligible


# included and excluded locations (reroutes)


def test_a_location_the_request_excludes_is_not_chosen() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [location(1, priority=9, stock={1: 1}), location(2, stock={1: 1})]

    decision = route(lines, candidates, excluded_location_ids=frozenset({1}))

    assert placed(decision) == {2: (0,)}
    assert report(decision, 1).exclusions == (Exclusion.EXCLUDED_BY_REQUEST,)
    assert report(decision, 1).excluded_because == "excluded by the request"


def test_only_the_locations_the_request_includes_may_be_chosen() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [
        location(1, priority=9, stock={1: 1}),
        location(2, priority=1, stock={1: 1}),
        location(3, priority=5, stock={1: 1}),
    ]

    decision = route(lines, candidates, included_location_ids=frozenset({2, 3}))

    assert placed(decision) == {3: (0,)}
    assert report(decision, 1).exclusions == (Exclusion.NOT_INCLUDED_BY_REQUEST,)
    assert report(decision, 1).excluded_because == ("not among the locations the request included")
    assert [report(decision, i).rank for i in (1, 2, 3)] == [None, 2, 1]


def test_an_excluded_location_stays_excluded_when_also_included() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [location(1, priority=9, stock={1: 1}), location(2, stock={1: 1})]

    decision = route(
        lines,
        candidates,
        included_location_ids=frozenset({1, 2}),
        excluded_location_ids=frozenset({1}),
    )

    assert placed(decision) == {2: (0,)}
    assert report(decision, 1).exclusions == (Exclusion.EXCLUDED_BY_REQUEST,)


def test_an_empty_inclusion_leaves_the_order_unroutable() -> None:
    decision = route(
        [deny(0, item_id=1)], [location(1, stock={1: 1})], included_location_ids=frozenset()
    )

    assert decision.strategy == Strategy.UNROUTABLE
    assert report(decision, 1).exclusions == (Exclusion.NOT_INCLUDED_BY_REQUEST,)


def test_only_the_location_holding_the_reservation_may_be_chosen() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [location(1, priority=9, stock={1: 1}), location(2, stock={1: 1})]

    decision = route(lines, candidates, reserved_location_id=2)

    assert placed(decision) == {2: (0,)}
    assert report(decision, 1).exclusions == (Exclusion.RESERVATION_ELSEWHERE,)
    assert report(decision, 1).excluded_because == (
        "the order's reservation holds its stock elsewhere"
    )


def test_a_location_not_serving_the_channel_is_explained_with_the_channel_name() -> None:
    candidates = [replace(location(1, stock={1: 1}), serves_channel=False)]

    named = route([deny(0, item_id=1)], candidates, channel="wholesale")
    unnamed = route([deny(0, item_id=1)], candidates)

    assert report(named, 1).excluded_because == "does not serve the wholesale channel"
    assert report(unnamed, 1).excluded_because == "does not serve the order's channel"


# the decision's fields


def test_split_count_is_the_number_of_locations_beyond_the_first() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2), deny(2, item_id=3)]
    one = [location(1, stock={1: 1, 2: 1, 3: 1})]
    three = [location(1, stock={1: 1}), location(2, stock={2: 1}), location(3, stock={3: 1})]

    single = route(lines, one)
    split = route(lines, three)
    unroutable = route(lines, [])

    assert (single.strategy, single.split_count) == (Strategy.SINGLE_LOCATION, 0)
    assert (split.strategy, split.split_count) == (Strategy.SPLIT, 2)
    assert (unroutable.strategy, unroutable.split_count) == (Strategy.UNROUTABLE, 0)
    assert split.lines_of(2) == (1,)
    assert split.lines_of(99) == ()


def test_the_decision_echoes_the_ruleset_version() -> None:
    ruleset = rules(RuleType.RANKED, version=42)

    decision = route([deny(0, item_id=1)], [location(1, stock={1: 1})], ruleset=ruleset)

    assert decision.ruleset_version == 42
    assert decision.explanation.startswith(
        "Routing ruleset version 42 ranks locations by highest priority."
    )


def test_with_no_ranking_rule_the_location_id_alone_decides() -> None:
    ruleset = rules(RuleType.EXCLUDE_UNAVAILABLE, version=3)
    candidates = [location(5, priority=9, stock={1: 1}), location(4, stock={1: 1})]

    decision = route([deny(0, item_id=1)], candidates, ruleset=ruleset)

    assert placed(decision) == {4: (0,)}
    assert decision.explanation.startswith(
        "Routing ruleset version 3 ranks locations by location id alone."
    )
    assert decision.assignments[0].reason == (
        "equal to Location 5 on every rule, so the lower location id decides"
    )


def test_eligible_locations_are_ranked_from_one_and_excluded_ones_have_no_rank() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2)]
    candidates = [
        location(1, priority=1, stock={1: 1}),
        location(2, priority=3, stock={1: 1}),
        location(3, priority=9),  # no stock
        location(4, priority=0, stock={1: 1, 2: 1}),
        replace(location(5, priority=9, stock={1: 1, 2: 1}), is_active=False),
    ]

    decision = by_priority(lines, candidates)

    assert [report(decision, i).rank for i in (1, 2, 3, 4, 5)] == [3, 2, None, 1, None]


def test_every_enabled_rule_scores_every_location_in_its_own_unit() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2, quantity=4)]
    rome = full(
        location(1, priority=4, stock={1: 2, 2: 3, 9: 50}, at=ROME, country="IT"),
        capacity=10,
        orders_today=4,
    )
    paris = location(2, priority=-1, stock={1: 7, 2: 9}, at=PARIS, country="FR")

    decision = route(lines, [rome, paris], destination=address(FRASCATI, "IT"))

    assert {s.rule: s.score for s in report(decision, 1).scores} == {
        RuleType.CAPACITY: 6.0,  # orders left today
        RuleType.MINIMIZE_SPLITS: 1.0,  # lines it can fulfil (3 < 4 units of item 2)
        RuleType.CLOSEST: 18.5,  # km
        RuleType.RANKED: 4.0,  # priority
        RuleType.SAME_COUNTRY: 1.0,
        RuleType.BALANCE_STOCK: 5.0,  # units of the ordered items
    }
    assert {s.rule: s.score for s in report(decision, 2).scores} == {
        RuleType.MINIMIZE_SPLITS: 2.0,
        RuleType.CLOSEST: km(FRASCATI, PARIS),
        RuleType.RANKED: -1.0,
        RuleType.SAME_COUNTRY: 0.0,
        RuleType.BALANCE_STOCK: 16.0,
    }
    # in the ruleset's order
    assert [s.rule for s in report(decision, 2).scores] == [
        RuleType.MINIMIZE_SPLITS,
        RuleType.CLOSEST,
        RuleType.RANKED,
        RuleType.SAME_COUNTRY,
        RuleType.BALANCE_STOCK,
    ]
    assert placed(decision) == {2: (0, 1)}


def test_disabled_rules_are_not_scored() -> None:
    decision = route(
        [deny(0, item_id=1)],
        [location(1, stock={1: 1}, at=ROME, country="IT")],
        ruleset=rules(RuleType.RANKED),
        destination=address(ROME, "IT"),
    )

    assert [s.rule for s in report(decision, 1).scores] == [RuleType.RANKED]


def test_the_fewest_locations_score_counts_the_lines_a_location_can_take_together() -> None:
    lines = [deny(0, item_id=1, quantity=3), deny(1, item_id=1, quantity=3)]
    candidates = [location(1, stock={1: 5}), location(2, stock={1: 6})]

    decision = route(lines, candidates, ruleset=rules(RuleType.MINIMIZE_SPLITS))

    assert placed(decision) == {2: (0, 1)}
    assert score(decision, 2, RuleType.MINIMIZE_SPLITS) == 2.0
    assert score(decision, 1, RuleType.MINIMIZE_SPLITS) == 1.0


# ties and determinism


def test_locations_equal_on_every_rule_are_decided_by_the_lowest_id() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [
        location(location_id, priority=2, stock={1: 4}, at=MILAN, country="IT")
        for location_id in (7, 3, 5)
    ]

    decision = route(lines, candidates, destination=address(ROME, "IT"))

    assert placed(decision) == {3: (0,)}
    assert decision.assignments[0].reason == (
        "equal to Location 5 on every rule, so the lower location id decides"
    )
    assert [report(decision, i).rank for i in (3, 5, 7)] == [1, 2, 3]


SCENARIOS: dict[str, tuple[list[LineDemand], list[Candidate], Ruleset]] = {
    "single location, tied priorities": (
        [deny(0, item_id=1), untracked(1)],
        [
            location(8, priority=2, stock={1: 1}),
            location(3, priority=2, stock={1: 1}),
            location(5, priority=1, stock={1: 9}),
            location(4, priority=2, stock={}),
        ],
        BY_PRIORITY,
    ),
    "split with ties": (
        [deny(0, item_id=1), deny(1, item_id=2), deny(2, item_id=3), deny(3, item_id=4)],
        [
            location(8, priority=1, stock={1: 1, 2: 1}),
            location(3, priority=1, stock={3: 1, 4: 1}),
            location(5, priority=1, stock={2: 1, 3: 1}),
            location(4, priority=1, stock={1: 1, 4: 1}),
        ],
        BY_PRIORITY,
    ),
    "unroutable": (
        [deny(0, item_id=1, quantity=2), deny(1, item_id=2), deny(2, item_id=7)],
        [
            location(2, priority=0, stock={1: 1}),
            location(1, priority=0, stock={2: 1}),
            location(6, priority=3, stock={1: 2}),
        ],
        BY_PRIORITY,
    ),
    "every rule, equal places": (
        [deny(0, item_id=1), keep_selling(1, item_id=2)],
        [
            location(9, priority=1, stock={1: 3, 2: 0}, at=MILAN, country="IT"),
            location(2, priority=1, stock={1: 3, 2: 0}, at=MILAN, country="IT"),
            full(location(6, priority=1, stock={1: 3, 2: 0}, at=MILAN, country="IT")),
            location(4, priority=1, stock={1: 3}, at=NICE, country="FR"),
        ],
        DEFAULT_RULESET,
    ),
}


def outcome(decision: Decision) -> tuple[object, ...]:
    """Everything a decision says, with the candidate reports in location id order."""
    reports = tuple(sorted(decision.candidates, key=lambda r: r.location_id))
    return (
        decision.strategy,
        decision.assignments,
        decision.unroutable,
        decision.explanation,
        decision.ruleset_version,
        reports,
    )


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_decision_does_not_depend_on_the_order_of_the_candidates(scenario: str) -> None:
    lines, candidates, ruleset = SCENARIOS[scenario]
    expected = outcome(route(lines, candidates, ruleset=ruleset, destination=address(ROME, "IT")))

    for permutation in itertools.permutations(candidates):
        decision = route(lines, permutation, ruleset=ruleset, destination=address(ROME, "IT"))
        assert outcome(decision) == expected


def test_the_whole_decision_is_equal_for_any_order_of_the_candidates() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [location(1, stock={1: 1}), location(2, stock={1: 1})]

    assert route(lines, candidates) == route(lines, candidates[::-1])


# properties over random requests


def random_lines(rng: random.Random, items: Sequence[int]) -> list[LineDemand]:
    lines = []
    for index in range(rng.randint(1, 6)):
        kind = rng.choice([deny, deny, keep_selling, untracked])
        lines.append(kind(index, rng.choice(items), rng.randint(1, 4)))
    return lines


def random_request(rng: random.Random) -> tuple[list[LineDemand], list[Candidate]]:
    """The interim rule's random requests: stock and priority only."""
    items = list(range(1, rng.randint(2, 5)))
    candidates = [
        location(
            location_id,
            priority=rng.randint(0, 2),
            stock={item: rng.randint(0, 6) for item in items if rng.random() < 0.6},
        )
        for location_id in rng.sample(range(1, 50), k=rng.randint(0, 5))
    ]
    return random_lines(rng, items), candidates


def fits_together(
    candidate: Candidate, lines: Sequence[LineDemand], used: Mapping[int, int] | None = None
) -> bool:
    """``candidate`` can take all ``lines`` at once, after ``used`` units (item -> units)."""
    needed: dict[int, int] = defaultdict(int, used or {})
    for line in lines:
        if not line.needs_level:
            continue
        if line.item_id not in candidate.available:
            return False
        if line.needs_stock and line.item_id is not None:
            needed[line.item_id] += line.quantity
    return all(needed[item] <= candidate.available.get(item, 0) for item in needed)


def units_used(lines: Sequence[LineDemand]) -> dict[int, int]:
    used: dict[int, int] = defaultdict(int)
    for line in lines:
        if line.needs_stock and line.item_id is not None:
            used[line.item_id] += line.quantity
    return used


def test_random_requests_by_priority_route_like_the_interim_rule() -> None:
    rng = random.Random(SEED)
    for _ in range(300):
        lines, candidates = random_request(rng)
        allow_split = rng.random() < 0.8

        decision = by_priority(lines, candidates, allow_split=allow_split)

        shuffled = rng.sample(candidates, k=len(candidates))
        assert outcome(by_priority(lines, shuffled, allow_split=allow_split)) == outcome(decision)
        assert decision.explanation

        everything = tuple(range(len(lines)))
        whole = [c for c in candidates if fits_together(c, lines)]
        if whole:
            best = min(whole, key=lambda c: (-c.priority, c.location_id))
            assert placed(decision) == {best.location_id: everything}
            assert decision.strategy == Strategy.SINGLE_LOCATION
        elif not allow_split:
            assert decision.assignments == ()
            assert decision.unroutable == everything
        elif not decision.unroutable:
            assert decision.strategy == Strategy.SPLIT
            assert len(decision.assignments) >= 2


def random_candidate(rng: random.Random, location_id: int, items: Sequence[int]) -> Candidate:
    place = rng.choice([ROME, FRASCATI, NAPLES, MILAN, PARIS, NICE, None])
    return Candidate(
        location_id,
        f"Location {location_id}",
        rng.randint(-1, 2),
        {item: rng.randint(-1, 8) for item in items if rng.random() < 0.75},
        country_code=rng.choice(["IT", "IT", "FR", None]),
        latitude=place[0] if place else None,
        longitude=place[1] if place else None,
        is_active=rng.random() < 0.95,
        fulfills_online_orders=rng.random() < 0.9,
        serves_channel=rng.random() < 0.9,
        is_fulfillment_service=rng.random() < 0.1,
        daily_order_capacity=rng.choice([None, None, None, 2, 5]),
        orders_today=rng.randint(0, 5),
    )


def random_full_request(rng: random.Random) -> RoutingRequest:
    """Any request: random flags, places, rulesets, deliveries and reroute choices."""
    items = list(range(1, rng.randint(2, 5)))
    ids = rng.sample(range(1, 30), k=rng.randint(1, 7) if rng.random() < 0.95 else 0)
    candidates = [random_candidate(rng, location_id, items) for location_id in ids]
    types = list(RuleType)
    rng.shuffle(types)
    ruleset = Ruleset(
        rng.randint(1, 9),
        tuple(Rule(rule, rng.random() < 0.8) for rule in types),
        local_delivery_radius_km=rng.choice([10.0, 50.0, 700.0]),
    )
    place = rng.choice([ROME, MILAN, PARIS, None])
    destination = Destination(
        rng.choice(["IT", "FR", None]), place[0] if place else None, place[1] if place else None
    )
    return RoutingRequest(
        random_lines(rng, items),
        candidates,
        allow_split=rng.random() < 0.8,
        destination=destination,
        delivery=rng.choice([Delivery.SHIPPING] * 6 + [Delivery.PICKUP, Delivery.LOCAL_DELIVERY]),
        pickup_location_id=rng.choice([*ids, None]),
        ruleset=ruleset,
        excluded_location_ids=frozenset(i for i in ids if rng.random() < 0.05),
        included_location_ids=(
            frozenset(i for i in ids if rng.random() < 0.7) if rng.random() < 0.2 else None
        ),
        reserved_location_id=rng.choice(ids) if ids and rng.random() < 0.1 else None,
    )


def check_decision(request: RoutingRequest, decision: Decision) -> None:
    lines = request.lines
    by_id = {c.location_id: c for c in request.candidates}
    reports = {r.location_id: r for r in decision.candidates}
    assert reports.keys() == by_id.keys()

    # every line exactly once: placed or unroutable
    placed_lines = [index for a in decision.assignments for index in a.line_indexes]
    assert sorted([*placed_lines, *decision.unroutable]) == list(range(len(lines)))
    assert list(decision.unroutable) == sorted(decision.unroutable)
    assert len({a.location_id for a in decision.assignments}) == len(decision.assignments)

    # only at eligible locations, never using more than is available
    used_at: dict[int, dict[int, int]] = {}
    for assignment in decision.assignments:
        candidate = by_id[assignment.location_id]
        assert reports[assignment.location_id].eligible
        assert candidate.is_active
        assert assignment.line_indexes
        assert list(assignment.line_indexes) == sorted(assignment.line_indexes)
        assert assignment.reason
        taken = [lines[index] for index in assignment.line_indexes]
        assert fits_together(candidate, taken)
        used_at[assignment.location_id] = units_used(taken)

    # unroutable lines really had nowhere to go
    eligible = [by_id[r.location_id] for r in decision.candidates if r.eligible]
    may_split = request.allow_split and request.delivery != Delivery.LOCAL_DELIVERY
    if decision.unroutable:
        assert decision.strategy == Strategy.UNROUTABLE
        if may_split:
            for index in decision.unroutable:
                for candidate in eligible:
                    used = used_at.get(candidate.location_id, {})
                    assert not fits_together(candidate, [lines[index]], used)
        else:
            assert decision.assignments == ()
            assert not any(fits_together(candidate, lines) for candidate in eligible)
    elif lines:
        assert decision.assignments
        if not may_split:
            assert len(decision.assignments) == 1
    assert decision.split_count == max(0, len(decision.assignments) - 1)
    assert decision.ruleset_version == request.ruleset.version
    assert decision.explanation

    # exclusions follow from the request, and only eligible locations are ranked
    for report_ in decision.candidates:
        candidate = by_id[report_.location_id]
        assert (report_.excluded_because is None) == report_.eligible
        if not candidate.is_active:
            assert Exclusion.INACTIVE in report_.exclusions
        if candidate.location_id in request.excluded_location_ids:
            assert Exclusion.EXCLUDED_BY_REQUEST in report_.exclusions
        included = request.included_location_ids
        if included is not None and candidate.location_id not in included:
            assert Exclusion.NOT_INCLUDED_BY_REQUEST in report_.exclusions
        if request.reserved_location_id not in (None, candidate.location_id):
            assert Exclusion.RESERVATION_ELSEWHERE in report_.exclusions
        if report_.rank is not None:
            assert report_.eligible
    if may_split:
        ranks = sorted(r.rank for r in decision.candidates if r.rank is not None)
        assert ranks == list(range(1, len(eligible) + 1))


def test_random_requests_are_routed_feasibly_and_independently_of_candidate_order() -> None:
    rng = random.Random(SEED + 1)
    for _ in range(300):
        request = random_full_request(rng)

        decision = decide(request)

        check_decision(request, decision)
        shuffled = replace(
            request, candidates=rng.sample(request.candidates, k=len(request.candidates))
        )
        assert outcome(decide(shuffled)) == outcome(decision)
