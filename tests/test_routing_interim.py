"""The interim routing rule, without a database: one location if possible, else the fewest."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Sequence

import pytest

from oms_graphql.routing import Candidate, LineDemand, RoutingRequest, RoutingResult, route

SEED = 20240611


def deny(index: int, item_id: int, quantity: int = 1) -> LineDemand:
    """A tracked line that must not oversell: the location needs the units available."""
    return LineDemand(index, item_id, quantity, needs_level=True, needs_stock=True)


def keep_selling(index: int, item_id: int, quantity: int = 1) -> LineDemand:
    """A tracked line that may oversell: the location only needs to stock the item."""
    return LineDemand(index, item_id, quantity, needs_level=True, needs_stock=False)


def untracked(index: int, item_id: int | None = None, quantity: int = 1) -> LineDemand:
    return LineDemand(index, item_id, quantity, needs_level=False, needs_stock=False)


def location(location_id: int, priority: int = 0, stock: dict[int, int] | None = None) -> Candidate:
    return Candidate(location_id, f"Location {location_id}", priority, stock or {})


def route_lines(
    lines: Sequence[LineDemand], candidates: Sequence[Candidate], *, allow_split: bool = True
) -> RoutingResult:
    return route(RoutingRequest(lines, candidates, allow_split=allow_split))


# one location for everything


def test_the_highest_priority_location_that_can_serve_every_line_wins() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2)]
    candidates = [
        location(1, priority=1, stock={1: 5, 2: 5}),
        location(2, priority=5, stock={1: 5, 2: 5}),
        location(3, priority=3, stock={1: 5, 2: 5}),
    ]

    result = route_lines(lines, candidates)

    assert result.assignments == {2: [0, 1]}
    assert result.unroutable == []
    assert "Location 2 (priority 5)" in result.explanation
    assert "highest-priority" in result.explanation


def test_a_higher_priority_location_that_cannot_serve_every_line_is_passed_over() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2)]
    candidates = [
        location(1, priority=9, stock={1: 5}),
        location(2, priority=1, stock={1: 5, 2: 5}),
    ]

    assert route_lines(lines, candidates).assignments == {2: [0, 1]}


def test_a_negative_priority_is_less_preferred_than_the_default() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [location(1, priority=-1, stock={1: 1}), location(2, priority=0, stock={1: 1})]

    assert route_lines(lines, candidates).assignments == {2: [0]}


def test_equal_priorities_break_by_the_lowest_location_id() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [
        location(7, priority=2, stock={1: 1}),
        location(3, priority=2, stock={1: 1}),
        location(5, priority=2, stock={1: 1}),
        location(1, priority=1, stock={1: 1}),
    ]

    assert route_lines(lines, candidates).assignments == {3: [0]}


# what a location needs to serve a line


def test_a_location_without_enough_stock_for_a_deny_line_is_skipped() -> None:
    lines = [deny(0, item_id=1, quantity=3)]
    candidates = [location(1, priority=9, stock={1: 2}), location(2, priority=0, stock={1: 3})]

    assert route_lines(lines, candidates).assignments == {2: [0]}


def test_exactly_the_quantity_available_is_enough_for_a_deny_line() -> None:
    lines = [deny(0, item_id=1, quantity=3)]

    assert route_lines(lines, [location(1, stock={1: 3})]).assignments == {1: [0]}


def test_a_location_not_stocking_the_item_of_a_deny_line_is_skipped() -> None:
    lines = [deny(0, item_id=1)]
    candidates = [location(1, priority=9, stock={2: 100}), location(2, priority=0, stock={1: 1})]

    assert route_lines(lines, candidates).assignments == {2: [0]}


def test_a_line_that_may_oversell_only_needs_the_item_stocked() -> None:
    lines = [keep_selling(0, item_id=1, quantity=10)]
    candidates = [
        location(1, priority=9, stock={2: 100}),  # does not stock item 1
        location(2, priority=5, stock={1: 0}),  # stocks it, none available
        location(3, priority=0, stock={1: 50}),
    ]

    result = route_lines(lines, candidates)

    assert result.assignments == {2: [0]}
    assert result.unroutable == []


def test_a_line_that_may_oversell_is_unroutable_where_no_location_stocks_the_item() -> None:
    lines = [keep_selling(0, item_id=1)]

    result = route_lines(lines, [location(1, stock={2: 5}), location(2, stock={3: 5})])

    assert result.unroutable == [0]


def test_untracked_lines_fit_at_any_location() -> None:
    lines = [untracked(0, item_id=1, quantity=99), untracked(1, item_id=None)]
    candidates = [location(1, priority=0, stock={1: 500}), location(2, priority=4)]

    result = route_lines(lines, candidates)

    assert result.assignments == {2: [0, 1]}
    assert result.unroutable == []


def test_untracked_lines_follow_the_tracked_lines_to_their_location() -> None:
    lines = [untracked(0), deny(1, item_id=1), untracked(2)]
    candidates = [location(1, priority=9), location(2, priority=0, stock={1: 1})]

    assert route_lines(lines, candidates).assignments == {2: [0, 1, 2]}


def test_two_lines_of_the_same_item_share_the_location_stock() -> None:
    lines = [deny(0, item_id=1, quantity=3), deny(1, item_id=1, quantity=3)]
    candidates = [
        location(1, priority=9, stock={1: 5}),  # 3 + 3 > 5
        location(2, priority=0, stock={1: 6}),
    ]

    assert route_lines(lines, candidates).assignments == {2: [0, 1]}


def test_lines_that_may_oversell_do_not_use_up_the_stock_of_deny_lines() -> None:
    lines = [keep_selling(0, item_id=1, quantity=5), deny(1, item_id=1, quantity=5)]

    assert route_lines(lines, [location(1, stock={1: 5})]).assignments == {1: [0, 1]}


def test_lines_of_the_same_item_that_cannot_share_one_location_are_split() -> None:
    lines = [deny(0, item_id=1, quantity=3), deny(1, item_id=1, quantity=3)]
    candidates = [location(1, priority=2, stock={1: 5}), location(2, priority=1, stock={1: 5})]

    result = route_lines(lines, candidates)

    assert result.assignments == {1: [0], 2: [1]}
    assert result.unroutable == []


# splitting


def test_a_split_uses_the_fewest_locations_not_the_highest_priority_ones() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2), deny(2, item_id=3), deny(3, item_id=4)]
    candidates = [
        location(10, priority=9, stock={1: 1}),
        location(11, priority=8, stock={2: 1}),
        location(12, priority=0, stock={1: 1, 2: 1}),
        location(13, priority=0, stock={3: 1, 4: 1}),
    ]

    result = route_lines(lines, candidates)

    assert result.assignments == {12: [0, 1], 13: [2, 3]}
    assert result.unroutable == []


def test_a_split_first_takes_the_location_serving_the_most_open_lines() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2), deny(2, item_id=3), deny(3, item_id=4)]
    candidates = [
        location(1, priority=9, stock={4: 1}),
        location(2, priority=0, stock={1: 1, 2: 1, 3: 1}),
        location(3, priority=5, stock={3: 1, 4: 1}),
    ]

    result = route_lines(lines, candidates)

    # location 2 (priority 0) takes three lines first; the last line then goes to the
    # highest-priority location that can take it
    assert list(result.assignments) == [2, 1]  # in the order they were chosen
    assert result.assignments == {2: [0, 1, 2], 1: [3]}


def test_a_split_names_the_locations_it_chose_in_its_explanation() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2), deny(2, item_id=3)]
    candidates = [
        Candidate(1, "Milan", 3, {1: 1, 2: 1}),
        Candidate(2, "Rome", 1, {3: 1}),
        Candidate(3, "Turin", 0, {}),
    ]

    result = route_lines(lines, candidates)

    assert result.assignments == {1: [0, 1], 2: [2]}
    assert "split across 2 locations" in result.explanation
    assert "Milan (priority 3), Rome (priority 1)" in result.explanation
    assert "Turin" not in result.explanation


def test_a_split_breaks_ties_on_line_count_by_priority_then_location_id() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2), deny(2, item_id=3)]
    candidates = [
        location(4, priority=1, stock={1: 1}),
        location(9, priority=3, stock={2: 1}),
        location(6, priority=1, stock={3: 1}),
    ]

    result = route_lines(lines, candidates)

    assert list(result.assignments) == [9, 4, 6]
    assert result.assignments == {9: [1], 4: [0], 6: [2]}


def test_a_split_never_divides_a_line_between_locations() -> None:
    lines = [deny(0, item_id=1, quantity=4)]
    candidates = [location(1, stock={1: 2}), location(2, stock={1: 2})]

    result = route_lines(lines, candidates)

    assert result.assignments == {}
    assert result.unroutable == [0]


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

    result = route_lines(lines, candidates)

    assert result.unroutable == []
    assert result.assignments == {1: [1, 2], 2: [0]}


def test_without_split_shipments_every_line_is_unroutable_when_no_location_has_all() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2)]
    candidates = [location(1, stock={1: 1}), location(2, stock={2: 1})]

    result = route_lines(lines, candidates, allow_split=False)

    assert result.assignments == {}
    assert result.unroutable == [0, 1]
    assert "split" in result.explanation
    assert "No single location" in result.explanation


def test_without_split_shipments_one_location_that_has_everything_still_serves() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=2)]
    candidates = [location(1, priority=5, stock={1: 1}), location(2, stock={1: 1, 2: 1})]

    result = route_lines(lines, candidates, allow_split=False)

    assert result.assignments == {2: [0, 1]}
    assert result.unroutable == []


# unroutable lines


def test_lines_no_location_can_serve_come_back_unroutable() -> None:
    lines = [deny(0, item_id=1), deny(1, item_id=9), keep_selling(2, item_id=8), untracked(3)]
    candidates = [location(1, stock={1: 1}), location(2, stock={2: 1})]

    result = route_lines(lines, candidates)

    assert result.unroutable == [1, 2]
    assert result.explanation == "No location can fulfil lines 1, 2."


def test_a_line_left_without_stock_by_the_other_lines_comes_back_unroutable() -> None:
    lines = [deny(0, item_id=1, quantity=3), deny(1, item_id=1, quantity=3)]

    result = route_lines(lines, [location(1, stock={1: 5})])

    assert result.unroutable == [1]


def test_with_no_candidates_every_line_is_unroutable() -> None:
    lines = [deny(0, item_id=1), untracked(1)]

    assert route_lines(lines, []).unroutable == [0, 1]
    assert route_lines(lines, [], allow_split=False).unroutable == [0, 1]


# determinism


SCENARIOS = {
    "single location, tied priorities": (
        [deny(0, item_id=1), untracked(1)],
        [
            location(8, priority=2, stock={1: 1}),
            location(3, priority=2, stock={1: 1}),
            location(5, priority=1, stock={1: 9}),
            location(4, priority=2, stock={}),
        ],
    ),
    "split with ties": (
        [deny(0, item_id=1), deny(1, item_id=2), deny(2, item_id=3), deny(3, item_id=4)],
        [
            location(8, priority=1, stock={1: 1, 2: 1}),
            location(3, priority=1, stock={3: 1, 4: 1}),
            location(5, priority=1, stock={2: 1, 3: 1}),
            location(4, priority=1, stock={1: 1, 4: 1}),
        ],
    ),
    "unroutable": (
        [deny(0, item_id=1, quantity=2), deny(1, item_id=2), deny(2, item_id=7)],
        [
            location(2, priority=0, stock={1: 1}),
            location(1, priority=0, stock={2: 1}),
            location(6, priority=3, stock={1: 2}),
        ],
    ),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_result_does_not_depend_on_the_order_of_the_candidates(scenario: str) -> None:
    lines, candidates = SCENARIOS[scenario]
    expected = route_lines(lines, candidates)

    for permutation in itertools.permutations(candidates):
        result = route_lines(lines, permutation)
        assert result == expected
        assert list(result.assignments) == list(expected.assignments)


def random_request(rng: random.Random) -> tuple[list[LineDemand], list[Candidate]]:
    items = list(range(1, rng.randint(2, 5)))
    lines = []
    for index in range(rng.randint(1, 6)):
        kind = rng.choice([deny, deny, keep_selling, untracked])
        lines.append(kind(index, rng.choice(items), rng.randint(1, 4)))
    candidates = [
        location(
            location_id,
            priority=rng.randint(0, 2),
            stock={item: rng.randint(0, 6) for item in items if rng.random() < 0.6},
        )
        for location_id in rng.sample(range(1, 50), k=rng.randint(0, 5))
    ]
    return lines, candidates


def check_feasible(
    result: RoutingResult, lines: Sequence[LineDemand], candidates: Sequence[Candidate]
) -> None:
    """Every line placed once, where its item is stocked and its units are available."""
    by_id = {candidate.location_id: candidate for candidate in candidates}
    placed = sorted(index for indexes in result.assignments.values() for index in indexes)
    assert placed == [line.index for line in lines]
    for location_id, indexes in result.assignments.items():
        assert indexes == sorted(indexes)
        available = by_id[location_id].available
        needed: dict[int, int] = defaultdict(int)
        for index in indexes:
            demand = lines[index]
            if demand.needs_level:
                assert demand.item_id in available
            if demand.needs_stock:
                assert demand.item_id is not None
                needed[demand.item_id] += demand.quantity
        assert all(needed[item] <= available[item] for item in needed)


def can_serve_all(candidate: Candidate, lines: Sequence[LineDemand]) -> bool:
    needed: dict[int, int] = defaultdict(int)
    for line in lines:
        if line.needs_level and line.item_id not in candidate.available:
            return False
        if line.needs_stock and line.item_id is not None:
            needed[line.item_id] += line.quantity
    return all(needed[item] <= candidate.available[item] for item in needed)


def test_random_requests_route_feasibly_and_independently_of_candidate_order() -> None:
    rng = random.Random(SEED)
    for _ in range(1500):
        lines, candidates = random_request(rng)
        allow_split = rng.random() < 0.8

        result = route_lines(lines, candidates, allow_split=allow_split)

        shuffled = rng.sample(candidates, k=len(candidates))
        again = route_lines(lines, shuffled, allow_split=allow_split)
        assert again == result
        assert list(again.assignments) == list(result.assignments)
        assert result.explanation

        whole = [c for c in candidates if can_serve_all(c, lines)]
        if whole:
            best = min(whole, key=lambda c: (-c.priority, c.location_id))
            assert result.assignments == {best.location_id: [line.index for line in lines]}
            assert result.unroutable == []
        elif not allow_split:
            assert result.assignments == {}
            assert result.unroutable == [line.index for line in lines]
        elif not result.unroutable:
            assert len(result.assignments) >= 2
            check_feasible(result, lines, candidates)
        else:
            assert set(result.unroutable) <= {line.index for line in lines}
            assert result.unroutable == sorted(result.unroutable)
