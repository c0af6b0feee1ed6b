"""GraphQL types of fulfillments (shipments), their lines, tracking and delivery events,
and of fulfillment holds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import strawberry

from oms_graphql import models
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.locations.types import Location
from oms_graphql.graphql.node import Node, register_node
from oms_graphql.graphql.orders.types import (
    FulfillmentOrderLineItem,
    LineItem,
    Order,
)
from oms_graphql.ids import encode_gid

FulfillmentHoldReason = models.FulfillmentHoldReason
strawberry.enum(
    FulfillmentHoldReason,
    name="FulfillmentHoldReason",
    description="Why a fulfillment order is held.",
)
FulfillmentStatus = models.FulfillmentState
strawberry.enum(
    FulfillmentStatus,
    name="FulfillmentStatus",
    description="SUCCESS once shipped; CANCELLED when the shipment was undone.",
)
FulfillmentEventStatus = models.ShipmentStatus
strawberry.enum(
    FulfillmentEventStatus,
    name="FulfillmentEventStatus",
    description="A step of a shipment, as the carrier or the store reports it.",
)


@strawberry.type(description="A reason a fulfillment order waits.")
class FulfillmentHold:
    reason: FulfillmentHoldReason = strawberry.field(description="Why.")
    reason_notes: str | None = strawberry.field(description="More words about why.")
    created_at: datetime = strawberry.field(description="When it was put on hold.")

    @classmethod
    def from_model(cls, row: models.FulfillmentHold) -> FulfillmentHold:
        return cls(reason=row.reason, reason_notes=row.reason_notes, created_at=row.created_at)


@strawberry.type(description="Where to follow a shipment.")
class FulfillmentTrackingInfo:
    company: str | None = strawberry.field(description="The carrier.")
    number: str | None = strawberry.field(description="The tracking number.")
    url: str | None = strawberry.field(description="A page to follow it.")


@strawberry.type(description="A step of a shipment.")
class FulfillmentEvent:
    status: FulfillmentEventStatus = strawberry.field(description="What happened.")
    message: str | None = strawberry.field(description="The carrier's or the store's words.")
    happened_at: datetime = strawberry.field(description="When it happened.")

    @classmethod
    def from_model(cls, row: models.FulfillmentEvent) -> FulfillmentEvent:
        return cls(status=row.status, message=row.message, happened_at=row.happened_at)


@strawberry.type(description="Units of one line that left in a fulfillment.")
class FulfillmentLineItem(Node):
    row: strawberry.Private[models.FulfillmentLine]
    quantity: int = strawberry.field(description="How many units.")

    @classmethod
    def from_model(cls, row: models.FulfillmentLine) -> FulfillmentLineItem:
        return cls(
            id=strawberry.ID(encode_gid("FulfillmentLineItem", row.id)),
            row=row,
            quantity=row.quantity,
        )

    @strawberry.field(description="The order line.")
    async def line_item(self, info: Info) -> LineItem:
        line = await info.context.loaders.order_line.load(self.row.order_line_id)
        assert line is not None
        order = await info.context.loaders.order.load(line.order_id)
        return LineItem.of(line, order.currency_code if order else "EUR")

    @strawberry.field(description="The fulfillment order line it was shipped against.")
    async def fulfillment_order_line_item(self, info: Info) -> FulfillmentOrderLineItem:
        line = await info.context.loaders.fulfillment_order_line.load(
            self.row.fulfillment_order_line_id
        )
        assert line is not None
        return FulfillmentOrderLineItem.from_model(line)


@strawberry.type(description="A shipment (or a handover) from one location.")
class Fulfillment(Node):
    row: strawberry.Private[models.Fulfillment]
    name: str = strawberry.field(description="The order's name and a number, e.g. #1001-F1.")
    status: FulfillmentStatus = strawberry.field(description="Shipped, or cancelled.")
    display_status: FulfillmentEventStatus | None = strawberry.field(
        description="The latest step of the shipment; null until one is reported."
    )
    tracking_info: list[FulfillmentTrackingInfo] = strawberry.field(
        description="Where to follow it (empty when nothing was given)."
    )
    delivered_at: datetime | None = strawberry.field(
        description="When it was delivered or picked up."
    )
    version: int = strawberry.field(description="Incremented by every change.")
    created_at: datetime = strawberry.field(description="When it shipped.")
    updated_at: datetime = strawberry.field(description="When it last changed.")

    @strawberry.field(description="The order.")
    async def order(self, info: Info) -> Order:
        row = await info.context.loaders.order.load(self.row.order_id)
        assert row is not None
        return Order.from_model(row)

    @strawberry.field(description="The location it left from.")
    async def location(self, info: Info) -> Location:
        row = await info.context.loaders.location.load(self.row.location_id)
        assert row is not None
        return Location.from_model(row)

    @strawberry.field(description="What it carried.")
    async def fulfillment_line_items(self, info: Info) -> list[FulfillmentLineItem]:
        rows = await info.context.loaders.fulfillment_lines.load(self.row.id)
        return [FulfillmentLineItem.from_model(row) for row in rows]

    @strawberry.field(description="The steps of the shipment, oldest first.")
    async def events(self, info: Info) -> list[FulfillmentEvent]:
        rows = await info.context.loaders.fulfillment_events.load(self.row.id)
        return [FulfillmentEvent.from_model(row) for row in rows]

    @classmethod
    def from_model(cls, row: models.Fulfillment) -> Fulfillment:
        tracked = row.tracking_company or row.tracking_number or row.tracking_url
        return cls(
            id=strawberry.ID(encode_gid("Fulfillment", row.id)),
            row=row,
            name=row.name,
            status=row.status,
            display_status=row.shipment_status,
            tracking_info=[
                FulfillmentTrackingInfo(
                    company=row.tracking_company, number=row.tracking_number, url=row.tracking_url
                )
            ]
            if tracked
            else [],
            delivered_at=row.delivered_at,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


async def _load_fulfillments(info: Info, ids: Sequence[int]) -> list[Fulfillment | None]:
    # The session's access filter hides fulfillments of orders the caller may not see.
    rows = await info.context.loaders.fulfillment.load_many(list(ids))
    return [Fulfillment.from_model(row) if row else None for row in rows]


async def _load_fulfillment_lines(
    info: Info, ids: Sequence[int]
) -> list[FulfillmentLineItem | None]:
    rows = await info.context.loaders.fulfillment_line.load_many(list(ids))
    return [FulfillmentLineItem.from_model(row) if row else None for row in rows]


register_node("Fulfillment", read_scope="read_fulfillments", load=_load_fulfillments)
register_node("FulfillmentLineItem", read_scope="read_fulfillments", load=_load_fulfillment_lines)
