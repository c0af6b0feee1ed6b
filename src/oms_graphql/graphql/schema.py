"""The schema, composed from per-domain parts."""

from __future__ import annotations

from graphql import GraphQLError
from strawberry import Schema
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from oms_graphql.graphql.channels.mutations import ChannelMutations
from oms_graphql.graphql.channels.queries import ChannelQueries
from oms_graphql.graphql.channels.types import Channel
from oms_graphql.graphql.customers.mutations import CustomerMutations
from oms_graphql.graphql.customers.queries import CustomerQueries
from oms_graphql.graphql.customers.types import Customer
from oms_graphql.graphql.draft_orders.mutations import DraftOrderMutations
from oms_graphql.graphql.draft_orders.queries import DraftOrderQueries
from oms_graphql.graphql.draft_orders.types import DraftOrder, DraftOrderLineItem
from oms_graphql.graphql.events.queries import EventQueries
from oms_graphql.graphql.events.subscriptions import EventSubscriptions
from oms_graphql.graphql.events.types import Event
from oms_graphql.graphql.extensions import (
    CachedParser,
    ErrorCodes,
    FreshLoaders,
    MaskUnexpectedErrors,
    OperationMetrics,
    log_unexpected_errors,
)
from oms_graphql.graphql.fulfillment.mutations import RoutingMutations
from oms_graphql.graphql.fulfillment.operations import FulfillmentMutations
from oms_graphql.graphql.fulfillment.queries import FulfillmentQueries, RoutingQueries
from oms_graphql.graphql.fulfillment.shipments import Fulfillment, FulfillmentLineItem
from oms_graphql.graphql.fulfillment.types import RoutingRules
from oms_graphql.graphql.inventory.mutations import InventoryMutations
from oms_graphql.graphql.inventory.queries import InventoryQueries
from oms_graphql.graphql.inventory.types import (
    InventoryAdjustmentGroup,
    InventoryItem,
    InventoryLevel,
    InventoryTransfer,
    Reservation,
)
from oms_graphql.graphql.limits import Limits
from oms_graphql.graphql.locations.mutations import LocationMutations
from oms_graphql.graphql.locations.queries import LocationQueries
from oms_graphql.graphql.locations.types import Location
from oms_graphql.graphql.node import NodeQueries
from oms_graphql.graphql.orders.editing import (
    CalculatedLineItem,
    CalculatedOrder,
    OrderEditMutations,
)
from oms_graphql.graphql.orders.mutations import OrderMutations
from oms_graphql.graphql.orders.queries import OrderQueries
from oms_graphql.graphql.orders.types import (
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    LineItem,
    Order,
    OrderTransaction,
)
from oms_graphql.graphql.returns.mutations import ReturnMutations
from oms_graphql.graphql.returns.queries import ReturnQueries
from oms_graphql.graphql.returns.refunds import Refund, RefundMutations, RefundQueries
from oms_graphql.graphql.returns.types import (
    ExchangeLineItem,
    Return,
    ReturnLineItem,
    ReverseDelivery,
    ReverseFulfillmentOrder,
    ReverseFulfillmentOrderLineItem,
)
from oms_graphql.graphql.taxes.mutations import TaxMutations
from oms_graphql.graphql.taxes.queries import TaxQueries
from oms_graphql.graphql.taxes.types import TaxRate

Query = merge_types(
    "Query",
    (
        NodeQueries,
        ChannelQueries,
        LocationQueries,
        CustomerQueries,
        EventQueries,
        InventoryQueries,
        OrderQueries,
        DraftOrderQueries,
        RoutingQueries,
        FulfillmentQueries,
        ReturnQueries,
        RefundQueries,
        TaxQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        ChannelMutations,
        LocationMutations,
        CustomerMutations,
        InventoryMutations,
        OrderMutations,
        OrderEditMutations,
        DraftOrderMutations,
        RoutingMutations,
        FulfillmentMutations,
        ReturnMutations,
        RefundMutations,
        TaxMutations,
    ),
)

Subscription = merge_types("Subscription", (EventSubscriptions,))


class OmsSchema(Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Client errors are the client's business; only bugs are logged, with the request id.
        log_unexpected_errors(errors)


def create_schema() -> OmsSchema:
    return OmsSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[
            Channel,
            Customer,
            Event,
            Location,
            InventoryItem,
            InventoryLevel,
            InventoryAdjustmentGroup,
            Reservation,
            InventoryTransfer,
            Order,
            LineItem,
            OrderTransaction,
            CalculatedOrder,
            CalculatedLineItem,
            DraftOrder,
            DraftOrderLineItem,
            FulfillmentOrder,
            FulfillmentOrderLineItem,
            Fulfillment,
            FulfillmentLineItem,
            RoutingRules,
            Return,
            ReturnLineItem,
            ReverseFulfillmentOrder,
            ReverseFulfillmentOrderLineItem,
            ReverseDelivery,
            Refund,
            ExchangeLineItem,
            TaxRate,
        ],
        extensions=[
            CachedParser,
            # Validation (cached) with the limits, then the cost: only a document that would
            # run is charged.
            Limits,
            FreshLoaders,
            ErrorCodes,
            MaskUnexpectedErrors,
            OperationMetrics,
        ],
        config=StrawberryConfig(auto_camel_case=True),
    )


schema = create_schema()
