"""Calculated query cost, computed from the document before execution.

Objects cost 1, scalars and enums 0; a connection costs 2 plus ``first`` (or ``last``,
or the default page of 50) times the cost of one of its items; each mutation field costs
10 plus its payload's selection; introspection (``__schema``, ``__type``) costs 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
)

from oms_graphql.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

OBJECT_COST = 1
CONNECTION_COST = 2
MUTATION_COST = 10
INTROSPECTION_COST = 1
PAGE_ARGUMENTS = ("first", "last")


class TextCache(dict[Any, Any]):
    """Results per document text, bounded like the parser cache (the oldest go first)."""

    def __init__(self, maxsize: int = 1024) -> None:
        super().__init__()
        self.maxsize = maxsize

    def put(self, key: Any, value: Any) -> Any:
        if len(self) >= self.maxsize:
            del self[next(iter(self))]
        self[key] = value
        return value


def _whole_number(value: Any) -> int | None:
    """The page size a variable gives: GraphQL's Int also takes JSON's 250.0 as 250."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) else None


def _is_connection(kind: GraphQLNamedType) -> bool:
    return isinstance(kind, GraphQLObjectType) and {"edges", "pageInfo"} <= kind.fields.keys()


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = dict(variables)
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            default = definition.default_value
            # An explicit null is not replaced by the default: the connection takes 50.
            if name not in self.variables and isinstance(default, IntValueNode):
                self.variables[name] = int(default.value)

    def selections(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType, seen: frozenset[str]
    ) -> int:
        """Fields on the parent type add up; fragments on other types count the dearest one."""
        total = 0
        by_type: dict[str, int] = {}
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, seen)
                continue
            inner_seen = seen
            if isinstance(selection, InlineFragmentNode):
                condition, inner = selection.type_condition, selection.selection_set
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is None or fragment.name.value in seen:
                    continue
                inner_seen = seen | {fragment.name.value}
                condition, inner = fragment.type_condition, fragment.selection_set
            else:
                continue
            kind = self.schema.get_type(condition.name.value) if condition else parent
            cost = self.selections(inner, kind or parent, inner_seen)
            if kind is None or kind is parent:
                total += cost
            else:
                by_type[kind.name] = by_type.get(kind.name, 0) + cost
        return total + max(by_type.values(), default=0)

    def page_size(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value not in PAGE_ARGUMENTS:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                size: Any = int(value.value)
            elif isinstance(value, VariableNode):
                size = _whole_number(self.variables.get(value.name.value))
            else:
                size = None
            if isinstance(size, int):
                # Bigger pages are refused by the connection itself (BAD_USER_INPUT).
                return max(0, min(size, MAX_PAGE_SIZE))
        return DEFAULT_PAGE_SIZE

    def field(self, node: FieldNode, parent: GraphQLNamedType, seen: frozenset[str]) -> int:
        cost = self._field(node, parent, seen)
        if parent is self.schema.mutation_type and not node.name.value.startswith("__"):
            # Also in fragments on Mutation. The payload's own object cost is replaced.
            return MUTATION_COST + max(cost - OBJECT_COST, 0)
        return cost

    def _field(self, node: FieldNode, parent: GraphQLNamedType, seen: frozenset[str]) -> int:
        name = node.name.value
        if name.startswith("__"):
            return INTROSPECTION_COST if name in ("__schema", "__type") else 0
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        definition = parent.fields.get(name)
        if definition is None or node.selection_set is None:
            return 0
        kind = get_named_type(definition.type)
        if not isinstance(kind, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            return 0
        inner = self.selections(node.selection_set, kind, seen)
        if _is_connection(parent):
            # pageInfo is in the connection's own cost; an edge is only a wrapper of its node.
            return 0 if name == "pageInfo" else inner if name == "edges" else OBJECT_COST + inner
        if _is_connection(kind):
            return CONNECTION_COST + self.page_size(node) * inner
        return OBJECT_COST + inner


def document_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> int:
    operation = get_operation_ast(document, operation_name)
    root = schema.get_root_type(operation.operation) if operation else None
    if operation is None or root is None:
        return 0
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    walk = _Walk(schema, operation, fragments, variables or {})
    return walk.selections(operation.selection_set, root, frozenset())


_page_variables = TextCache()
_costs = TextCache()


def _variables_in_page_arguments(query: str, document: DocumentNode) -> tuple[str, ...]:
    cached = _page_variables.get(query)
    if cached is not None:
        return tuple(cached)
    names: set[str] = set()

    def collect(selection_set: SelectionSetNode | None) -> None:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                for argument in selection.arguments or ():
                    value = argument.value
                    if argument.name.value in PAGE_ARGUMENTS and isinstance(value, VariableNode):
                        names.add(value.name.value)
            collect(getattr(selection, "selection_set", None))

    for definition in document.definitions:
        collect(getattr(definition, "selection_set", None))
    return tuple(_page_variables.put(query, tuple(sorted(names))))


def cached_cost(
    schema: GraphQLSchema,
    query: str | None,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> int:
    """The cost per document text (and the page sizes its variables give), like the parser."""
    if query is None:
        return document_cost(schema, document, operation_name, variables)
    given = variables or {}
    # Only whole numbers make a page size; anything else fails variable coercion later.
    # A variable left out (its default applies) and one sent as null differ.
    sizes = tuple(
        (name, name in given, _whole_number(given.get(name)))
        for name in _variables_in_page_arguments(query, document)
    )
    key = (query, operation_name, sizes)
    cost = _costs.get(key)
    if cost is None:
        cost = _costs.put(key, document_cost(schema, document, operation_name, given))
    return int(cost)
