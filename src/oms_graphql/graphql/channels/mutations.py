from __future__ import annotations

import enum
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.channels import repository, service
from oms_graphql.channels.service import ChannelChanges, NewChannel
from oms_graphql.graphql.channels.types import Channel, ChannelKind
from oms_graphql.graphql.common import given, refuse_nulls
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.errors import UserError
from oms_graphql.graphql.mutation import IdempotencyKey, mutate_payload
from oms_graphql.graphql.permissions import requires
from oms_graphql.models import Channel as ChannelRow


@strawberry.input(description="A new channel.")
class ChannelCreateInput:
    handle: str = strawberry.field(
        description="Immutable handle: lower-case letters, digits and dashes, e.g. amazon-it."
    )
    name: str = strawberry.field(description="Display name.")
    kind: ChannelKind = strawberry.field(description="What kind of channel this is.")
    allow_split_shipments: bool = strawberry.field(
        default=True, description="Whether orders may ship from several locations."
    )


@strawberry.input(description="Changes to a channel; the handle never changes.")
class ChannelUpdateInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Display name.")
    allow_split_shipments: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Whether orders may ship from several locations."
    )


@strawberry.enum(description="Why channelCreate refused its input.")
class ChannelCreateUserErrorCode(enum.Enum):
    INVALID = "INVALID"
    TAKEN = "TAKEN"
    BLANK = "BLANK"
    TOO_LONG = "TOO_LONG"
    IDEMPOTENCY_KEY_MISMATCH = "IDEMPOTENCY_KEY_MISMATCH"


@strawberry.type(description="A problem with the input of channelCreate.")
class ChannelCreateUserError(UserError[ChannelCreateUserErrorCode]):
    pass


@strawberry.type(description="The result of channelCreate.")
class ChannelCreatePayload:
    channel: Channel | None = strawberry.field(description="The new channel; null on userErrors.")
    user_errors: list[ChannelCreateUserError] = strawberry.field(
        description="Problems with the input; when present, nothing was written."
    )


@strawberry.enum(description="Why channelUpdate refused its input.")
class ChannelUpdateUserErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"
    BLANK = "BLANK"
    INVALID = "INVALID"
    TOO_LONG = "TOO_LONG"
    IDEMPOTENCY_KEY_MISMATCH = "IDEMPOTENCY_KEY_MISMATCH"


@strawberry.type(description="A problem with the input of channelUpdate.")
class ChannelUpdateUserError(UserError[ChannelUpdateUserErrorCode]):
    pass


@strawberry.type(description="The result of channelUpdate.")
class ChannelUpdatePayload:
    channel: Channel | None = strawberry.field(description="The channel; null on userErrors.")
    user_errors: list[ChannelUpdateUserError] = strawberry.field(
        description="Problems with the input; when present, nothing was written."
    )


async def _recall(session: AsyncSession, handle: Any) -> ChannelRow:
    row = await repository.get_by_handle(session, handle)
    assert row is not None
    return row


@strawberry.type
class ChannelMutations:
    @strawberry.mutation(description="Create a channel.", extensions=requires("write_settings"))
    async def channel_create(
        self,
        info: Info,
        input: Annotated[ChannelCreateInput, strawberry.argument(description="The new channel.")],
        idempotency_key: IdempotencyKey = None,
    ) -> ChannelCreatePayload:
        new = NewChannel(
            handle=input.handle,
            name=input.name,
            kind=input.kind,
            allow_split_shipments=input.allow_split_shipments,
        )
        return await mutate_payload(
            info,
            ChannelCreatePayload,
            ChannelCreateUserError,
            operation="channelCreate",
            arguments={"input": input},
            idempotency_key=idempotency_key,
            action=lambda session: service.create_channel(session, given=new),
            remember=lambda channel: channel.handle,
            recall=_recall,
            answer=lambda row: ChannelCreatePayload(
                channel=Channel.from_model(row), user_errors=[]
            ),
        )

    @strawberry.mutation(
        description="Rename a channel or change whether it allows split shipments.",
        extensions=requires("write_settings"),
    )
    async def channel_update(
        self,
        info: Info,
        handle: Annotated[str, strawberry.argument(description="The channel's handle.")],
        input: Annotated[ChannelUpdateInput, strawberry.argument(description="What to change.")],
        idempotency_key: IdempotencyKey = None,
    ) -> ChannelUpdatePayload:
        async def action(session: AsyncSession) -> ChannelRow:
            refuse_nulls(input, text=("name",), other=("allow_split_shipments",))
            changes = ChannelChanges(
                name=given(input.name), allow_split_shipments=given(input.allow_split_shipments)
            )
            return await service.update_channel(session, handle=handle, given=changes)

        return await mutate_payload(
            info,
            ChannelUpdatePayload,
            ChannelUpdateUserError,
            operation="channelUpdate",
            arguments={"handle": handle, "input": input},
            idempotency_key=idempotency_key,
            action=action,
            remember=lambda channel: channel.handle,
            recall=_recall,
            answer=lambda row: ChannelUpdatePayload(
                channel=Channel.from_model(row), user_errors=[]
            ),
        )
