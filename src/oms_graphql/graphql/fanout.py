"""Shared execution of identical live subscriptions over graphql-transport-ws.

strawberry runs one generator per subscription, so one event reaching 1,000 subscribers is
executed 1,000 times. Here subscriptions with the same document, variables and access
(scopes and `Access`: channels, email) and no replay (`after`) form one group: each event
is executed once, encoded once, and the same text goes to every member's socket with the
member's own operation id. A subscription that replays from a cursor has a stream of its own.

Every member has a bounded queue; one that cannot keep up is closed with 1013 (try again
later) and resumes from its last cursor, instead of growing memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Hashable
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    NullValueNode,
    OperationType,
    VariableNode,
    get_operation_ast,
    parse,
)
from prometheus_client import Counter
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.schema import BaseSchema
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.utils.aio import aclosing

from oms_graphql.access import Access
from oms_graphql.auth import Principal
from oms_graphql.events.bus import Position
from oms_graphql.graphql.context import Context
from oms_graphql.graphql.events.subscriptions import (
    TOO_SLOW_CODE,
    TOO_SLOW_MESSAGE,
    SubscriptionStart,
    live_position,
)
from oms_graphql.metrics import Metrics

logger = logging.getLogger("oms_graphql.subscriptions")

TOO_SLOW = 1013
"""WebSocket "try again later": clients such as graphql-ws reconnect on it."""


@lru_cache(maxsize=1024)
def _document(query: str) -> DocumentNode | None:
    try:
        return parse(query)
    except GraphQLError:
        return None


def subscription_replays(
    query: str, operation_name: str | None, variables: dict[str, Any] | None
) -> bool | None:
    """None if ``query`` is not a subscription; else whether it replays from a cursor."""
    document = _document(query)
    if document is None:
        return None
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.SUBSCRIPTION:
        return None
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode):
            return True  # fragments: do not guess, run it on its own
        for argument in selection.arguments or ():
            if argument.name.value != "after" or isinstance(argument.value, NullValueNode):
                continue
            if (
                isinstance(argument.value, VariableNode)
                and (variables or {}).get(argument.value.name.value) is None
            ):
                continue
            return True
    return False


def access_key(principal: Principal) -> Hashable:
    return (
        principal.is_authenticated,
        principal.scopes,
        Access.of(principal),
    )


class _Member:
    def __init__(self, operation: Operation[Context, Any], max_queued: int) -> None:
        self.operation = operation
        self.prefix = '{"id":' + json.dumps(operation.id) + ',"type":"next","payload":'
        self.queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue(max_queued)
        self.too_slow = False

    def offer(self, kind: str, data: Any = None) -> bool:
        """Queue a message; False when the member is too slow and must be closed."""
        try:
            self.queue.put_nowait((kind, data))
        except asyncio.QueueFull:
            self.too_slow = True
            return False
        return True

    async def deliver(self, socket: WebSocket, sent: Counter) -> None:
        """Send the group's messages until the stream ends (or the member is dropped)."""
        handler = self.operation.handler
        while True:
            kind, data = await self.queue.get()
            if socket.application_state is not WebSocketState.CONNECTED:
                return  # closed meanwhile, e.g. for another subscription of the socket
            if self.too_slow or kind == "close":
                await handler.websocket.close(code=TOO_SLOW, reason=TOO_SLOW_MESSAGE)
                return
            if kind == "next":
                await socket.send_text(self.prefix + data + "}")
                sent.inc()
            elif kind == "error":
                await self.operation.send_operation_message(
                    {"id": self.operation.id, "type": "error", "payload": data}
                )
                return
            else:
                await self.operation.send_operation_message(
                    {"id": self.operation.id, "type": "complete"}
                )
                return


