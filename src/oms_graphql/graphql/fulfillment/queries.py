from __future__ import annotations

import enum
from typing import Annotated

import strawberry

from oms_graphql.errors import BadUserInput, DomainError
from oms_graphql.fulfillment import preview, repository, rules
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.fulfillment.inputs import RoutingPreviewInput
from oms_graphql.graphql.fulfillment.shipments import Fulfillment
from oms_graphql.graphql.fulfillment.types import DecisionFacts, RoutingDecision, RoutingRules
from oms_graphql.graphql.node import GlobalIdArgument, resolve_nodes
from oms_graphql.graphql.orders.types import FulfillmentOrder
from oms_graphql.graphql.pagination import (
    After,
    Before,
    Connection,
    First,
    Last,
    Reverse,
    listing_connection,
)
from oms_graphql.graphql.permissions import requires
from oms_graphql.search import describe


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
                result = await preview.preview(session, given)
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


@strawberry.enum(description="How to order a list of fulfillment orders.")
class FulfillmentOrderSortKeys(enum.Enum):
    ID = "ID"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"


@strawberry.type
class FulfillmentQueries:
    @strawberry.field(
        description=(
            "Fulfillment orders, open ones unless includeClosed, e.g. "
            "'assigned_location_id:3 status:on_hold'. "
            f"Fields: {describe(repository.FULFILLMENT_ORDER_SEARCH)}."
        ),
        extensions=requires("read_fulfillments"),
    )
    async def fulfillment_orders(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        query: Annotated[str | None, strawberry.argument(description="Search.")] = None,
        sort_key: Annotated[
            FulfillmentOrderSortKeys, strawberry.argument(description="Order of the list.")
        ] = FulfillmentOrderSortKeys.ID,
        reverse: Reverse = False,
        include_closed: Annotated[
            bool,
            strawberry.argument(description="Also finished ones: CLOSED, CANCELLED, INCOMPLETE."),
        ] = False,
    ) -> Connection[FulfillmentOrder]:
        return await listing_connection(
            info,
            repository.FULFILLMENT_ORDERS,
            FulfillmentOrder.from_model,
            first=first,
            after=after,
            last=last,
            before=before,
            query=query,
            sort_key=sort_key.value,
            reverse=reverse,
            scope=repository.fulfillment_orders_scope(include_closed=include_closed),
        )

    @strawberry.field(
        description="A fulfillment by id; null when there is none or you may not see it.",
        extensions=requires("read_fulfillments"),
    )
    async def fulfillment(self, info: Info, id: GlobalIdArgument) -> Fulfillment | None:
        found = await resolve_nodes(info, [id])
        node = found[0]
        return node if isinstance(node, Fulfillment) else None
