"""The routing ruleset in force, and new versions of it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.actor import current_actor
from oms_graphql.errors import DomainError, Problem
from oms_graphql.events import EventType, record_event
from oms_graphql.fulfillment import repository
from oms_graphql.ids import GlobalId
from oms_graphql.models import RoutingRuleset
from oms_graphql.routing import DEFAULT_RULESET, Rule, Ruleset, RuleType

RADIUS_MAX_KM = 1_000.0


@dataclass(frozen=True, slots=True)
class RuleChoice:
    """One entry of ``routingRulesUpdate``: a rule type (as given) and whether it applies."""

    type: str
    enabled: bool = True


def from_row(row: RoutingRuleset) -> Ruleset:
    return Ruleset(
        version=row.version,
        rules=tuple(Rule(RuleType(rule["type"]), bool(rule["enabled"])) for rule in row.rules),
        local_delivery_radius_km=row.local_delivery_radius_km,
    )


async def current(session: AsyncSession) -> Ruleset:
    """The newest version; the built-in default when none was ever stored."""
    row = await repository.latest_ruleset(session)
    return from_row(row) if row is not None else DEFAULT_RULESET


async def by_versions(session: AsyncSession, versions: Sequence[int]) -> list[Ruleset | None]:
    """Rulesets by version; version 1 is the built-in default even when no row holds it."""
    found = {
        row.version: from_row(row)
        for row in await repository.rulesets_by_version(session, versions)
    }
    found.setdefault(DEFAULT_RULESET.version, DEFAULT_RULESET)
    return [found.get(version) for version in versions]


def _checked_rules(choices: Sequence[RuleChoice]) -> tuple[Rule, ...]:
    problems: list[Problem] = []
    if not choices:
        raise DomainError.single(
            "BLANK", "give at least one rule, in the order they apply", ("rules",)
        )
    rules: list[Rule] = []
    seen: set[RuleType] = set()
    known = ", ".join(RuleType)
    for index, choice in enumerate(choices):
        path = ("rules", str(index), "type")
        name = choice.type.strip().upper()
        if name not in RuleType.__members__:
            problems.append(
                Problem(
                    "UNKNOWN_RULE", f"{choice.type!r} is not a rule type; use one of {known}", path
                )
            )
            continue
        rule_type = RuleType(name)
        if rule_type in seen:
            problems.append(Problem("DUPLICATE", f"{name} is listed twice", path))
            continue
        seen.add(rule_type)
        rules.append(Rule(rule_type, choice.enabled))
    if problems:
        raise DomainError(problems)
    if not any(rule.enabled for rule in rules):
        raise DomainError.single(
            "NO_RULE_ENABLED",
            "enable at least one rule, or routing has nothing to go by",
            ("rules",),
        )
    # Rules left out are kept, switched off, so that every reading lists all of them.
    rules += [Rule(rule_type, enabled=False) for rule_type in RuleType if rule_type not in seen]
    return tuple(rules)


def _checked_radius(value: float | None, current_radius: float) -> float:
    if value is None:
        return current_radius
    if not math.isfinite(value) or not 0 < value <= RADIUS_MAX_KM:
        raise DomainError.single(
            "OUT_OF_RANGE",
            f"the local delivery radius is more than 0 and at most {RADIUS_MAX_KM:g} km",
            ("localDeliveryRadiusKm",),
        )
    return value


async def update(
    session: AsyncSession,
    choices: Sequence[RuleChoice],
    *,
    local_delivery_radius_km: float | None = None,
    expected_version: int | None = None,
) -> Ruleset:
    """Store the next version of the rules; older decisions keep naming the version they
    followed."""
    rules = _checked_rules(choices)
    in_force = await current(session)
    radius = _checked_radius(local_delivery_radius_km, in_force.local_delivery_radius_km)
    if expected_version is not None and expected_version != in_force.version:
        raise DomainError.single(
            "STALE",
            f"the rules are at version {in_force.version}, not {expected_version}",
            ("expectedVersion",),
        )
    version = in_force.version + 1
    try:
        async with session.begin_nested():
            await repository.add_ruleset(
                session,
                version=version,
                rules=[{"type": rule.type.value, "enabled": rule.enabled} for rule in rules],
                local_delivery_radius_km=radius,
                actor=current_actor(),
            )
    except IntegrityError as error:
        raise DomainError.single(
            "STALE", "the rules changed at the same time; read them again", ("expectedVersion",)
        ) from error
    await record_event(
        session,
        EventType.ROUTING_RULES_UPDATED,
        GlobalId("RoutingRules", version),
        {
            "version": version,
            "rules": [{"type": rule.type.value, "enabled": rule.enabled} for rule in rules],
            "localDeliveryRadiusKm": radius,
        },
    )
    return Ruleset(version, rules, radius)
