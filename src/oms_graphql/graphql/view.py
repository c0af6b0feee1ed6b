"""The ``/graphql`` endpoint: authentication, context, JSON encoding, the IDE switch."""

from __future__ import annotations

from functools import cached_property
from typing import Any, cast

import orjson
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_SSE_PROTOCOL, GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from oms_graphql.auth import ANONYMOUS, Principal, TokenError
from oms_graphql.graphql.context import Context
from oms_graphql.graphql.events.subscriptions import SubscriptionStart, live_position
from oms_graphql.graphql.extensions import uncoded_errors_masked
from oms_graphql.graphql.fanout import FanOutTransportWSHandler, SubscriptionHub
from oms_graphql.graphql.throttle import CostBuckets
from oms_graphql.runtime import Runtime

_PRINCIPAL_KEY = "oms.principal"
GRAPHIQL_ASSETS_PATH = "/graphiql/static"
CDN = "https://unpkg.com/"


def unauthenticated_response(message: str) -> Response:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


class GraphQLView(GraphQL[Context, SubscriptionStart]):
    graphql_transport_ws_handler_class = FanOutTransportWSHandler

    def __init__(self, schema: BaseSchema, runtime: Runtime) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if runtime.settings.graphiql else None,
            keep_alive=True,
            keep_alive_interval=15,
            # The legacy graphql-ws protocol is left out: graphql-transport-ws replaced it.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_SSE_PROTOCOL),
            max_subscriptions_per_connection=runtime.settings.max_subscriptions_per_connection,
        )
        self.runtime = runtime
        self.cost_buckets = CostBuckets(
            runtime.settings.cost_bucket_size, runtime.settings.cost_restore_rate
        )
        self.subscription_hub = SubscriptionHub(
            max_queued=runtime.settings.subscription_queue_size,
            encode_json=self.encode_json,
            metrics=runtime.metrics,
        )

    async def get_root_value(self, request: Request | WebSocket) -> SubscriptionStart:
        """Subscriptions over SSE start from the bus position of the request's arrival."""
        return SubscriptionStart(live_position(self.runtime.bus))

    @cached_property
    def graphql_ide_html(self) -> str:
        """strawberry's GraphiQL page, loading its scripts from this server, not a CDN."""
        return super().graphql_ide_html.replace(CDN, GRAPHIQL_ASSETS_PATH + "/")

    async def principal_for(self, authorization: str | None) -> Principal:
        """The caller named by an Authorization value; no value means anonymous."""
        if authorization is None or not authorization.strip():
            return ANONYMOUS
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise TokenError("use the Bearer scheme: Authorization: Bearer <token>")
        return await self.runtime.verifier.verify(token.strip())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # A bad token is refused before anything runs, whatever the document asks for.
            try:
                scope[_PRINCIPAL_KEY] = await self.principal_for(
                    Headers(scope=scope).get("authorization")
                )
            except TokenError as error:
                await unauthenticated_response(str(error))(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        return Context(
            runtime=self.runtime,
            request=request,
            response=response,
            principal=request.scope.get(_PRINCIPAL_KEY, ANONYMOUS),
            cost_buckets=self.cost_buckets,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """The token comes in the connection_init payload; a bad one closes with 4403."""
        params = context.connection_params or {}
        authorization = params.get("Authorization", params.get("authorization"))
        if authorization is None:
            authorization = context.request.headers.get("authorization")
        if authorization is not None and not isinstance(authorization, str):
            raise ConnectionRejectionError()
        try:
            context.authenticate(await self.principal_for(authorization))
        except TokenError:
            raise ConnectionRejectionError() from None
        return cast(UnsetType, UNSET)

    async def process_result(
        self, request: Request | WebSocket, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        uncoded_errors_masked(result)
        return await super().process_result(request, result)  # type: ignore[arg-type]

    def decode_json(self, data: str | bytes) -> object:
        # orjson refuses nesting past 1,024 levels with a JSONDecodeError (a 400); the
        # standard library's decoder recursed until RecursionError, a 500.
        return orjson.loads(data)

    def encode_json(self, data: object) -> str:
        # Text, not bytes: graphql-transport-ws messages must be text frames.
        return orjson.dumps(data).decode()
