"""Choosing the locations that fulfil an order, and saying why: pure functions, no database.

``decide`` is the interface every caller uses (order creation, previews, reroutes; later
edits and drafts). The rules are data: a ``Ruleset`` the merchant orders and versions.
"""

from oms_graphql.routing.engine import decide
from oms_graphql.routing.types import (
    DEFAULT_RULESET,
    Assignment,
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
    Score,
    Strategy,
)

__all__ = [
    "DEFAULT_RULESET",
    "Assignment",
    "Candidate",
    "CandidateReport",
    "Decision",
    "Delivery",
    "Destination",
    "Exclusion",
    "LineDemand",
    "RoutingRequest",
    "Rule",
    "RuleType",
    "Ruleset",
    "Score",
    "Strategy",
    "decide",
]
