"""The interim rule: one location when one can serve everything, else the fewest.

Candidates are preferred by priority (higher first), then by id, so the choice is
deterministic. A split takes, again and again, the location that can serve the most of the
lines still open (greedy; exact set cover is not needed). Lines are never divided between
locations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from oms_graphql.routing.types import Candidate, LineDemand, RoutingRequest, RoutingResult


def _servable(candidate: Candidate, lines: Sequence[LineDemand]) -> list[int]:
    """The most lines (in index order) this candidate can take together, sharing its stock:
    of the lines that compete for one item's units, the smallest are taken first."""
    taken: dict[int, int] = defaultdict(int)
    servable = []
    for line in sorted(lines, key=lambda line: line.quantity if line.needs_stock else 0):
        if line.needs_level:
            if line.item_id is None or line.item_id not in candidate.available:
                continue
            if line.needs_stock:
                left = candidate.available[line.item_id] - taken[line.item_id]
                if left < line.quantity:
                    continue
                taken[line.item_id] += line.quantity
        servable.append(line.index)
    return sorted(servable)


def _names(candidates: Sequence[Candidate]) -> str:
    return ", ".join(f"{c.name} (priority {c.priority})" for c in candidates)


def route(request: RoutingRequest) -> RoutingResult:
    lines = list(request.lines)
    if not lines:
        return RoutingResult(explanation="There is nothing to fulfil.")
    preferred = sorted(request.candidates, key=lambda c: (-c.priority, c.location_id))
    everything = [line.index for line in lines]
    for candidate in preferred:
        if _servable(candidate, lines) == everything:
            return RoutingResult(
                assignments={candidate.location_id: everything},
                explanation=(
                    f"{candidate.name} (priority {candidate.priority}) is the highest-priority "
                    "location that can fulfil every line."
                ),
            )
    if not request.allow_split:
        return RoutingResult(
            unroutable=everything,
            explanation=(
                "No single location can fulfil every line, and the channel does not allow "
                "split shipments."
            ),
        )
    open_lines = lines
    chosen: list[Candidate] = []
    assignments: dict[int, list[int]] = {}
    while open_lines:
        best: Candidate | None = None
        best_lines: list[int] = []
        for candidate in preferred:
            if candidate.location_id in assignments:
                continue
            servable = _servable(candidate, open_lines)
            if len(servable) > len(best_lines):
                best, best_lines = candidate, servable
        if best is None:
            break
        chosen.append(best)
        assignments[best.location_id] = best_lines
        open_lines = [line for line in open_lines if line.index not in set(best_lines)]
    unroutable = [line.index for line in open_lines]
    if unroutable:
        return RoutingResult(
            unroutable=unroutable,
            explanation="No location can fulfil lines " + ", ".join(map(str, unroutable)) + ".",
        )
    return RoutingResult(
        assignments=assignments,
        explanation=(
            f"No single location can fulfil every line; split across {len(chosen)} "
            f"locations, each taking the most lines still open: {_names(chosen)}."
        ),
    )
