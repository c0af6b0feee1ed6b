"""Checks before execution: depth, aliases, NUL characters, input lists, cost and
throttling; validation itself, cached.

The limits come from the application's settings, so they are applied per operation
(the schema is shared by every application in a process, tests included). One extension
does it all, in place of strawberry's ValidationCache: each extension strawberry runs
adds its own fixed cost to every request (bench S7).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    ListValueNode,
    NoSchemaIntrospectionCustomRule,
    Visitor,
    validate,
    visit,
)
from graphql import (
    ExecutionResult as GraphQLExecutionResult,
)
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as aliases_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from oms_graphql.graphql.cost import TextCache, cached_cost
from oms_graphql.graphql.extensions import DEFAULT_SETTINGS, nul_characters_error
from oms_graphql.graphql.throttle import CostBuckets

# Mutations check their own lists (a TOO_MANY userError naming the field, at 250);
# only far bigger ones are refused before execution.
MUTATION_LIST_FACTOR = 10


# Clients send the same documents again and again; graphql-core's validation costs more
# than executing a small query (measured: bench, S7 rows).
_validations = TextCache()


def _validate(
    context: ExecutionContext,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    *,
    anonymous: bool,
) -> list[GraphQLError]:
    """graphql-core's validation with strawberry's extra rules (as strawberry's own
    ``validate_document``); for callers without a token, no introspection and no "Did you
    mean ...?" suggestions, so the schema is not handed to whoever asks."""
    schema = context.schema._schema
    if anonymous:
        rules += (NoSchemaIntrospectionCustomRule,)
    rules += (MaybeNullValidationRule, OneOfInputValidationRule)

    def run() -> list[GraphQLError]:
        errors = validate(schema, document, rules, hide_suggestions=anonymous)
        if anonymous:
            # ScalarLeafsRule suggests "Did you mean 'field { ... }'?" whatever the flag.
            for error in errors:
                error.message = error.message.split(" Did you mean ")[0]
        return errors

    if context.query is None:
        return run()
    # Keyed on the text, like the parser: strawberry's ValidationCache keys on the document,
    # and graphql-core nodes (frozen dataclasses) hash their whole tree on every request.
    # The rules (with or without the introspection rule) tell the two audiences apart.
    key = (schema, context.query, rules)
    errors = _validations.get(key)
    if errors is None:
        errors = _validations.put(key, run())
    return list(errors)


def is_anonymous(context: object) -> bool:
    """No token: the request's principal is not authenticated (no context counts as none)."""
    principal = getattr(context, "principal", None)
    return principal is None or not principal.is_authenticated


@lru_cache(maxsize=16)
def _rules(max_depth: int, max_aliases: int) -> tuple[type[ASTValidationRule], ...]:
    # One class per limit pair, so the validation cache (keyed by the rules) stays valid.
    return (depth_validator(max_depth, None), aliases_validator(max_aliases))


_literal_lists = TextCache()


def _longest_literal_list(query: str, document: DocumentNode) -> int:
    # graphql-core nodes hash by their whole subtree: key on the text, not on the document.
    cached = _literal_lists.get(query)
    if cached is not None:
        return int(cached)
    longest = 0

    class Finder(Visitor):
        def enter_list_value(self, node: ListValueNode, *_: Any) -> None:
            nonlocal longest
            longest = max(longest, len(node.values))

    visit(document, Finder())
    return int(_literal_lists.put(query, longest))


def _longest_list(value: Any) -> int:
    # A loop, not recursion: variables nested a few hundred lists deep are valid JSON.
    longest = 0
    pending = [value]
    while pending:
        value = pending.pop()
        if isinstance(value, list):
            longest = max(longest, len(value))
            pending.extend(value)
        elif isinstance(value, dict):
            pending.extend(value.values())
    return longest


def _error(code: str, message: str, **details: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **details})


