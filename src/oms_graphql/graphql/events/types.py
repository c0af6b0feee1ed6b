from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from oms_graphql import models
from oms_graphql.events import EventType
from oms_graphql.events import repository as events
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.node import Node, readable_types, register_node, resolve_nodes
from oms_graphql.ids import encode_gid

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

    @strawberry.field(description="The object concerned, when it still exists and you may see it.")
    async def subject(self, info: Info) -> Node | None:
        return (await resolve_nodes(info, [self.subject_id]))[0]

    @classmethod
    def from_model(cls, row: models.Event) -> Event:
        return cls(
            id=strawberry.ID(encode_gid("Event", row.id)),
            cursor=events.cursor_of(row),
            type=EventType(row.type),
            occurred_at=row.occurred_at,
            subject_id=strawberry.ID(encode_gid(row.subject_type, row.subject_id)),
            actor=row.actor,
            data=JSON(row.data),
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
