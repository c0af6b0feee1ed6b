"""Inputs of the return mutations."""

from __future__ import annotations

import strawberry

from oms_graphql.graphql.returns.enums import (
    ReturnDeclineReason,
    ReturnReason,
    ReverseFulfillmentOrderDispositionType,
)
from oms_graphql.ids import decode_gid
from oms_graphql.returns import exchanges, logistics, service


@strawberry.input(description="Units of one shipped line to send back.")
class ReturnLineItemInput:
    fulfillment_line_item_id: strawberry.ID = strawberry.field(
        description="The FulfillmentLineItem (from returnableFulfillments)."
    )
    quantity: int = strawberry.field(description="How many units (at most what is returnable).")
    return_reason: ReturnReason = strawberry.field(description="Why.")
    customer_note: str | None = strawberry.field(
        default=None, description="The buyer's words (at most 1,000 characters)."
    )


@strawberry.input(description="Units of an item the buyer gets in exchange.")
class ExchangeLineItemInput:
    sku: str = strawberry.field(description="The item's SKU (priced in the order's currency).")
    quantity: int = strawberry.field(description="How many units (1 or more).")


@strawberry.input(description="A return of some shipped units of one order.")
class ReturnInput:
    order_id: strawberry.ID = strawberry.field(description="The order.")
    return_line_items: list[ReturnLineItemInput] = strawberry.field(description="What comes back.")
    exchange_line_items: list[ExchangeLineItemInput] | None = strawberry.field(
        default=None,
        description=(
            "Items to send instead, at their catalog price (at most 250 lines): they become "
            "order lines once every returned unit was received."
        ),
    )

    def to_service(self) -> service.NewReturn:
        return service.NewReturn(
            order_id=decode_gid(self.order_id, expected="Order").pk,
            lines=[
                service.LineToReturn(
                    decode_gid(line.fulfillment_line_item_id, expected="FulfillmentLineItem").pk,
                    line.quantity,
                    line.return_reason,
                    line.customer_note,
                )
                for line in self.return_line_items
            ],
            exchange_lines=[
                exchanges.ItemToExchange(line.sku, line.quantity)
                for line in self.exchange_line_items or []
            ],
        )


@strawberry.input(description="The return request to approve.")
class ReturnApproveRequestInput:
    id: strawberry.ID = strawberry.field(description="The REQUESTED return.")


@strawberry.input(description="The return request to decline, and why.")
class ReturnDeclineRequestInput:
    id: strawberry.ID = strawberry.field(description="The REQUESTED return.")
    decline_reason: ReturnDeclineReason = strawberry.field(description="Why.")
    decline_note: str | None = strawberry.field(
        default=None, description="Words for the buyer (at most 1,000 characters)."
    )


@strawberry.input(description="Units of one reverse fulfillment order line in a parcel.")
class ReverseDeliveryLineItemInput:
    reverse_fulfillment_order_line_item_id: strawberry.ID = strawberry.field(
        description="The ReverseFulfillmentOrderLineItem."
    )
    quantity: int = strawberry.field(description="How many units (at most the line's).")


@strawberry.input(description="Carrier tracking of a parcel coming back.")
class ReverseDeliveryTrackingInput:
    number: str | None = strawberry.field(default=None, description="The tracking number.")
    url: str | None = strawberry.field(default=None, description="An http(s) page to follow it.")
    company: str | None = strawberry.field(default=None, description="The carrier.")


@strawberry.input(description="The return label.")
class ReverseDeliveryLabelInput:
    file_url: str = strawberry.field(description="An http(s) URL of the label.")


@strawberry.input(description="What became of some received units of one line.")
class ReverseFulfillmentOrderDisposeInput:
    reverse_fulfillment_order_line_item_id: strawberry.ID = strawberry.field(
        description="The ReverseFulfillmentOrderLineItem."
    )
    quantity: int = strawberry.field(description="How many units (at most what remains).")
    disposition_type: ReverseFulfillmentOrderDispositionType = strawberry.field(
        description="What became of them."
    )
    location_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Where they go: needed for RESTOCKED, DAMAGED and PROCESSING_REQUIRED.",
    )

    def to_service(self) -> logistics.Disposal:
        return logistics.Disposal(
            line_id=decode_gid(
                self.reverse_fulfillment_order_line_item_id,
                expected="ReverseFulfillmentOrderLineItem",
            ).pk,
            quantity=self.quantity,
            type=self.disposition_type,
            location_id=decode_gid(self.location_id, expected="Location").pk
            if self.location_id is not None
            else None,
        )
