"""The ``query:`` search syntax: parsed once, turned into SQL per resource."""

from oms_graphql.search.fields import (
    SearchField,
    SearchSpec,
    boolean,
    custom,
    describe,
    enumeration,
    identifier,
    keyword,
    number,
    timestamp,
)
from oms_graphql.search.parser import parse

__all__ = [
    "SearchField",
    "SearchSpec",
    "boolean",
    "custom",
    "describe",
    "enumeration",
    "identifier",
    "keyword",
    "number",
    "parse",
    "timestamp",
]
