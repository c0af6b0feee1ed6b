"""Choosing the locations that fulfil an order: pure functions, no database.

``route`` is the interface every caller uses (order creation today; edits, drafts and
reroutes later). Its rule is interim until the rule engine arrives: the highest-priority
location that can serve every line, else a split across as few locations as possible.
"""

from oms_graphql.routing.interim import route
from oms_graphql.routing.types import Candidate, LineDemand, RoutingRequest, RoutingResult

__all__ = ["Candidate", "LineDemand", "RoutingRequest", "RoutingResult", "route"]
