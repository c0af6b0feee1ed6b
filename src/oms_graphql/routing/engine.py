"""The routing engine: which locations fulfil an order's lines, and why. A pure function.

Filters first: a location is excluded when it is inactive, when the request leaves it out,
when a pickup order names another location (PICKUP_LOCATION), when it does not fulfil
online orders or serve the channel (EXCLUDE_UNAVAILABLE), when it is full for the UTC day
(CAPACITY), or when it cannot fulfil any line. The eligible locations are then taken one
at a time, greedily: each round picks the best by the ranking rules in the merchant's
order (MINIMIZE_SPLITS counts the lines still open it can fulfil, so with it first one
location beats a split), and the chosen location takes every open line it can. Lines are
never divided between locations. Ties on every rule go to the lowest location id, so the
same input always gives the same decision.

Capacity is a preference, not a wall: when the order cannot be routed without locations
that are full for the day, it is routed again with them, and the explanation says so.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from oms_graphql.country_centroids import centroid
from oms_graphql.geo import EARTH_RADIUS_KM
from oms_graphql.routing.types import (
    RANKING_RULES,
    Assignment,
    Candidate,
    CandidateReport,
    Decision,
    Delivery,
    Exclusion,
    LineDemand,
    RoutingRequest,
    RuleType,
    Score,
    Strategy,
)

_RULE_WORDS = {
    RuleType.MINIMIZE_SPLITS: "fewest locations",
    RuleType.CLOSEST: "closest",
    RuleType.RANKED: "highest priority",
    RuleType.SAME_COUNTRY: "same country",
    RuleType.BALANCE_STOCK: "most stock",
}
_EXCLUSIONS_LISTED = 5


@dataclass(slots=True)
class _Option:
    """A candidate as the engine sees it."""

    candidate: Candidate
    mask: int
    """Bit i set: the location can fulfil line i on its own."""
    distance: float | None
    stock: int
    full: bool = False
    """At its daily order capacity (only set aside when nothing else can fulfil)."""
    exclusions: tuple[Exclusion, ...] = ()
    static_key: tuple[float, ...] = ()
    """The ranking key but for MINIMIZE_SPLITS, which depends on the lines still open."""
    whole: int = 0
    """The lines it can take together out of all of them (a bit mask)."""


@dataclass(frozen=True, slots=True)
class _Context:
    request: RoutingRequest
    lines: Sequence[LineDemand]
    point: tuple[float, float] | None
    phi: float
    cos_phi: float
    """The destination's latitude in radians, and its cosine (for distances)."""
    approximate: bool
    """The destination point is its country's centre, not the address's coordinates."""
    pickup: bool
    local: bool
    shared_stock: bool
    """Two stock-needing lines want the same item: they compete for one location's units."""
    country: str | None
    """The destination's country code, upper case."""
    enabled: frozenset[RuleType]
    ranking: tuple[RuleType, ...]
    splits_at: int | None
    """Where MINIMIZE_SPLITS sits in a ranking key (after the capacity flag), if enabled."""
    scored: tuple[RuleType, ...]
    """The enabled rules that measure a location, in the ruleset's order."""
    screen_unavailable: bool
    """EXCLUDE_UNAVAILABLE is on."""
    narrowed: bool
    """The request limits locations itself: pickup, local delivery, reservation, reroute."""
    tracked_mask: int
    """Bit i set: line i needs a stocked item (untracked lines fit anywhere)."""


def decide(request: RoutingRequest) -> Decision:
    """Route ``request``; see the module's description for the rules."""
    if not request.lines:
        return Decision(
            strategy=Strategy.UNROUTABLE,
            ruleset_version=request.ruleset.version,
            explanation="There is nothing to fulfil.",
        )
    context = _context(request)
    decision = _route(context, honour_capacity=True)
    if decision.unroutable and any(
        report.exclusions == (Exclusion.OVER_CAPACITY,) for report in decision.candidates
    ):
        relaxed = _route(context, honour_capacity=False)
        if len(relaxed.unroutable) < len(decision.unroutable):
            return Decision(
                strategy=relaxed.strategy,
                ruleset_version=relaxed.ruleset_version,
                assignments=relaxed.assignments,
                candidates=relaxed.candidates,
                unroutable=relaxed.unroutable,
                explanation=(
                    "The order could not be routed within the locations' daily order "
                    "capacity, so capacity was set aside for it: locations with room left "
                    "still come first. " + relaxed.explanation
                ),
            )
    return decision