class Limits(SchemaExtension):
    """strawberry's QueryDepthLimiter and MaxAliasesLimiter rules, from settings, in a
    cached validation; then NUL characters, input lists, the cost maximum and the caller's
    bucket; and ``extensions.cost`` on every result.

    strawberry's limiters take their limits when the schema is built; ours live in each
    application's settings, so this adds the same validation rules per operation (the
    token limit is CachedParser's). Only a document that would otherwise run is charged.
    """

    requested = 0
    charged = 0
    settings = DEFAULT_SETTINGS
    key: str | None = None

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        runtime = getattr(context.context, "runtime", None)
        if runtime is not None:
            self.settings = runtime.settings
        if document is not None:
            rules = context.validation_rules + _rules(
                self.settings.max_query_depth, self.settings.max_aliases
            )
            errors = _validate(context, document, rules, anonymous=is_anonymous(context.context))
            refusal = None
            if not errors:
                refusal = (
                    nul_characters_error(context.query, document, context.variables)
                    or self._oversized_list(document)
                    or self._charge(document)
                )
            context.pre_execution_errors = [refusal] if refusal else errors
        yield

    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        # Variables that do not coerce (and other operation-level refusals) stop graphql-core
        # before any field runs: no data and no error with a path. Only work that ran is paid.
        if (
            self.charged
            and isinstance(result, GraphQLExecutionResult)
            and result.data is None
            and result.errors
            and not any(error.path for error in result.errors)
        ):
            buckets, key = self._bucket()
            if buckets is not None:
                buckets.give_back(key, self.charged)
            self.charged = 0

    def _oversized_list(self, document: DocumentNode) -> GraphQLError | None:
        context = self.execution_context
        limit = self.settings.max_input_list_length
        literal = _longest_literal_list(context.query, document) if context.query else 0
        longest = max(literal, _longest_list(context.variables))
        if longest <= limit:
            return None
        if context.operation_type == OperationType.MUTATION:
            limit *= MUTATION_LIST_FACTOR
            if longest <= limit:
                return None
        return _error(
            "BAD_USER_INPUT",
            f"an input list holds {longest} items; at most {limit} are allowed",
            maximum=limit,
        )

    def _charge(self, document: DocumentNode) -> GraphQLError | None:
        context = self.execution_context
        maximum = self.settings.max_query_cost
        self.requested = cached_cost(
            context.schema._schema,
            context.query,
            document,
            # The name the client gave (None picks the only operation), not strawberry's
            # derived one: that walks the document again on every request.
            context._provided_operation_name,
            context.variables,
        )
        if self.requested > maximum:
            return _error(
                "MAX_COST_EXCEEDED",
                f"this query costs {self.requested}, more than the maximum of {maximum}: "
                "ask for smaller pages or fewer fields",
                cost=self.requested,
                maximumCost=maximum,
            )
        buckets, key = self._bucket()
        if buckets is None or buckets.take(key, self.requested):
            self.charged = self.requested
            return None
        return _error(
            "THROTTLED",
            f"throttled: this query costs {self.requested} and {int(buckets.available(key))} "
            f"is available; {buckets.restore_rate:g} is restored per second",
            retryAfterSeconds=buckets.seconds_until(key, self.requested),
        )

    def _bucket(self) -> tuple[CostBuckets | None, str]:
        context = self.execution_context.context
        buckets = getattr(context, "cost_buckets", None)
        if buckets is not None and self.key is None:
            self.key = context.throttle_key
        return buckets, self.key or ""

    def get_results(self) -> dict[str, Any]:
        buckets, key = self._bucket()
        status = None
        if buckets is not None:
            status = {
                "maximumAvailable": buckets.size,
                "currentlyAvailable": int(buckets.available(key)),
                "restoreRate": buckets.restore_rate,
            }
        return {
            "cost": {
                "requestedQueryCost": self.requested,
                "actualQueryCost": self.charged,
                "throttleStatus": status,
            }
        }
