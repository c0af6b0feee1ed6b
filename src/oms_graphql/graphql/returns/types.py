"""GraphQL types of returns, their lines, reverse fulfillment orders, reverse deliveries
and dispositions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from oms_graphql import models
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.fulfillment.shipments import FulfillmentLineItem
from oms_graphql.graphql.locations.types import Location
from oms_graphql.graphql.money import MoneyV2
from oms_graphql.graphql.node import Node, register_node
from oms_graphql.graphql.orders.types import LineItem, Order
from oms_graphql.graphql.pagination import After, Connection, First, nested_connection
from oms_graphql.graphql.returns.enums import (
    ReturnDeclineReason,
    ReturnReason,
    ReturnStatus,
    ReverseFulfillmentOrderDispositionType,
    ReverseFulfillmentOrderStatus,
)
from oms_graphql.ids import encode_gid
from oms_graphql.returns import repository

if TYPE_CHECKING:
    from oms_graphql.graphql.returns.refunds import Refund


async def _fulfillment_line(info: Info, pk: int) -> FulfillmentLineItem:
    row = await info.context.loaders.fulfillment_line.load(pk)
    assert row is not None
    return FulfillmentLineItem.from_model(row)


@strawberry.type(description="Units of one shipped line coming back, and why.")
class ReturnLineItem(Node):
    row: strawberry.Private[models.ReturnLine]
    quantity: int = strawberry.field(description="How many units come back.")
    return_reason: ReturnReason = strawberry.field(description="Why.")
    customer_note: str | None = strawberry.field(description="The buyer's words about it.")

    @strawberry.field(description="The shipped line the units come back from.")
    async def fulfillment_line_item(self, info: Info) -> FulfillmentLineItem:
        return await _fulfillment_line(info, self.row.fulfillment_line_id)

    @classmethod
    def from_model(cls, row: models.ReturnLine) -> ReturnLineItem:
        return cls(
            id=strawberry.ID(encode_gid("ReturnLineItem", row.id)),
            row=row,
            quantity=row.quantity,
            return_reason=row.return_reason,
            customer_note=row.customer_note,
        )


@strawberry.type(description="What became of some received units, and where they went.")
class ReverseFulfillmentOrderDisposition:
    row: strawberry.Private[models.ReverseDisposition]
    type: ReverseFulfillmentOrderDispositionType = strawberry.field(description="What became.")
    quantity: int = strawberry.field(description="How many units.")
    created_at: datetime = strawberry.field(description="When they were received.")

    @strawberry.field(description="Where they went; null for NOT_RESTOCKED and MISSING.")
    async def location(self, info: Info) -> Location | None:
        if self.row.location_id is None:
            return None
        row = await info.context.loaders.location.load(self.row.location_id)
        return Location.from_model(row) if row else None

    @classmethod
    def from_model(cls, row: models.ReverseDisposition) -> ReverseFulfillmentOrderDisposition:
        return cls(row=row, type=row.type, quantity=row.quantity, created_at=row.created_at)


@strawberry.type(description="Units of one return line to receive.")
class ReverseFulfillmentOrderLineItem(Node):
    row: strawberry.Private[models.ReverseFulfillmentOrderLine]
    total_quantity: int = strawberry.field(description="Units coming back on this line.")
    remaining_quantity: int = strawberry.field(description="Units not disposed yet.")

    @strawberry.field(description="The return line.")
    async def return_line_item(self, info: Info) -> ReturnLineItem:
        row = await info.context.loaders.return_line.load(self.row.return_line_id)
        assert row is not None
        return ReturnLineItem.from_model(row)

    @strawberry.field(description="The shipped line the units come back from.")
    async def fulfillment_line_item(self, info: Info) -> FulfillmentLineItem:
        row = await info.context.loaders.return_line.load(self.row.return_line_id)
        assert row is not None
        return await _fulfillment_line(info, row.fulfillment_line_id)

    @strawberry.field(description="What became of the units received so far, oldest first.")
    async def dispositions(self, info: Info) -> list[ReverseFulfillmentOrderDisposition]:
        rows = await info.context.loaders.dispositions.load(self.row.id)
        return [ReverseFulfillmentOrderDisposition.from_model(row) for row in rows]

    @classmethod
    def from_model(cls, row: models.ReverseFulfillmentOrderLine) -> ReverseFulfillmentOrderLineItem:
        return cls(
            id=strawberry.ID(encode_gid("ReverseFulfillmentOrderLineItem", row.id)),
            row=row,
            total_quantity=row.total_quantity,
            remaining_quantity=row.remaining_quantity,
        )


@strawberry.type(description="The label the buyer prints.")
class ReverseDeliveryLabel:
    public_file_url: str | None = strawberry.field(description="Where the label is.")


@strawberry.type(description="Where to follow a parcel coming back.")
class ReverseDeliveryTracking:
    carrier_name: str | None = strawberry.field(description="The carrier.")
    number: str | None = strawberry.field(description="The tracking number.")
    url: str | None = strawberry.field(description="A page to follow it.")


@strawberry.type(description="Units of one line in a parcel coming back.")
class ReverseDeliveryLineItem:
    row: strawberry.Private[models.ReverseDeliveryLine]
    quantity: int = strawberry.field(description="How many units.")

    @strawberry.field(description="The reverse fulfillment order line.")
    async def reverse_fulfillment_order_line_item(
        self, info: Info
    ) -> ReverseFulfillmentOrderLineItem:
        row = await info.context.loaders.reverse_fulfillment_order_line.load(self.row.line_id)
        assert row is not None
        return ReverseFulfillmentOrderLineItem.from_model(row)


@strawberry.type(description="A parcel coming back: its label and carrier tracking.")
class ReverseDelivery(Node):
    row: strawberry.Private[models.ReverseDelivery]
    label: ReverseDeliveryLabel | None = strawberry.field(description="The return label.")
    tracking: ReverseDeliveryTracking | None = strawberry.field(description="Carrier tracking.")
    created_at: datetime = strawberry.field(description="When it was created.")

    @strawberry.field(description="What the parcel carries.")
    async def reverse_delivery_line_items(self, info: Info) -> list[ReverseDeliveryLineItem]:
        rows = await info.context.loaders.reverse_delivery_lines.load(self.row.id)
        return [ReverseDeliveryLineItem(row=row, quantity=row.quantity) for row in rows]

    @strawberry.field(description="The reverse fulfillment order it brings units back for.")
    async def reverse_fulfillment_order(self, info: Info) -> ReverseFulfillmentOrder:
        row = await info.context.loaders.reverse_fulfillment_order.load(
            self.row.reverse_fulfillment_order_id
        )
        assert row is not None
        return ReverseFulfillmentOrder.from_model(row)

    @classmethod
    def from_model(cls, row: models.ReverseDelivery) -> ReverseDelivery:
        tracked = row.carrier_name or row.tracking_number or row.tracking_url
        return cls(
            id=strawberry.ID(encode_gid("ReverseDelivery", row.id)),
            row=row,
            label=ReverseDeliveryLabel(public_file_url=row.label_url) if row.label_url else None,
            tracking=ReverseDeliveryTracking(
                carrier_name=row.carrier_name, number=row.tracking_number, url=row.tracking_url
            )
            if tracked
            else None,
            created_at=row.created_at,
        )


@strawberry.type(description="The work of receiving a return's units.")
class ReverseFulfillmentOrder(Node):
    row: strawberry.Private[models.ReverseFulfillmentOrder]
    status: ReverseFulfillmentOrderStatus = strawberry.field(description="Where the work stands.")
    created_at: datetime = strawberry.field(description="When the return was opened.")
    updated_at: datetime = strawberry.field(description="When it last changed.")

    @strawberry.field(description="Its lines, a page at a time.")
    async def line_items(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[ReverseFulfillmentOrderLineItem]:
        return await nested_connection(
            info,
            repository.RFO_LINES,
            parent_id=self.row.id,
            first=first,
            after=after,
            convert=ReverseFulfillmentOrderLineItem.from_model,
        )

    @strawberry.field(description="Parcels coming back for it, oldest first.")
    async def reverse_deliveries(self, info: Info) -> list[ReverseDelivery]:
        rows = await info.context.loaders.reverse_deliveries.load(self.row.id)
        return [ReverseDelivery.from_model(row) for row in rows]

    @strawberry.field(description="The order.")
    async def order(self, info: Info) -> Order:
        row = await info.context.loaders.order.load(self.row.order_id)
        assert row is not None
        return Order.from_model(row)

    @strawberry.field(name="return", description="The return it receives.")
    async def return_(self, info: Info) -> Return:
        row = await info.context.loaders.return_.load(self.row.return_id)
        assert row is not None
        return Return.from_model(row)

    @classmethod
    def from_model(cls, row: models.ReverseFulfillmentOrder) -> ReverseFulfillmentOrder:
        return cls(
            id=strawberry.ID(encode_gid("ReverseFulfillmentOrder", row.id)),
            row=row,
            status=row.status,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(description="Units of an item the buyer gets in exchange for a return.")
class ExchangeLineItem(Node):
    row: strawberry.Private[models.ExchangeLine]
    sku: str = strawberry.field(description="The item's SKU.")
    title: str = strawberry.field(description="The item's title.")
    quantity: int = strawberry.field(description="How many units.")
    price: MoneyV2 = strawberry.field(description="The price of one unit.")

    @strawberry.field(
        description="The order line it became; null until every returned unit was received "
        "(or the return opened, with OMS_EXCHANGES_FULFILL_AT_ONCE)."
    )
    async def line_item(self, info: Info) -> LineItem | None:
        if self.row.order_line_id is None:
            return None
        row = await info.context.loaders.order_line.load(self.row.order_line_id)
        return LineItem.of(row, self.row.currency_code) if row else None

    @classmethod
    def from_model(cls, row: models.ExchangeLine) -> ExchangeLineItem:
        return cls(
            id=strawberry.ID(encode_gid("ExchangeLineItem", row.id)),
            row=row,
            sku=row.sku,
            title=row.title,
            quantity=row.quantity,
            price=MoneyV2.exact(row.unit_price, row.currency_code),
        )


@strawberry.type(description="Goods of one order coming back.")
class Return(Node):
    row: strawberry.Private[models.Return]
    name: str = strawberry.field(description="The order's name and a number, e.g. #1001-R1.")
    status: ReturnStatus = strawberry.field(description="Where the return stands.")
    decline_reason: ReturnDeclineReason | None = strawberry.field(
        description="Why the request was declined; null unless DECLINED."
    )
    decline_note: str | None = strawberry.field(description="Words for the buyer about it.")
    version: int = strawberry.field(description="Incremented by every change.")
    requested_at: datetime | None = strawberry.field(description="When it was asked for.")
    opened_at: datetime | None = strawberry.field(description="When it was approved or opened.")
    declined_at: datetime | None = strawberry.field(description="When it was declined.")
    closed_at: datetime | None = strawberry.field(description="When it was closed.")
    cancelled_at: datetime | None = strawberry.field(description="When it was cancelled.")
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")

    @strawberry.field(description="The order.")
    async def order(self, info: Info) -> Order:
        row = await info.context.loaders.order.load(self.row.order_id)
        assert row is not None
        return Order.from_model(row)

    @strawberry.field(
        description="What comes back (a short list: at most one line per shipped line asked)."
    )
    async def return_line_items(self, info: Info) -> list[ReturnLineItem]:
        rows = await info.context.loaders.return_lines.load(self.row.id)
        return [ReturnLineItem.from_model(row) for row in rows]

    @strawberry.field(description="Units coming back, over every line.")
    async def total_quantity(self, info: Info) -> int:
        rows = await info.context.loaders.return_lines.load(self.row.id)
        return sum(row.quantity for row in rows)

    @strawberry.field(description="The work of receiving the units; none until the return is OPEN.")
    async def reverse_fulfillment_orders(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[ReverseFulfillmentOrder]:
        return await nested_connection(
            info,
            repository.REVERSE_FULFILLMENT_ORDERS,
            parent_id=self.row.id,
            first=first,
            after=after,
            convert=ReverseFulfillmentOrder.from_model,
        )

    @strawberry.field(description="Items the buyer gets in exchange, a page at a time.")
    async def exchange_line_items(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[ExchangeLineItem]:
        return await nested_connection(
            info,
            repository.EXCHANGE_LINES,
            parent_id=self.row.id,
            first=first,
            after=after,
            convert=ExchangeLineItem.from_model,
        )

    @strawberry.field(description="Refunds of units that came back on it, oldest first.")
    async def refunds(
        self, info: Info
    ) -> list[Annotated[Refund, strawberry.lazy("oms_graphql.graphql.returns.refunds")]]:
        from oms_graphql.graphql.returns.refunds import Refund

        rows = await info.context.loaders.refunds_of_return.load(self.row.id)
        return [Refund.from_model(row) for row in rows]

    @classmethod
    def from_model(cls, row: models.Return) -> Return:
        return cls(
            id=strawberry.ID(encode_gid("Return", row.id)),
            row=row,
            name=row.name,
            status=row.status,
            decline_reason=row.decline_reason,
            decline_note=row.decline_note,
            version=row.version,
            requested_at=row.requested_at,
            opened_at=row.opened_at,
            declined_at=row.declined_at,
            closed_at=row.closed_at,
            cancelled_at=row.cancelled_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


# Node loaders read the row alone: the session's access filter (access.py) already hides
# returns, their lines and reverse work of orders the caller may not see.


async def _load_returns(info: Info, ids: Sequence[int]) -> list[Return | None]:
    rows = await info.context.loaders.return_.load_many(list(ids))
    return [Return.from_model(row) if row else None for row in rows]


async def _load_return_lines(info: Info, ids: Sequence[int]) -> list[ReturnLineItem | None]:
    rows = await info.context.loaders.return_line.load_many(list(ids))
    return [ReturnLineItem.from_model(row) if row else None for row in rows]


async def _load_rfos(info: Info, ids: Sequence[int]) -> list[ReverseFulfillmentOrder | None]:
    rows = await info.context.loaders.reverse_fulfillment_order.load_many(list(ids))
    return [ReverseFulfillmentOrder.from_model(row) if row else None for row in rows]


async def _load_rfo_lines(
    info: Info, ids: Sequence[int]
) -> list[ReverseFulfillmentOrderLineItem | None]:
    rows = await info.context.loaders.reverse_fulfillment_order_line.load_many(list(ids))
    return [ReverseFulfillmentOrderLineItem.from_model(row) if row else None for row in rows]


async def _load_deliveries(info: Info, ids: Sequence[int]) -> list[ReverseDelivery | None]:
    rows = await info.context.loaders.reverse_delivery.load_many(list(ids))
    return [ReverseDelivery.from_model(row) if row else None for row in rows]


async def _load_exchange_lines(info: Info, ids: Sequence[int]) -> list[ExchangeLineItem | None]:
    rows = await info.context.loaders.exchange_line.load_many(list(ids))
    return [ExchangeLineItem.from_model(row) if row else None for row in rows]


register_node("Return", read_scope="read_returns", load=_load_returns)
register_node("ReturnLineItem", read_scope="read_returns", load=_load_return_lines)
register_node("ReverseFulfillmentOrder", read_scope="read_returns", load=_load_rfos)
register_node("ReverseFulfillmentOrderLineItem", read_scope="read_returns", load=_load_rfo_lines)
register_node("ReverseDelivery", read_scope="read_returns", load=_load_deliveries)
register_node("ExchangeLineItem", read_scope="read_returns", load=_load_exchange_lines)
