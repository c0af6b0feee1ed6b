"""The ``/graphql`` endpoint: authentication, context, JSON encoding, the IDE switch, and
GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/): the response media
type negotiated from ``Accept``, request errors as 4xx under
``application/graphql-response+json``, JSON bodies only, WebSocket origins checked."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from functools import cached_property, partial
from typing import Any, cast

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.parse_content_type import parse_content_type
from strawberry.http.streaming import SSETransport
from strawberry.schema import BaseSchema
from strawberry.schema.exceptions import InvalidOperationTypeError
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
_MEDIA_TYPE_KEY = "oms.media_type"
GRAPHIQL_ASSETS_PATH = "/graphiql/static"
CDN = "https://unpkg.com/"

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
_UTF8 = ("utf-8", "utf8")


def negotiate(accept: str | None) -> str | None:
    """The response media type ``accept`` asks for; ``None`` when it accepts neither.

    No header (and ``*/*``) means ``application/json``, the legacy type every client reads.
    Where both are named with the same weight, the newer type wins.
    """
    if accept is None or not accept.strip():
        return JSON
    # For each of our types: (q of the most specific range that matches, that specificity).
    best = {GRAPHQL_RESPONSE_JSON: (0.0, -1), JSON: (0.0, -1)}
    for media_range in accept.split(","):
        kind, _, parameters = media_range.partition(";")
        kind = kind.strip().lower()
        quality = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
        for candidate in best:
            specificity = {candidate: 2, "application/*": 1, "*/*": 0}.get(kind)
            if specificity is not None and specificity > best[candidate][1]:
                best[candidate] = (quality, specificity)
    ranked = sorted(
        best.items(),
        # A wildcard alone picks application/json; a named type outranks a wildcard.
        key=lambda item: (
            item[1][0],
            item[1][1],
            (item[0] == GRAPHQL_RESPONSE_JSON) == (item[1][1] == 2),
        ),
        reverse=True,
    )
    chosen, (quality, _) = ranked[0]
    return chosen if quality > 0 else None


def _error_body(message: str, code: str) -> dict[str, object]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def unauthenticated_response(message: str, media_type: str = JSON) -> Response:
    return json_response(
        _error_body(message, "UNAUTHENTICATED"),
        401,
        media_type,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def json_response(
    body: object, status_code: int, media_type: str, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(body),
        status_code=status_code,
        media_type=f"{media_type}; charset=utf-8",
        headers=headers,
    )


def http_error_response(error: HTTPException, media_type: str) -> Response:
    """strawberry's refusals of a malformed request, as a GraphQL error body (not plain
    text), with 405 and ``Allow`` for an operation its method cannot run (a mutation
    over GET, as the GraphQL-over-HTTP spec asks)."""
    status_code, headers = error.status_code, None
    if isinstance(error.__cause__, InvalidOperationTypeError):
        status_code, headers = 405, {"Allow": "POST"}
    code = "NOT_FOUND" if status_code == 404 else "BAD_REQUEST"
    return json_response(_error_body(error.reason, code), status_code, media_type, headers)


def _retry_after(response_data: GraphQLHTTPResponse) -> int:
    errors = cast(list[dict[str, Any]], response_data.get("errors") or [])
    seconds = max((e.get("extensions") or {}).get("retryAfterSeconds") or 0 for e in errors)
    return max(1, math.ceil(seconds))


def _request_error_status(response_data: GraphQLHTTPResponse) -> int | None:
    """The 4xx/5xx status of a result that never reached execution, else ``None``.

    Parse, validation, limit and variable errors come with no data and no error path; a
    field error always has a path, and its result keeps ``data`` (maybe null) and 200.
    """
    if response_data.get("data") is not None:
        return None
    errors = cast(list[dict[str, Any]], response_data.get("errors") or [])
    if not errors or any(error.get("path") for error in errors):
        return None
    codes = {(error.get("extensions") or {}).get("code") for error in errors}
    if "INTERNAL_SERVER_ERROR" in codes:
        return 500
    if "THROTTLED" in codes:
        return 429
    return 400


async def _until_expiry(
    stream: Callable[[], AsyncIterator[str]],
    seconds_left: float,
    encode_json: Callable[[object], str] | None,
) -> AsyncIterator[str]:
    """A streamed subscription that ends when the caller's token expires (it was checked
    once, when the request came); over SSE the last event says why."""
    parts = stream()
    try:
        async with asyncio.timeout(seconds_left):
            async for part in parts:
                yield part
        return
    except TimeoutError:
        pass
    finally:
        await cast(AsyncGenerator[str, None], parts).aclose()
    if encode_json is not None:
        sse = SSETransport()
        yield sse.encode_next(
            {
                "errors": [
                    {"message": "the token expired", "extensions": {"code": "UNAUTHENTICATED"}}
                ]
            },
            encode_json,
        )
        yield sse.encode_complete()


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
            # Handshakes with no Origin (not a browser) or from this server's own origin
            # are always accepted; other pages only when listed.
            allowed_origins=runtime.settings.websocket_origins,
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

    def response_media_type(self, request: Request) -> str | None:
        """What a JSON answer to ``request`` is sent as; ``None`` when ``Accept`` refuses
        both JSON types (a 406). The IDE page and event streams negotiate their own."""
        accept = request.headers.get("accept")
        if self.should_render_graphql_ide(self.request_adapter_class(request)) or (
            accept is not None and "text/event-stream" in accept.lower()
        ):
            return JSON
        return negotiate(accept)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        # strawberry's own HTTP branch, with refusals as GraphQL error bodies.
        request = Request(scope, receive)
        media_type = self.response_media_type(request)
        scope[_MEDIA_TYPE_KEY] = media_type or JSON
        response: Response
        try:
            if media_type is None:
                raise HTTPException(
                    406, f"this endpoint answers with {GRAPHQL_RESPONSE_JSON} or {JSON}"
                )
            # A bad token is refused before anything runs, whatever the document asks for.
            scope[_PRINCIPAL_KEY] = await self.principal_for(
                Headers(scope=scope).get("authorization")
            )
            response = await self.run(request)
        except TokenError as error:
            response = unauthenticated_response(str(error), scope[_MEDIA_TYPE_KEY])
        except HTTPException as error:
            response = http_error_response(error, scope[_MEDIA_TYPE_KEY])
        await response(scope, receive, send)

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> Any:
        # Browsers send form and text bodies cross-site without a CORS preflight; accepting
        # only JSON means another site cannot make a visitor's browser run an operation.
        if request.method == "POST":
            content_type, parameters = parse_content_type(request.content_type or "")
            charset = parameters.get("charset", "utf-8").lower()
            if content_type.lower() != JSON or charset not in _UTF8:
                raise HTTPException(
                    415, "send the operation as JSON: Content-Type: application/json"
                )
        return await super().parse_http_body(request)

    async def create_streaming_response(
        self,
        request: Request | WebSocket,
        stream: Callable[[], AsyncIterator[str]],
        sub_response: Response,
        headers: Mapping[str, str],
    ) -> Response:
        principal: Principal = request.scope.get(_PRINCIPAL_KEY, ANONYMOUS)
        seconds_left = principal.seconds_left(self.runtime.settings.jwt_leeway_seconds)
        if seconds_left is not None:
            content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
            sse = content_type.startswith("text/event-stream")
            stream = partial(_until_expiry, stream, seconds_left, self.encode_json if sse else None)
        return await super().create_streaming_response(request, stream, sub_response, headers)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = request.scope.get(_MEDIA_TYPE_KEY, JSON)
        return sub_response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        media_type = sub_response.media_type or JSON
        body: object = response_data
        status_code, headers = 200, None
        if media_type == GRAPHQL_RESPONSE_JSON and isinstance(response_data, dict):
            # The newer type tells a request error by its status and the absence of data;
            # application/json stays 200 for every well-formed request, as the spec says.
            request_error = _request_error_status(response_data)
            if request_error is not None:
                body = {k: v for k, v in response_data.items() if k != "data"}
                status_code = request_error
            if request_error == 429:
                headers = {"Retry-After": str(_retry_after(response_data))}
        response = json_response(body, sub_response.status_code or status_code, media_type, headers)
        response.headers.raw.extend(
            (name, value) for name, value in sub_response.headers.raw if name != b"content-type"
        )
        if sub_response.background:
            response.background = sub_response.background
        return response

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
