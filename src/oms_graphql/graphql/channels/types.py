from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import strawberry

from oms_graphql import models
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.node import Node, register_node
from oms_graphql.ids import encode_gid

ChannelKind = models.ChannelKind
strawberry.enum(
    ChannelKind,
    name="ChannelKind",
    description=(
        "What a channel is: WEB store, point of sale (POS), MARKETPLACE, PARTNER app, DRAFT orders."
    ),
)


@strawberry.type(description="Where orders come from, named by an immutable handle.")
class Channel(Node):
    handle: str = strawberry.field(description="Immutable name used in inputs, search and tokens.")
    name: str = strawberry.field(description="Display name.")
    kind: ChannelKind = strawberry.field(description="What kind of channel this is.")
    allow_split_shipments: bool = strawberry.field(
        description="Whether routing may ship one order of this channel from several locations."
    )
    created_at: datetime = strawberry.field(description="When the channel was created.")
    updated_at: datetime = strawberry.field(description="When the channel last changed.")

    @classmethod
    def from_model(cls, row: models.Channel) -> Channel:
        return cls(
            id=strawberry.ID(encode_gid("Channel", row.id)),
            handle=row.handle,
            name=row.name,
            kind=row.kind,
            allow_split_shipments=row.allow_split_shipments,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


async def load_channels(info: Info, ids: Sequence[int]) -> list[Channel | None]:
    rows = await info.context.loaders.channel.load_many(list(ids))
    return [Channel.from_model(row) if row else None for row in rows]


register_node("Channel", read_scope="read_settings", load=load_channels)