def _context(request: RoutingRequest) -> _Context:
    destination = request.destination
    point: tuple[float, float] | None = None
    approximate = False
    if destination.latitude is not None and destination.longitude is not None:
        point = (destination.latitude, destination.longitude)
    else:
        point = centroid(destination.country_code)
        approximate = point is not None
    stock_items = [line.item_id for line in request.lines if line.needs_stock]
    enabled = frozenset(rule.type for rule in request.ruleset.rules if rule.enabled)
    ranking = request.ruleset.ranking
    tracked_mask = 0
    for bit, line in enumerate(request.lines):
        if line.needs_level:
            tracked_mask |= 1 << bit
    return _Context(
        request=request,
        lines=request.lines,
        point=point,
        phi=math.radians(point[0]) if point else 0.0,
        cos_phi=math.cos(math.radians(point[0])) if point else 0.0,
        approximate=approximate,
        pickup=request.delivery == Delivery.PICKUP and RuleType.PICKUP_LOCATION in enabled,
        local=request.delivery == Delivery.LOCAL_DELIVERY,
        shared_stock=len(stock_items) != len(set(stock_items)),
        country=destination.country_code.upper() if destination.country_code else None,
        tracked_mask=tracked_mask,
        enabled=enabled,
        ranking=ranking,
        splits_at=ranking.index(RuleType.MINIMIZE_SPLITS) + 1
        if RuleType.MINIMIZE_SPLITS in ranking
        else None,
        screen_unavailable=RuleType.EXCLUDE_UNAVAILABLE in enabled,
        narrowed=bool(
            request.delivery == Delivery.LOCAL_DELIVERY
            or (request.delivery == Delivery.PICKUP and RuleType.PICKUP_LOCATION in enabled)
            or request.excluded_location_ids
            or request.included_location_ids is not None
            or request.reserved_location_id is not None
        ),
        scored=tuple(
            rule.type
            for rule in request.ruleset.rules
            if rule.enabled and (rule.type in RANKING_RULES or rule.type is RuleType.CAPACITY)
        ),
    )


def _can_fulfil(candidate: Candidate, line: LineDemand) -> bool:
    if not line.needs_level:
        return True
    if line.item_id is None or line.item_id not in candidate.available:
        return False
    return not line.needs_stock or candidate.available[line.item_id] >= line.quantity


def _distance(context: _Context, candidate: Candidate) -> float | None:
    """Kilometres to the destination, to 0.1 km (nearer is not a real difference)."""
    if context.point is None:
        return None
    if candidate.latitude is not None and candidate.longitude is not None:
        latitude, longitude = candidate.latitude, candidate.longitude
    else:
        here = centroid(candidate.country_code)
        if here is None:
            return math.inf
        latitude, longitude = here
    # geo.distance_km's haversine, with the destination's half of it computed once.
    phi = math.radians(latitude)
    h = (
        math.sin((phi - context.phi) / 2) ** 2
        + context.cos_phi
        * math.cos(phi)
        * math.sin(math.radians(longitude - context.point[1]) / 2) ** 2
    )
    return round(2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h))), 1)


def _exclusions(
    context: _Context, candidate: Candidate, mask: int, distance: float | None, capacity: bool
) -> tuple[Exclusion, ...]:
    request = context.request
    # The common case, cheaply: no request-level limits, nothing wrong with the location.
    if (
        not context.narrowed
        and candidate.is_active
        and mask
        and (
            (candidate.fulfills_online_orders and candidate.serves_channel)
            or not context.screen_unavailable
        )
        and not (capacity and _full(context, candidate))
    ):
        return ()
    found: list[Exclusion] = []
    location_id = candidate.location_id
    if location_id in request.excluded_location_ids:
        found.append(Exclusion.EXCLUDED_BY_REQUEST)
    if request.included_location_ids is not None and location_id not in (
        request.included_location_ids
    ):
        found.append(Exclusion.NOT_INCLUDED_BY_REQUEST)
    if request.reserved_location_id not in (None, location_id):
        found.append(Exclusion.RESERVATION_ELSEWHERE)
    chosen_pickup = context.pickup and location_id == request.pickup_location_id
    if context.pickup and not chosen_pickup:
        found.append(Exclusion.NOT_PICKUP_LOCATION)
    if not candidate.is_active:
        found.append(Exclusion.INACTIVE)
    if context.screen_unavailable:
        if not candidate.fulfills_online_orders and not chosen_pickup:
            found.append(Exclusion.NOT_FULFILLING_ONLINE_ORDERS)
        if not candidate.serves_channel:
            found.append(Exclusion.CHANNEL_NOT_SERVED)
    if context.local:
        if candidate.is_fulfillment_service:
            found.append(Exclusion.NO_LOCAL_DELIVERY)
        elif _out_of_local_range(context, candidate, distance):
            found.append(Exclusion.OUT_OF_LOCAL_DELIVERY_RANGE)
    if capacity and _full(context, candidate):
        found.append(Exclusion.OVER_CAPACITY)
    if mask == 0:
        found.append(Exclusion.NO_STOCK)
    return tuple(found)


