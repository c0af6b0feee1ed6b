"""The return enums, exposed under their API names."""

from __future__ import annotations

import strawberry

from oms_graphql import models

ReturnStatus = models.ReturnStatus
strawberry.enum(
    ReturnStatus,
    name="ReturnStatus",
    description=(
        "REQUESTED by the buyer, OPEN once approved (or created by staff), DECLINED, "
        "CLOSED when done, CANCELLED when nothing comes back."
    ),
)
ReturnReason = models.ReturnReason
strawberry.enum(ReturnReason, name="ReturnReason", description="Why the buyer sends a unit back.")
ReturnDeclineReason = models.ReturnDeclineReason
strawberry.enum(
    ReturnDeclineReason,
    name="ReturnDeclineReason",
    description="Why a return request was declined.",
)
ReverseFulfillmentOrderStatus = models.ReverseFulfillmentOrderStatus
strawberry.enum(
    ReverseFulfillmentOrderStatus,
    name="ReverseFulfillmentOrderStatus",
    description=(
        "OPEN while units remain to receive; CLOSED when every unit was disposed or the "
        "return closed; CANCELLED with its return."
    ),
)
ReverseFulfillmentOrderDispositionType = models.DispositionType
strawberry.enum(
    ReverseFulfillmentOrderDispositionType,
    name="ReverseFulfillmentOrderDispositionType",
    description=(
        "What became of received units: RESTOCKED (on_hand and available up at the "
        "location), DAMAGED (into damaged), PROCESSING_REQUIRED (into quality_control), "
        "NOT_RESTOCKED or MISSING (no stock moves)."
    ),
)
