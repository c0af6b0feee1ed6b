from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import strawberry

from oms_graphql import models
from oms_graphql.fulfillment import rules
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.fulfillment.enums import (
    RoutingExclusionReason,
    RoutingRuleType,
    RoutingStrategy,
)
from oms_graphql.graphql.locations.types import Location
from oms_graphql.graphql.node import Node, register_node
from oms_graphql.ids import encode_gid
from oms_graphql.routing import Exclusion, Ruleset, RuleType, Strategy


@strawberry.type(description="One rule of the routing ruleset.")
class RoutingRule:
    type: RoutingRuleType = strawberry.field(description="What the rule does.")
    enabled: bool = strawberry.field(description="Whether it applies.")


@strawberry.type(description="The routing rules in force: a version, applied in list order.")
class RoutingRules(Node):
    version: int = strawberry.field(
        description="Incremented by every routingRulesUpdate; decisions name the version used."
    )
    rules: list[RoutingRule] = strawberry.field(description="Every rule, in the order applied.")
    local_delivery_radius_km: float = strawberry.field(
        description="How far from the address a location may be to deliver locally."
    )

    @classmethod
    def of(cls, ruleset: Ruleset) -> RoutingRules:
        return cls(
            id=strawberry.ID(encode_gid("RoutingRules", ruleset.version)),
            version=ruleset.version,
            rules=[RoutingRule(type=rule.type, enabled=rule.enabled) for rule in ruleset.rules],
            local_delivery_radius_km=ruleset.local_delivery_radius_km,
        )


async def _load_rules(info: Info, versions: Sequence[int]) -> list[RoutingRules | None]:
    async with info.context.db.reading() as session:
        found = await rules.by_versions(session, versions)
    return [RoutingRules.of(ruleset) if ruleset else None for ruleset in found]


register_node("RoutingRules", read_scope="read_settings", load=_load_rules)


async def _location(info: Info, location_id: int) -> Location:
    row = await info.context.loaders.decision_location.load(location_id)
    assert row is not None
    return Location.from_model(row)


@strawberry.type(description="Units of one line sent to a location.")
class RoutingLineItem:
    sku: str | None = strawberry.field(description="The SKU; null for custom lines.")
    quantity: int = strawberry.field(description="How many units.")
    line_item_id: strawberry.ID | None = strawberry.field(
        description="The order's line item; null in previews."
    )

    @classmethod
    def of(cls, entry: dict[str, Any]) -> RoutingLineItem:
        line_id = entry.get("orderLineId")
        return cls(
            sku=entry.get("sku"),
            quantity=entry["quantity"],
            line_item_id=strawberry.ID(encode_gid("LineItem", line_id)) if line_id else None,
        )


@strawberry.type(description="The lines one location fulfils, and why it was chosen.")
class RoutingAssignment:
    location_id: strawberry.Private[int]
    line_items: list[RoutingLineItem] = strawberry.field(description="What it fulfils.")
    reason: str = strawberry.field(description="Why this location, in a merchant's words.")

    @strawberry.field(description="The location.")
    async def location(self, info: Info) -> Location:
        return await _location(info, self.location_id)


@strawberry.type(description="One rule's measure of a candidate location.")
class RoutingScore:
    rule: RoutingRuleType = strawberry.field(description="The rule.")
    score: float = strawberry.field(
        description=(
            "In the rule's own unit: MINIMIZE_SPLITS lines it can fulfil, CLOSEST kilometres, "
            "RANKED priority, SAME_COUNTRY 1 or 0, BALANCE_STOCK units available, CAPACITY "
            "orders it can still take today."
        )
    )


@strawberry.type(description="A location routing considered.")
class RoutingCandidate:
    location_id: strawberry.Private[int]
    eligible: bool = strawberry.field(description="Whether it could be chosen.")
    exclusions: list[RoutingExclusionReason] = strawberry.field(
        description="Why it could not be chosen; empty when eligible."
    )
    excluded_because: str | None = strawberry.field(
        description="The exclusions in words, with the numbers; null when eligible."
    )
    scores: list[RoutingScore] = strawberry.field(description="Each enabled rule's measure.")
    rank: int | None = strawberry.field(
        description="1 for the best eligible location by the rules; null when excluded."
    )

    @strawberry.field(description="The location.")
    async def location(self, info: Info) -> Location:
        return await _location(info, self.location_id)


@dataclass(frozen=True, slots=True)
class DecisionFacts:
    """A decision as stored (or as just taken, for a preview)."""

    strategy: str
    ruleset_version: int
    decided_at: datetime
    split_count: int
    explanation: str
    details: dict[str, Any]

    @classmethod
    def of_row(cls, row: models.RoutingDecision) -> DecisionFacts:
        return cls(
            row.strategy,
            row.ruleset_version,
            row.decided_at,
            row.split_count,
            row.explanation,
            row.details,
        )


@strawberry.type(
    description=(
        "Where routing sent an order's lines and why: every candidate location with its "
        "exclusions and scores, the assignments, and a paragraph a merchant can read."
    )
)
class RoutingDecision:
    facts: strawberry.Private[DecisionFacts]
    strategy: RoutingStrategy = strawberry.field(description="The shape of the decision.")
    ruleset_version: int = strawberry.field(description="The version of the rules applied.")
    decided_at: datetime = strawberry.field(description="When it was decided.")
    split_count: int = strawberry.field(
        description="Locations beyond the first: 0 when one location fulfils everything."
    )
    explanation: str = strawberry.field(description="The decision in a merchant's words.")
    candidates_omitted: int = strawberry.field(
        description="Excluded locations not kept with the decision (only the best 100 "
        "candidates are kept)."
    )

    @strawberry.field(description="Which location fulfils which lines, most preferred first.")
    def assignments(self) -> list[RoutingAssignment]:
        return [
            RoutingAssignment(
                location_id=entry["locationId"],
                line_items=[RoutingLineItem.of(line) for line in entry["lineItems"]],
                reason=entry["reason"],
            )
            for entry in self.facts.details["assignments"]
        ]

    @strawberry.field(description="Lines no eligible location could take (previews only).")
    def unrouted_line_items(self) -> list[RoutingLineItem]:
        return [RoutingLineItem.of(line) for line in self.facts.details["unroutedLineItems"]]

    @strawberry.field(description="The locations considered: eligible ones by rank, then the rest.")
    def candidates(self) -> list[RoutingCandidate]:
        return [
            RoutingCandidate(
                location_id=entry["locationId"],
                eligible=not entry["exclusions"],
                exclusions=[Exclusion(code) for code in entry["exclusions"]],
                excluded_because=entry["excludedBecause"],
                scores=[
                    RoutingScore(rule=RuleType(rule), score=score)
                    for rule, score in entry["scores"]
                ],
                rank=entry["rank"],
            )
            for entry in self.facts.details["candidates"]
        ]

    @classmethod
    def of(cls, facts: DecisionFacts) -> RoutingDecision:
        return cls(
            facts=facts,
            strategy=Strategy(facts.strategy),
            ruleset_version=facts.ruleset_version,
            decided_at=facts.decided_at,
            split_count=facts.split_count,
            explanation=facts.explanation,
            candidates_omitted=facts.details.get("candidatesOmitted", 0),
        )