class _Group:
    def __init__(self, hub: SubscriptionHub, key: Hashable | None) -> None:
        self.hub = hub
        self.key = key
        self.members: set[_Member] = set()
        self.task: asyncio.Task[None] | None = None

    def start(self, operation: Operation[Context, Any], live_from: Position | None) -> None:
        handler = operation.handler
        self.task = asyncio.create_task(
            self._produce(
                handler.schema,
                operation,
                handler.context,
                SubscriptionStart(live_from),
            ),
            name="subscription-group",
        )

    def broadcast(self, kind: str, data: Any = None) -> None:
        for member in tuple(self.members):
            if not member.offer(kind, data):
                # Dropped now: it gets nothing more, and closes when its sender runs.
                self.members.discard(member)
                self.hub.metrics.subscribers_too_slow.inc()

    def finish(self, kind: str, data: Any = None) -> None:
        """The last message: nobody may join this group after it."""
        self.hub.forget(self)
        self.broadcast(kind, data)

    async def _produce(
        self,
        schema: BaseSchema,
        operation: Operation[Context, Any],
        context: Context,
        root: SubscriptionStart,
    ) -> None:
        try:
            source = await schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                root_value=root,
                operation_name=operation.operation_name,
            )
            async with aclosing(source):
                first = True
                async for result in source:
                    if first and isinstance(result, PreExecutionError):
                        self.finish("error", [error.formatted for error in result.errors or []])
                        return
                    first = False
                    if not isinstance(result, ExecutionResult):
                        self.finish(
                            "error",
                            [GraphQLError("incremental delivery is not supported").formatted],
                        )
                        return
                    if any(
                        (error.extensions or {}).get("code") == TOO_SLOW_CODE
                        for error in result.errors or []
                    ):
                        self.hub.metrics.subscribers_too_slow.inc(len(self.members))
                        self.finish("close")
                        return
                    payload: dict[str, Any] = {"data": result.data}
                    if result.errors:
                        payload["errors"] = [error.formatted for error in result.errors]
                    self.broadcast("next", self.hub.encode_json(payload))
            self.finish("complete")
        except Exception:
            logger.exception("a subscription stream failed")
            self.finish("complete")
        finally:
            self.hub.forget(self)


class SubscriptionHub:
    """The groups of one application."""

    def __init__(self, *, max_queued: int, encode_json: Any, metrics: Metrics) -> None:
        self.max_queued = max_queued
        self.encode_json = encode_json
        self.metrics = metrics
        self._groups: dict[Hashable, _Group] = {}

    @property
    def group_count(self) -> int:
        return len(self._groups)

    def forget(self, group: _Group) -> None:
        if group.key is not None and self._groups.get(group.key) is group:
            del self._groups[group.key]

    async def run(
        self, operation: Operation[Context, Any], live_from: Position | None, *, shared: bool
    ) -> None:
        handler = operation.handler
        key: Hashable | None = None
        if shared:
            key = (
                operation.query,
                operation.operation_name,
                json.dumps(operation.variables, sort_keys=True, default=str),
                access_key(handler.context.principal),
            )
        group = self._groups.get(key) if key is not None else None
        if group is None:
            group = _Group(self, key)
            if key is not None:
                self._groups[key] = group
            group.start(operation, live_from)
        member = _Member(operation, self.max_queued)
        group.members.add(member)
        try:
            with contextlib.suppress(WebSocketDisconnect):
                await member.deliver(
                    handler.websocket.ws,  # type: ignore[attr-defined]
                    self.metrics.subscription_messages,
                )
        finally:
            group.members.discard(member)
            if not group.members and group.task is not None:
                group.task.cancel()
                self.forget(group)


TOKEN_EXPIRED_CLOSE = 4403
TOKEN_EXPIRED_REASON = "Forbidden: the token expired"


class FanOutTransportWSHandler(BaseGraphQLTransportWSHandler[Context, Any]):
    """graphql-transport-ws with subscriptions run by the view's ``SubscriptionHub``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._live_from: dict[str, Position | None] = {}
        self._expiry: asyncio.Task[None] | None = None

    async def handle_connection_init(self, message: Any) -> None:
        await super().handle_connection_init(message)
        if not self.connection_acknowledged:
            return
        leeway = self.view.runtime.settings.jwt_leeway_seconds  # type: ignore[attr-defined]
        seconds_left = self.context.principal.seconds_left(leeway)
        if seconds_left is not None:
            self._expiry = asyncio.create_task(self._close_on_expiry(seconds_left))

    async def _close_on_expiry(self, seconds_left: float) -> None:
        # The token was checked once, at connection_init: without this, a socket would
        # outlive it and keep delivering for as long as the client stays connected.
        await asyncio.sleep(seconds_left)
        await self.websocket.close(code=TOKEN_EXPIRED_CLOSE, reason=TOKEN_EXPIRED_REASON)

    async def shutdown(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._expiry
        await super().shutdown()

    async def handle_subscribe(self, message: Any) -> None:
        # The position at the moment the client asked: an event committed while the
        # operation is being set up is still delivered.
        self._live_from[message["id"]] = live_position(self.view.runtime.bus)  # type: ignore[attr-defined]
        await super().handle_subscribe(message)
        if message["id"] not in self.operations:
            self._live_from.pop(message["id"], None)

    async def run_operation(self, operation: Operation[Context, Any]) -> None:
        live_from = self._live_from.pop(operation.id, None)
        replays = subscription_replays(
            operation.query, operation.operation_name, operation.variables
        )
        if replays is None:
            await super().run_operation(operation)
            return
        hub: SubscriptionHub = self.view.subscription_hub  # type: ignore[attr-defined]
        await hub.run(operation, live_from, shared=not replays)
