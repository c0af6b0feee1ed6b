from __future__ import annotations

from typing import Annotated

import strawberry

from oms_graphql.channels import repository
from oms_graphql.graphql.channels.types import Channel
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.pagination import After, Before, Connection, First, Last, connection
from oms_graphql.graphql.permissions import requires
from oms_graphql.paging import PageRequest


@strawberry.type
class ChannelQueries:
    @strawberry.field(
        description="A channel by its handle; null when there is none.",
        extensions=requires("read_settings"),
    )
    async def channel(
        self,
        info: Info,
        handle: Annotated[str, strawberry.argument(description="The channel's handle, e.g. web.")],
    ) -> Channel | None:
        async with info.context.db.reading() as session:
            row = await repository.get_by_handle(session, handle)
        return Channel.from_model(row) if row else None

    @strawberry.field(
        description="Every channel, oldest first.", extensions=requires("read_settings")
    )
    async def channels(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Channel]:
        request = PageRequest.from_args(first, after, last, before)
        async with info.context.db.reading() as session:
            page = await repository.page(session, request=request)
        return connection(page, Channel.from_model)
