from __future__ import annotations

from typing import Annotated

import strawberry

from oms_graphql.events import EventType
from oms_graphql.events import repository as events
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.events.types import Event
from oms_graphql.graphql.node import readable_types
from oms_graphql.graphql.pagination import After, Before, Connection, First, Last, connection
from oms_graphql.graphql.permissions import requires_token
from oms_graphql.ids import decode_gid
from oms_graphql.paging import PageRequest


@strawberry.type
class EventQueries:
    @strawberry.field(
        description=(
            "The durable event feed, oldest first, in commit order: only events about objects "
            "your token can read. Page with `after` to follow it without gaps."
        ),
        extensions=requires_token(),
    )
    async def events(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        types: Annotated[
            list[EventType] | None, strawberry.argument(description="Only these types.")
        ] = None,
        subject_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only events about this object (a global id)."),
        ] = None,
    ) -> Connection[Event]:
        request = PageRequest.from_args(first, after, last, before)
        readable = readable_types(info.context.principal)
        subject = None
        if subject_id is not None:
            gid = decode_gid(subject_id)
            subject = (gid.type_name, gid.pk)
        async with info.context.db.reading() as session:
            page = await events.page(
                session,
                request=request,
                subject_types=readable,
                types=[t.value for t in types] if types else None,
                subject=subject,
            )
        return connection(page, Event.from_model)
