from __future__ import annotations

import strawberry

from oms_graphql.routing import Exclusion, RuleType, Strategy

RoutingRuleType = RuleType
strawberry.enum(
    RoutingRuleType,
    name="RoutingRuleType",
    description=(
        "A routing rule. Filters: PICKUP_LOCATION (pickup orders go to the chosen location), "
        "EXCLUDE_UNAVAILABLE (skip locations that don't fulfil online orders or serve the "
        "channel), CAPACITY (skip locations at their daily order capacity, unless nothing "
        "else can fulfil). Rankings, in list order: MINIMIZE_SPLITS (fewest locations), "
        "CLOSEST (great-circle distance), RANKED (higher priority first), SAME_COUNTRY, "
        "BALANCE_STOCK (most available first)."
    ),
)
RoutingStrategy = Strategy
strawberry.enum(
    RoutingStrategy,
    name="RoutingStrategy",
    description=(
        "The shape of a decision: one location, a split across several, a pickup, or "
        "UNROUTABLE when some lines have nowhere to go (previews only)."
    ),
)
RoutingExclusionReason = Exclusion
strawberry.enum(
    RoutingExclusionReason,
    name="RoutingExclusionReason",
    description="Why a location could not take part in a routing decision.",
)
