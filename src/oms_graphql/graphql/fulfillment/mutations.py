from __future__ import annotations

import enum
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.fulfillment import reroute, rules
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.errors import UserError
from oms_graphql.graphql.fulfillment.inputs import RoutingRuleInput
from oms_graphql.graphql.fulfillment.types import RoutingRules
from oms_graphql.graphql.mutation import ExpectedVersion, IdempotencyKey, mutate_payload
from oms_graphql.graphql.orders.types import FulfillmentOrder
from oms_graphql.graphql.permissions import requires
from oms_graphql.ids import decode_gid
from oms_graphql.models import FulfillmentOrder as FulfillmentOrderRow
from oms_graphql.orders import repository as orders
from oms_graphql.routing import Ruleset

_ERRORS = "Problems with the input; when present, nothing was written."


@strawberry.enum(description="Why a routing rules mutation refused its input.")
class RoutingRulesUserErrorCode(enum.Enum):
    BLANK = "BLANK"
    UNKNOWN_RULE = "UNKNOWN_RULE"
    DUPLICATE = "DUPLICATE"
    NO_RULE_ENABLED = "NO_RULE_ENABLED"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    STALE = "STALE"
    IDEMPOTENCY_KEY_MISMATCH = "IDEMPOTENCY_KEY_MISMATCH"


@strawberry.type(description="A problem with the input of routingRulesUpdate.")
class RoutingRulesUserError(UserError[RoutingRulesUserErrorCode]):
    pass


@strawberry.type(description="The result of routingRulesUpdate.")
class RoutingRulesUpdatePayload:
    routing_rules: RoutingRules | None = strawberry.field(
        description="The new version of the rules; null on userErrors."
    )
    user_errors: list[RoutingRulesUserError] = strawberry.field(description=_ERRORS)


@strawberry.enum(description="Why a fulfillment order or fulfillment mutation refused its input.")
class FulfillmentOrderUserErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"
    BLANK = "BLANK"
    INVALID = "INVALID"
    TOO_LONG = "TOO_LONG"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    INVALID_STATE = "INVALID_STATE"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    OVER_FULFILLMENT = "OVER_FULFILLMENT"
    MIXED_LOCATIONS = "MIXED_LOCATIONS"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    STALE = "STALE"
    IDEMPOTENCY_KEY_MISMATCH = "IDEMPOTENCY_KEY_MISMATCH"


@strawberry.type(description="A problem with the input of a fulfillment order mutation.")
class FulfillmentOrderUserError(UserError[FulfillmentOrderUserErrorCode]):
    pass


@strawberry.type(description="The result of fulfillmentOrdersReroute.")
class FulfillmentOrdersReroutePayload:
    moved_fulfillment_orders: list[FulfillmentOrder] | None = strawberry.field(
        description=(
            "Fulfillment orders that moved to another location or were split off; empty when "
            "routing kept everything where it was; null on userErrors."
        )
    )
    user_errors: list[FulfillmentOrderUserError] = strawberry.field(description=_ERRORS)


async def _recall_rules(session: AsyncSession, remembered: Any) -> Ruleset:
    return await rules.current(session)


async def _recall_moved(session: AsyncSession, remembered: Any) -> list[FulfillmentOrderRow]:
    ids = [int(pk) for pk in remembered]
    found = {fo.id: fo for fo in await orders.get_fulfillment_orders(session, ids)}
    return [found[pk] for pk in ids]


def _location_ids(raw: list[strawberry.ID] | None) -> list[int] | None:
    if raw is None:
        return None
    return [decode_gid(value, expected="Location").pk for value in raw]


@strawberry.type
class RoutingMutations:
    @strawberry.mutation(
        description=(
            "Store a new version of the routing rules, in the order they apply. Rules left out "
            "are kept, disabled. Decisions already taken keep naming the version they used."
        ),
        extensions=requires("write_settings"),
    )
    async def routing_rules_update(
        self,
        info: Info,
        rules_: Annotated[
            list[RoutingRuleInput],
            strawberry.argument(name="rules", description="The rules, first applied first."),
        ],
        local_delivery_radius_km: Annotated[
            float | None,
            strawberry.argument(
                description="How far (km) a location may be from a LOCAL_DELIVERY address; "
                "default: unchanged."
            ),
        ] = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> RoutingRulesUpdatePayload:
        choices = [rules.RuleChoice(rule.type, rule.enabled) for rule in rules_]
        return await mutate_payload(
            info,
            RoutingRulesUpdatePayload,
            RoutingRulesUserError,
            operation="routingRulesUpdate",
            arguments={
                "rules": rules_,
                "localDeliveryRadiusKm": local_delivery_radius_km,
                "expectedVersion": expected_version,
            },
            idempotency_key=idempotency_key,
            action=lambda session: rules.update(
                session,
                choices,
                local_delivery_radius_km=local_delivery_radius_km,
                expected_version=expected_version,
            ),
            remember=lambda ruleset: ruleset.version,
            recall=_recall_rules,
            answer=lambda ruleset: RoutingRulesUpdatePayload(
                routing_rules=RoutingRules.of(ruleset), user_errors=[]
            ),
        )

    @strawberry.mutation(
        description=(
            "Route open fulfillment orders of one order again with the rules in force, only "
            "to the included locations and never to the excluded ones; committed stock moves "
            "with them in the same transaction. The new decision becomes the order's "
            "routingDecision."
        ),
        extensions=requires("write_fulfillments"),
    )
    async def fulfillment_orders_reroute(
        self,
        info: Info,
        fulfillment_order_ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(description="Open fulfillment orders of one order."),
        ],
        included_location_ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(description="Route only to these locations; default: any."),
        ] = None,
        excluded_location_ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(description="Never route to these locations."),
        ] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> FulfillmentOrdersReroutePayload:
        request = reroute.RerouteRequest(
            fulfillment_order_ids=[
                decode_gid(value, expected="FulfillmentOrder").pk for value in fulfillment_order_ids
            ],
            included_location_ids=_location_ids(included_location_ids),
            excluded_location_ids=_location_ids(excluded_location_ids) or [],
        )
        return await mutate_payload(
            info,
            FulfillmentOrdersReroutePayload,
            FulfillmentOrderUserError,
            operation="fulfillmentOrdersReroute",
            arguments={
                "fulfillmentOrderIds": fulfillment_order_ids,
                "includedLocationIds": included_location_ids,
                "excludedLocationIds": excluded_location_ids,
            },
            idempotency_key=idempotency_key,
            action=lambda session: reroute.reroute(session, request),
            remember=lambda moved: [fo.id for fo in moved],
            recall=_recall_moved,
            answer=lambda moved: FulfillmentOrdersReroutePayload(
                moved_fulfillment_orders=[FulfillmentOrder.from_model(fo) for fo in moved],
                user_errors=[],
            ),
        )