def _full(context: _Context, candidate: Candidate) -> bool:
    return (
        RuleType.CAPACITY in context.enabled
        and candidate.daily_order_capacity is not None
        and candidate.orders_today >= candidate.daily_order_capacity
    )


def _out_of_local_range(context: _Context, candidate: Candidate, distance: float | None) -> bool:
    """Beyond the radius from the address's coordinates; without coordinates on either side,
    in another country."""
    if context.approximate or distance is None or candidate.latitude is None:
        return context.country is not None and _country(candidate) != context.country
    return distance > context.request.ruleset.local_delivery_radius_km


def _country(candidate: Candidate) -> str | None:
    return candidate.country_code.upper() if candidate.country_code else None


def _options(context: _Context, capacity: bool) -> list[_Option]:
    # The hot loop of every decision (candidates x lines): plain locals, no helpers per line.
    lines = [
        (1 << bit, line.item_id, line.quantity, line.needs_level, line.needs_stock)
        for bit, line in enumerate(context.lines)
    ]
    measure = RuleType.CLOSEST in context.enabled or context.local
    tracked_items = [
        line.item_id for line in context.lines if line.needs_level and line.item_id is not None
    ]
    stocked_items = set(tracked_items)
    repeated_items = len(stocked_items) != len(tracked_items)
    tracked_mask = context.tracked_mask
    everything = (1 << len(lines)) - 1
    options = []
    for candidate in context.request.candidates:
        available = candidate.available
        mask = stock = 0
        for bit, item_id, quantity, needs_level, needs_stock in lines:
            if not needs_level:
                mask |= bit
                continue
            units = available.get(item_id)  # type: ignore[arg-type]
            if units is not None:
                if not needs_stock or units >= quantity:
                    mask |= bit
                if units > 0:
                    stock += units
        if repeated_items:  # stock counts each item once
            stock = sum(max(0, available.get(item, 0)) for item in stocked_items)
        if tracked_mask and not mask & tracked_mask:
            mask = 0  # untracked lines alone never make a location worth a split
        distance = _distance(context, candidate) if measure else None
        option = _Option(candidate, mask, distance, stock, full=_full(context, candidate))
        option.exclusions = _exclusions(context, candidate, mask, distance, capacity)
        option.whole = _servable(context, option, everything)
        option.static_key = _static_key(context, option)
        options.append(option)
    return options


def _servable(context: _Context, option: _Option, open_mask: int) -> int:
    """The open lines this location can take together (a bit mask): lines competing for one
    item's units share them, smallest first."""
    servable = option.mask & open_mask
    if not context.shared_stock:
        return servable
    taken: dict[int, int] = defaultdict(int)
    result = 0
    bits = [bit for bit in range(len(context.lines)) if servable >> bit & 1]
    for bit in sorted(bits, key=lambda b: context.lines[b].quantity):
        line = context.lines[bit]
        if line.needs_stock and line.item_id is not None:
            left = option.candidate.available[line.item_id] - taken[line.item_id]
            if left < line.quantity:
                continue
            taken[line.item_id] += line.quantity
        result |= 1 << bit
    return result


