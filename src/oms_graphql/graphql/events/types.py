from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from oms_graphql import models
from oms_graphql.events import EventType
from oms_graphql.events import repository as events
from oms_graphql.events.bus import EventRow
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.node import Node, readable_types, register_node, resolve_nodes
from oms_graphql.ids import encode_gid

if TYPE_CHECKING:
    from oms_graphql.graphql.inventory.types import InventoryLevel
    from oms_graphql.graphql.orders.types import FulfillmentOrder, Order
    from oms_graphql.graphql.returns.types import Return


strawberry.enum(
    EventType,
    name="EventType",
    description="What happened. Stored in dotted lower case (ORDER_CREATED is order.created).",
)


@strawberry.type(description="Something that happened to an object, from the durable event feed.")
class Event(Node):
    cursor: str = strawberry.field(
        description="Position in the feed: pass it as `after` to read (or replay) what follows."
    )
    type: EventType = strawberry.field(description="What happened.")
    occurred_at: datetime = strawberry.field(description="When it happened (commit time order).")
    subject_id: strawberry.ID = strawberry.field(description="Global id of the object concerned.")
    actor: str | None = strawberry.field(
        description="The token subject that made the change, when a caller made it."
    )
    data: JSON = strawberry.field(description="Details of the change, depending on the type.")
    subject_type: strawberry.Private[str]

    @strawberry.field(description="The object concerned, when it still exists and you may see it.")
    async def subject(self, info: Info) -> Node | None:
        return (await resolve_nodes(info, [self.subject_id]))[0]

    @strawberry.field(
        description=(
            "The order concerned: the subject itself, or the order of the fulfillment order "
            "or fulfillment (null if you may not see it)."
        )
    )
    async def order(
        self, info: Info
    ) -> Annotated[Order, strawberry.lazy("oms_graphql.graphql.orders.types")] | None:
        return await self._related(info, "Order", "orderId")  # type: ignore[return-value]

    @strawberry.field(description="The fulfillment order concerned, when the subject is one.")
    async def fulfillment_order(
        self, info: Info
    ) -> Annotated[FulfillmentOrder, strawberry.lazy("oms_graphql.graphql.orders.types")] | None:
        return await self._related(info, "FulfillmentOrder", None)  # type: ignore[return-value]

    @strawberry.field(description="The inventory level concerned, when the subject is one.")
    async def inventory_level(
        self, info: Info
    ) -> Annotated[InventoryLevel, strawberry.lazy("oms_graphql.graphql.inventory.types")] | None:
        return await self._related(info, "InventoryLevel", None)  # type: ignore[return-value]

    @strawberry.field(name="return", description="The return concerned, when the subject is one.")
    async def return_(
        self, info: Info
    ) -> Annotated[Return, strawberry.lazy("oms_graphql.graphql.returns.types")] | None:
        return await self._related(info, "Return", None)  # type: ignore[return-value]

    async def _related(self, info: Info, type_name: str, data_key: str | None) -> Node | None:
        related = self.subject_id if self.subject_type == type_name else None
        if related is None and data_key is not None and isinstance(self.data, dict):
            value = self.data.get(data_key)
            related = strawberry.ID(value) if isinstance(value, str) else None
        if related is None:
            return None
        return (await resolve_nodes(info, [related]))[0]

    @classmethod
    def from_model(cls, row: models.Event | EventRow) -> Event:
        return cls(
            id=strawberry.ID(encode_gid("Event", row.id)),
            cursor=events.cursor_of(row),
            type=EventType(row.type),
            occurred_at=row.occurred_at,
            subject_id=strawberry.ID(encode_gid(row.subject_type, row.subject_id)),
            actor=row.actor,
            data=JSON(row.data),
            subject_type=row.subject_type,
        )


async def load_events(info: Info, ids: Sequence[int]) -> list[Event | None]:
    """Events by id; one whose subject the caller may not read is null."""
    readable = set(readable_types(info.context.principal))
    async with info.context.db.reading() as session:
        found = {row.id: row for row in await events.get_many(session, ids)}
    return [
        Event.from_model(found[i]) if i in found and found[i].subject_type in readable else None
        for i in ids
    ]


register_node("Event", read_scope=None, load=load_events)
