"""Schema extensions: error codes and masking, metrics, fresh loaders per operation."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import suppress
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSyntaxError,
    StringValueNode,
    Visitor,
    parse,
    visit,
)
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types import ExecutionResult

from oms_graphql.db import current_statement_count
from oms_graphql.errors import BadUserInput
from oms_graphql.request_id import current_request_id
from oms_graphql.settings import Settings

DEFAULT_SETTINGS = Settings()

logger = logging.getLogger("oms_graphql.errors")


def is_unexpected(error: GraphQLError) -> bool:
    """Client errors keep their message; anything else is a bug and gets masked."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError | BadUserInput)


class MaskUnexpectedErrors(MaskErrors):
    """Mask only unexpected exceptions; tell the client the request id to quote."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message="Internal server error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": current_request_id()}
        return masked


def log_unexpected_errors(errors: list[GraphQLError]) -> None:
    for error in errors:
        if is_unexpected(error):
            logger.error(
                "unexpected error at %s",
                ".".join(map(str, error.path or [])),
                exc_info=error.original_error,
            )


def _tag(errors: list[GraphQLError] | None, code: str) -> None:
    for error in errors or ():
        if not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": code}


class ErrorCodes(SchemaExtension):
    """Every error leaves with ``extensions.code``.

    Parse and validation errors are ``GRAPHQL_VALIDATION_FAILED``; input that fails during
    execution (variables of the wrong type, malformed ids, oversized pages) is
    ``BAD_USER_INPUT``.
    """

    def on_validate(self) -> Iterator[None]:
        yield
        _tag(self.execution_context.pre_execution_errors, "GRAPHQL_VALIDATION_FAILED")

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or ():
            original = error.original_error
            if isinstance(error, GraphQLSyntaxError):
                _tag([error], "GRAPHQL_VALIDATION_FAILED")
            elif isinstance(original, BadUserInput):
                error.extensions = {"code": "BAD_USER_INPUT", **original.details}
            elif original is None or isinstance(original, GraphQLError):
                _tag([error], "BAD_USER_INPUT")


class OperationMetrics(SchemaExtension):
    """Requests, latency and SQL statements per operation name, for ``/metrics``."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        statements_before = current_statement_count()
        yield
        context = self.execution_context.context
        result = self.execution_context.result
        try:
            name = self.execution_context.operation_name
        except RuntimeError:
            name = None
        context.runtime.metrics.observe(
            name,
            seconds=time.perf_counter() - started,
            ok=not getattr(result, "errors", None),
            statements=current_statement_count() - statements_before,
        )


class FreshLoaders(SchemaExtension):
    """A WebSocket connection shares one context; each operation still gets its own loaders."""

    def on_operation(self) -> Iterator[None]:
        self.execution_context.context.reset_loaders()
        yield


@lru_cache(maxsize=1024)
def _parse(query: str, options: tuple[tuple[str, Any], ...]) -> DocumentNode:
    return parse(query, **dict(options))


class CachedParser(SchemaExtension):
    """Parse each distinct document once, stopping at the settings' token limit.

    Unlike strawberry's ParserCache, a document that does not parse is left to strawberry's
    own parser, so its syntax error takes the normal path (codes, masking, metrics) instead
    of escaping from the hook. The token limit is the parse option strawberry's
    MaxTokensLimiter sets, taken from the application's settings rather than fixed when
    the schema is built (one extension less per request: bench S7).
    """

    def on_parse(self) -> Iterator[None]:
        runtime = getattr(self.execution_context.context, "runtime", None)
        settings = runtime.settings if runtime is not None else DEFAULT_SETTINGS
        self.execution_context.parse_options["max_tokens"] = settings.max_tokens
        query = self.execution_context.query
        if query is not None:
            options = tuple(sorted(self.execution_context.parse_options.items()))
            with suppress(GraphQLError):
                self.execution_context.graphql_document = _parse(query, options)
        yield


def uncoded_errors_masked(result: ExecutionResult | object) -> None:
    """Last line of defence: an error that escaped the extensions above carries no code.

    Such an error came from a failing hook, not from a resolver; mask and log it.
    """
    errors = getattr(result, "errors", None)
    if not errors:
        return
    for index, error in enumerate(errors):
        if not (error.extensions or {}).get("code"):
            logger.error("error outside the operation's error handling", exc_info=error)
            errors[index] = MaskUnexpectedErrors().anonymise_error(error)


def _has_nul(value: Any) -> bool:
    # A loop, not recursion: variables nested a few hundred lists deep are valid JSON.
    pending = [value]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def _document_has_nul(query: str | None, document: DocumentNode | None) -> bool:
    if query is None or document is None:
        return False
    if "\x00" not in query and "\\u0000" not in query.lower():
        return False
    found = False

    class Finder(Visitor):
        def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
            nonlocal found
            found = found or "\x00" in node.value

    visit(document, Finder())
    return found


def nul_characters_error(
    query: str | None, document: DocumentNode | None, variables: Any
) -> GraphQLError | None:
    """PostgreSQL text cannot hold NUL characters: refuse them in any string, before execution."""
    if not (_has_nul(variables) or _document_has_nul(query, document)):
        return None
    return GraphQLError(
        "strings may not contain NUL (\\u0000) characters", extensions={"code": "BAD_USER_INPUT"}
    )