def _static_key(context: _Context, option: _Option) -> tuple[float, ...]:
    """Lower is better, rule by rule in the merchant's order; the location id breaks ties.

    Locations with room left today come first when capacity had to be set aside.
    MINIMIZE_SPLITS is filled in per round by ``_key``.
    """
    key: list[float] = [1 if option.full else 0]
    candidate = option.candidate
    for rule in context.ranking:
        if rule is RuleType.MINIMIZE_SPLITS:
            key.append(0)
        elif rule is RuleType.CLOSEST:
            key.append(option.distance if option.distance is not None else 0.0)
        elif rule is RuleType.RANKED:
            key.append(-candidate.priority)
        elif rule is RuleType.SAME_COUNTRY:
            same = context.country is None or _country(candidate) == context.country
            key.append(0 if same else 1)
        else:
            key.append(-option.stock)
    key.append(candidate.location_id)
    return tuple(key)


def _key(context: _Context, option: _Option, servable: int) -> tuple[float, ...]:
    """The ranking key when ``servable`` are the lines the location would take."""
    at = context.splits_at
    if at is None:
        return option.static_key
    key = option.static_key
    return (*key[:at], -servable.bit_count(), *key[at + 1 :])


def _score(rule: RuleType, value: float) -> Score:
    # Score's generated __new__ adds a call per score; a decision makes several per location.
    return tuple.__new__(Score, (rule, value))


def _scores(context: _Context, option: _Option) -> tuple[Score, ...]:
    """Each enabled rule's measure of the location, in its own unit (see ``RuleType``)."""
    scores: list[Score] = []
    candidate = option.candidate
    for rule in context.scored:
        if rule is RuleType.CAPACITY:
            if candidate.daily_order_capacity is not None:
                left = max(0, candidate.daily_order_capacity - candidate.orders_today)
                scores.append(_score(rule, float(left)))
        elif rule is RuleType.MINIMIZE_SPLITS:
            scores.append(_score(rule, float(option.whole.bit_count())))
        elif rule is RuleType.CLOSEST:
            if option.distance is not None and math.isfinite(option.distance):
                scores.append(_score(rule, option.distance))
        elif rule is RuleType.RANKED:
            scores.append(_score(rule, float(candidate.priority)))
        elif rule is RuleType.SAME_COUNTRY:
            if context.country is not None:
                same = _country(candidate) == context.country
                scores.append(_score(rule, 1.0 if same else 0.0))
        else:
            scores.append(_score(rule, float(option.stock)))
    return tuple(scores)


def _route(context: _Context, *, honour_capacity: bool) -> Decision:
    request = context.request
    options = _options(context, honour_capacity)
    everything = (1 << len(context.lines)) - 1
    eligible = [option for option in options if not option.exclusions]
    coverable = 0
    for option in eligible:
        coverable |= option.mask
    may_split = request.allow_split and not context.local
    if not may_split:
        for option in eligible:
            if option.whole != everything:
                option.exclusions = (Exclusion.CANNOT_FULFIL_EVERY_LINE,)
        eligible = [option for option in eligible if not option.exclusions]
    ranked = sorted(
        ((_key(context, option, option.whole), option.whole, option) for option in eligible),
        key=lambda contender: contender[0],
    )
    ranks = {contender[2].candidate.location_id: rank for rank, contender in enumerate(ranked, 1)}
    assignments: list[Assignment] = []
    open_mask = everything
    taken: set[int] = set()
    contenders = ranked
    while open_mask and contenders:
        if assignments:  # the first round is the ranking itself
            contenders = []
            for option in eligible:
                if option.candidate.location_id in taken or not option.mask & open_mask:
                    continue
                servable = _servable(context, option, open_mask)
                if servable:
                    contenders.append((_key(context, option, servable), servable, option))
            contenders.sort(key=lambda contender: contender[0])
            if not contenders:
                break
        best_key, servable, best = contenders[0]
        runner_up = contenders[1] if len(contenders) > 1 else None
        reason = _reason(context, best_key, best, runner_up, open_mask, first=not assignments)
        lines = tuple(bit for bit in range(len(context.lines)) if servable >> bit & 1)
        assignments.append(Assignment(best.candidate.location_id, lines, reason))
        taken.add(best.candidate.location_id)
        open_mask &= ~servable
    unroutable = tuple(bit for bit in range(len(context.lines)) if open_mask >> bit & 1)
    reports = tuple(
        CandidateReport(
            location_id=option.candidate.location_id,
            name=option.candidate.name,
            exclusions=option.exclusions,
            excluded_because=_excluded_because(context, option) if option.exclusions else None,
            scores=_scores(context, option),
            rank=ranks.get(option.candidate.location_id),
        )
        for option in sorted(options, key=lambda o: o.candidate.location_id)
    )
    if unroutable or not assignments:
        strategy = Strategy.UNROUTABLE
    elif context.pickup:
        strategy = Strategy.PICKUP
    else:
        strategy = Strategy.SINGLE_LOCATION if len(assignments) == 1 else Strategy.SPLIT
    decision = Decision(
        strategy=strategy,
        ruleset_version=request.ruleset.version,
        assignments=tuple(assignments),
        candidates=reports,
        unroutable=unroutable,
    )
    split_refused = not may_split and coverable == everything
    explanation = _explain(context, decision, options, split_refused)
    return Decision(
        strategy=strategy,
        ruleset_version=request.ruleset.version,
        assignments=decision.assignments,
        candidates=reports,
        unroutable=unroutable,
        explanation=explanation,
    )


