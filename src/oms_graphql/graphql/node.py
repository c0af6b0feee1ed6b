"""The ``Node`` interface with ``gid://oms/...`` ids, and ``node``/``nodes`` lookups."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated

import strawberry

from oms_graphql.auth import Principal
from oms_graphql.errors import BadUserInput
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.permissions import requires_token
from oms_graphql.ids import GlobalId, decode_gid
from oms_graphql.paging import MAX_PAGE_SIZE


@strawberry.interface(description="An object with a global id.")
class Node:
    id: strawberry.ID = strawberry.field(
        description="Global id of the form gid://oms/<Type>/<number>, e.g. gid://oms/Location/1."
    )


GlobalIdArgument = Annotated[
    strawberry.ID, strawberry.argument(description="Global id, e.g. gid://oms/Location/1.")
]

NodeLoader = Callable[[Info, Sequence[int]], Awaitable[Sequence[Node | None]]]


@dataclass(frozen=True, slots=True)
class NodeKind:
    read_scope: str | None
    """The scope needed to see objects of this type; None when the loader checks each one."""
    load: NodeLoader


_KINDS: dict[str, NodeKind] = {}


def register_node(type_name: str, *, read_scope: str | None, load: NodeLoader) -> None:
    """Make ``node``/``nodes`` resolve ``gid://oms/<type_name>/...`` ids."""
    _KINDS[type_name] = NodeKind(read_scope, load)


def readable_types(principal: Principal) -> list[str]:
    """The object types this caller may read (events of other subjects stay hidden)."""
    return sorted(
        name
        for name, kind in _KINDS.items()
        if kind.read_scope is not None and principal.has_scope(kind.read_scope)
    )


def _kind(gid: GlobalId, raw: str) -> NodeKind:
    kind = _KINDS.get(gid.type_name)
    if kind is None:
        raise BadUserInput(f"global id {raw!r} names an unknown type {gid.type_name!r}", id=raw)
    return kind


async def resolve_nodes(info: Info, raw_ids: Sequence[str]) -> list[Node | None]:
    """Resolve ids of any types in one batch per type; invisible objects come back as null."""
    gids = [decode_gid(raw) for raw in raw_ids]
    by_type: dict[str, list[int]] = {}
    for gid, raw in zip(gids, raw_ids, strict=True):
        _kind(gid, raw)
        by_type.setdefault(gid.type_name, []).append(gid.pk)
    found: dict[GlobalId, Node | None] = {}
    principal = info.context.principal
    for type_name, pks in by_type.items():
        kind = _KINDS[type_name]
        if kind.read_scope is not None and not principal.has_scope(kind.read_scope):
            continue
        for pk, node in zip(pks, await kind.load(info, pks), strict=True):
            found[GlobalId(type_name, pk)] = node
    return [found.get(gid) for gid in gids]


@strawberry.type
class NodeQueries:
    @strawberry.field(
        description=(
            "Any object by its global id; null when it does not exist or the token may not see it."
        ),
        extensions=requires_token(),
    )
    async def node(self, info: Info, id: GlobalIdArgument) -> Node | None:
        return (await resolve_nodes(info, [id]))[0]

    @strawberry.field(
        description=f"Objects by global ids (at most {MAX_PAGE_SIZE}), in the order asked.",
        extensions=requires_token(),
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global ids.")],
    ) -> list[Node | None]:
        if len(ids) > MAX_PAGE_SIZE:
            raise BadUserInput(
                f"ask for at most {MAX_PAGE_SIZE} ids at once", maximum=MAX_PAGE_SIZE
            )
        return await resolve_nodes(info, ids)
