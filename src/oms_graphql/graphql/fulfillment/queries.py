from __future__ import annotations

from typing import Annotated

import strawberry

from oms_graphql.errors import BadUserInput, DomainError
from oms_graphql.fulfillment import preview, rules
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.fulfillment.inputs import RoutingPreviewInput
from oms_graphql.graphql.fulfillment.types import DecisionFacts, RoutingDecision, RoutingRules
from oms_graphql.graphql.permissions import requires


def _refused(error: DomainError) -> BadUserInput:
    """A preview has no payload for userErrors: they travel in the error's extensions."""
    return BadUserInput(
        "; ".join(problem.message for problem in error.problems),
        userErrors=[
            {"field": list(problem.field), "message": problem.message, "code": problem.code}
            for problem in error.problems
        ],
    )


@strawberry.type
class RoutingQueries:
    @strawberry.field(
        description="The routing rules in force, in the order they apply.",
        extensions=requires("read_settings"),
    )
    async def routing_rules(self, info: Info) -> RoutingRules:
        async with info.context.db.reading() as session:
            return RoutingRules.of(await rules.current(session))

    @strawberry.field(
        description=(
            "The decision orderCreate would take for this order now, from the same engine, "
            "rules and stock; nothing is written or held. Input orderCreate would refuse is "
            "a BAD_USER_INPUT error whose extensions.userErrors carry the codes and fields."
        ),
        extensions=requires("read_orders"),
    )
    async def routing_preview(
        self,
        info: Info,
        input: Annotated[
            RoutingPreviewInput, strawberry.argument(description="The hypothetical order.")
        ],
    ) -> RoutingDecision:
        given = input.to_service()
        async with info.context.db.reading() as session:
            try:
                result = await preview.preview(
                    session, given, allowed_channels=info.context.principal.channels
                )
            except DomainError as error:
                raise _refused(error) from None
        decision = result.plan.decision
        return RoutingDecision.of(
            DecisionFacts(
                strategy=decision.strategy.value,
                ruleset_version=decision.ruleset_version,
                decided_at=result.plan.decided_at,
                split_count=decision.split_count,
                explanation=decision.explanation,
                details=result.details,
            )
        )