def _line_words(context: _Context, indexes: Sequence[int]) -> str:
    words = []
    for index in indexes:
        line = context.lines[index]
        words.append(f"{line.sku or f'line {index + 1}'} × {line.quantity}")
    return ", ".join(words)


def _reason(
    context: _Context,
    best_key: tuple[float, ...],
    best: _Option,
    runner_up: tuple[tuple[float, ...], int, _Option] | None,
    open_mask: int,
    *,
    first: bool,
) -> str:
    if runner_up is None:
        return (
            "the only eligible location"
            if first
            else "the only location able to take what was left"
        )
    rules = context.request.ruleset.ranking
    other_key, _, other = runner_up
    if best_key[0] != other_key[0]:
        return f"it has room left today ({other.candidate.name} is at its daily capacity)"
    for position, rule in enumerate(rules, 1):
        if best_key[position] == other_key[position]:
            continue
        tied = ", ".join(_RULE_WORDS[r] for r in rules[: position - 1])
        why = _rule_reason(context, rule, best, other, open_mask, best_key[position])
        return f"{why}, after tying on {tied}" if tied else why
    return f"equal to {other.candidate.name} on every rule, so the lower location id decides"


def _rule_reason(
    context: _Context,
    rule: RuleType,
    best: _Option,
    other: _Option,
    open_mask: int,
    value: float,
) -> str:
    if rule == RuleType.MINIMIZE_SPLITS:
        count, open_count = int(-value), open_mask.bit_count()
        if count == open_count == len(context.lines):
            return "it can fulfil every line, so the order ships in one piece"
        if count == open_count:
            return "it can fulfil every line still open"
        return f"it can fulfil {count} of the {open_count} open lines, more than any other"
    if rule == RuleType.CLOSEST:
        return (
            f"the closest at {_km(best.distance)} "
            f"({other.candidate.name} is {_km(other.distance)} away)"
        )
    if rule == RuleType.RANKED:
        return (
            f"the highest priority ({best.candidate.priority}; "
            f"{other.candidate.name} has {other.candidate.priority})"
        )
    if rule == RuleType.SAME_COUNTRY:
        return f"in the destination's country ({best.candidate.country_code})"
    return (
        f"the most stock of the ordered items ({best.stock} units; "
        f"{other.candidate.name} has {other.stock})"
    )


def _km(distance: float | None) -> str:
    if distance is None or not math.isfinite(distance):
        return "an unknown distance"
    return f"{distance:,.1f} km"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _excluded_because(context: _Context, option: _Option) -> str:
    candidate = option.candidate
    words = []
    for exclusion in option.exclusions:
        if exclusion == Exclusion.NO_STOCK:
            missing = [
                bit for bit, line in enumerate(context.lines) if not _can_fulfil(candidate, line)
            ]
            shown = _line_words(context, missing[:3]) + (", …" if len(missing) > 3 else "")
            words.append(f"not enough stock for any line (needs {shown})")
        elif exclusion == Exclusion.OVER_CAPACITY:
            words.append(f"reached its daily capacity of {candidate.daily_order_capacity} orders")
        elif exclusion == Exclusion.OUT_OF_LOCAL_DELIVERY_RANGE:
            radius = context.request.ruleset.local_delivery_radius_km
            if context.approximate or option.distance is None:
                words.append("in another country than the local delivery address")
            else:
                words.append(
                    f"{option.distance:,.1f} km away, beyond the {radius:g} km local "
                    "delivery radius"
                )
        elif exclusion == Exclusion.CHANNEL_NOT_SERVED and context.request.channel:
            words.append(f"does not serve the {context.request.channel} channel")
        else:
            words.append(_EXCLUSION_WORDS[exclusion])
    return "; ".join(words)


