"""The order enums, exposed under their API names."""

from __future__ import annotations

import strawberry

from oms_graphql import models
from oms_graphql.fulfillment import lifecycle

OrderStatus = models.OrderStatus
strawberry.enum(
    OrderStatus,
    name="OrderStatus",
    description="OPEN until closed (CLOSED) or cancelled (CANCELLED).",
)
OrderDisplayFinancialStatus = models.FinancialStatus
strawberry.enum(
    OrderDisplayFinancialStatus,
    name="OrderDisplayFinancialStatus",
    description="Where the order's money stands, derived from its transactions.",
)
OrderDisplayFulfillmentStatus = models.FulfillmentStatus
strawberry.enum(
    OrderDisplayFulfillmentStatus,
    name="OrderDisplayFulfillmentStatus",
    description="Where the order's shipping stands, derived from its fulfillment orders.",
)
OrderCancelReason = models.CancelReason
strawberry.enum(
    OrderCancelReason, name="OrderCancelReason", description="Why an order was cancelled."
)
DeliveryMethodType = models.DeliveryMethod
strawberry.enum(
    DeliveryMethodType,
    name="DeliveryMethodType",
    description="How the buyer gets the goods: SHIPPING, PICKUP in store or LOCAL_DELIVERY.",
)
DiscountValueType = models.DiscountValueType
strawberry.enum(
    DiscountValueType,
    name="DiscountValueType",
    description="A PERCENTAGE (10 means 10%) or a FIXED_AMOUNT in the order's currency.",
)
OrderTransactionKind = models.TransactionKind
strawberry.enum(
    OrderTransactionKind,
    name="OrderTransactionKind",
    description="AUTHORIZATION holds money, CAPTURE takes it, SALE does both, REFUND gives it "
    "back, VOID cancels an authorization.",
)
OrderTransactionStatus = models.TransactionStatus
strawberry.enum(
    OrderTransactionStatus,
    name="OrderTransactionStatus",
    description="Whether the gateway accepted the transaction.",
)
FulfillmentOrderStatus = models.FulfillmentOrderStatus
strawberry.enum(
    FulfillmentOrderStatus,
    name="FulfillmentOrderStatus",
    description="Where the work of a fulfillment order stands.",
)
FulfillmentOrderRequestStatus = models.FulfillmentOrderRequestStatus
strawberry.enum(
    FulfillmentOrderRequestStatus,
    name="FulfillmentOrderRequestStatus",
    description="Where a request to a third-party fulfillment service stands.",
)
FulfillmentOrderAction = lifecycle.Action
strawberry.enum(
    FulfillmentOrderAction,
    name="FulfillmentOrderAction",
    description="Something that can be done with a fulfillment order in its current state.",
)
