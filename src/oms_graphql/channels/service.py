"""Rules for channels: immutable handles, names, kinds, whether orders may be split."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.channels import repository
from oms_graphql.errors import DomainError, Problem
from oms_graphql.events import EventType, record_event
from oms_graphql.ids import GlobalId
from oms_graphql.models import Channel, ChannelKind
from oms_graphql.unset import UNSET, Unset

HANDLE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
NAME_MAX = 255


@dataclass(frozen=True, slots=True)
class NewChannel:
    handle: str
    name: str
    kind: ChannelKind
    allow_split_shipments: bool = True


@dataclass(frozen=True, slots=True)
class ChannelChanges:
    name: str | Unset = UNSET
    allow_split_shipments: bool | Unset = UNSET


def _check_name(name: str, problems: list[Problem]) -> str:
    clean = name.strip()
    if not clean:
        problems.append(Problem("BLANK", "name can't be blank", ("input", "name")))
    elif len(clean) > NAME_MAX:
        problems.append(
            Problem("TOO_LONG", f"name is longer than {NAME_MAX} characters", ("input", "name"))
        )
    return clean


async def create_channel(session: AsyncSession, *, given: NewChannel) -> Channel:
    """A new channel; its handle is lower-case letters, digits and dashes, and never changes."""
    problems: list[Problem] = []
    if not HANDLE.match(given.handle):
        problems.append(
            Problem(
                "INVALID",
                "handle must be 1-64 lower-case letters, digits or dashes, "
                "not starting or ending with a dash",
                ("input", "handle"),
            )
        )
    elif await repository.get_by_handle(session, given.handle) is not None:
        problems.append(
            Problem("TAKEN", f"a channel with handle {given.handle!r} exists", ("input", "handle"))
        )
    name = _check_name(given.name, problems)
    if problems:
        raise DomainError(problems)
    channel = Channel(
        handle=given.handle,
        name=name,
        kind=given.kind,
        allow_split_shipments=given.allow_split_shipments,
    )
    session.add(channel)
    try:
        await session.flush()
    except IntegrityError:
        raise DomainError.single(
            "TAKEN", f"a channel with handle {given.handle!r} exists", ("input", "handle")
        ) from None
    await record_event(
        session,
        EventType.CHANNEL_CREATED,
        GlobalId("Channel", channel.id),
        {"handle": channel.handle, "kind": channel.kind.value},
        channel=channel.handle,
    )
    return channel


async def update_channel(session: AsyncSession, *, handle: str, given: ChannelChanges) -> Channel:
    channel = await repository.get_by_handle(session, handle, for_update=True)
    if channel is None:
        raise DomainError.single("NOT_FOUND", f"no channel with handle {handle!r}", ("handle",))
    problems: list[Problem] = []
    changed: list[str] = []
    if given.name is not UNSET:
        name = _check_name(given.name, problems)
        if name != channel.name:
            channel.name = name
            changed.append("name")
    if problems:
        raise DomainError(problems)
    if (
        given.allow_split_shipments is not UNSET
        and given.allow_split_shipments != channel.allow_split_shipments
    ):
        channel.allow_split_shipments = given.allow_split_shipments
        changed.append("allowSplitShipments")
    if changed:
        await session.flush()
        await record_event(
            session,
            EventType.CHANNEL_UPDATED,
            GlobalId("Channel", channel.id),
            {"changed": changed},
            channel=channel.handle,
        )
    return channel


async def resolve_handles(
    session: AsyncSession, handles: Sequence[str], path: tuple[str, ...]
) -> list[Channel]:
    """Channels for handles given in an input; unknown handles are userErrors."""
    unique = list(dict.fromkeys(handles))
    found = {c.handle: c for c in await repository.get_many_by_handle(session, unique)}
    problems = [
        Problem("CHANNEL_NOT_FOUND", f"no channel with handle {handle!r}", (*path, str(index)))
        for index, handle in enumerate(handles)
        if handle not in found
    ]
    if problems:
        raise DomainError(problems)
    return [found[h] for h in unique]