_EXCLUSION_WORDS = {
    Exclusion.INACTIVE: "inactive",
    Exclusion.NOT_FULFILLING_ONLINE_ORDERS: "does not fulfil online orders",
    Exclusion.CHANNEL_NOT_SERVED: "does not serve the order's channel",
    Exclusion.RESERVATION_ELSEWHERE: "the order's reservation holds its stock elsewhere",
    Exclusion.NOT_PICKUP_LOCATION: "not the pickup location the customer chose",
    Exclusion.CANNOT_FULFIL_EVERY_LINE: "cannot fulfil every line, and the order can't be split",
    Exclusion.NO_LOCAL_DELIVERY: "a fulfillment service, which does not deliver locally",
    Exclusion.EXCLUDED_BY_REQUEST: "excluded by the request",
    Exclusion.NOT_INCLUDED_BY_REQUEST: "not among the locations the request included",
}


def _explain(
    context: _Context, decision: Decision, options: Sequence[_Option], split_refused: bool
) -> str:
    request = context.request
    names = {option.candidate.location_id: option.candidate.name for option in options}
    sentences: list[str] = []
    ranking = request.ruleset.ranking
    sentences.append(
        f"Routing ruleset version {request.ruleset.version} ranks locations by "
        + (", then ".join(_RULE_WORDS[rule] for rule in ranking) or "location id alone")
        + "."
    )
    if RuleType.CLOSEST in ranking and context.approximate:
        sentences.append(
            "The address has no coordinates, so distances are measured from the centre of "
            f"{request.destination.country_code}."
        )
    excluded = [option for option in options if option.exclusions]
    if context.pickup:
        others = sum(1 for o in excluded if Exclusion.NOT_PICKUP_LOCATION in o.exclusions)
        sentences.append(
            "Pickup orders go to the location the customer chose; "
            + (f"the other {_plural(others, 'location was', 'locations were')} not considered.")
        )
        excluded = [o for o in excluded if Exclusion.NOT_PICKUP_LOCATION not in o.exclusions]
    eligible = sum(1 for option in options if not option.exclusions)
    sentences.append(
        f"{eligible} of {_plural(len(options), 'location', 'locations')} "
        + ("was" if eligible == 1 else "were")
        + " eligible."
    )
    if excluded:
        excluded.sort(key=lambda o: (-o.candidate.priority, o.candidate.location_id))
        listed = "; ".join(
            f"{o.candidate.name} (priority {o.candidate.priority}): {_excluded_because(context, o)}"
            for o in excluded[:_EXCLUSIONS_LISTED]
        )
        more = len(excluded) - _EXCLUSIONS_LISTED
        sentences.append(f"Excluded: {listed}" + (f"; and {more} more." if more > 0 else "."))
    if len(decision.assignments) == 1 and not decision.unroutable:
        (assignment,) = decision.assignments
        sentences.append(
            f"{names[assignment.location_id]} fulfils every line: {assignment.reason}."
        )
    elif decision.assignments:
        parts = "; ".join(
            f"{names[a.location_id]} takes {_line_words(context, a.line_indexes)}: {a.reason}"
            for a in decision.assignments
        )
        lead = (
            "No single eligible location can fulfil every line, so the order is split "
            f"across {len(decision.assignments)} locations"
            if not decision.unroutable
            else "Some lines could be placed"
        )
        sentences.append(f"{lead}: {parts}.")
    if decision.unroutable:
        if split_refused:
            why = (
                "local deliveries come from one location"
                if context.local
                else "the channel does not allow split shipments"
            )
            sentences.append(
                f"No eligible location can fulfil every line, and {why}; "
                "the order cannot be routed."
            )
        else:
            sentences.append(
                f"{_line_words(context, decision.unroutable)} cannot be fulfilled: "
                "no eligible location has enough available."
            )
    return " ".join(sentences)
