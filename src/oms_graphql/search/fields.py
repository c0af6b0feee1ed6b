"""Searchable fields, declared once per resource, and the search tree turned into SQL."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, false, func, not_, or_, true

from oms_graphql import values
from oms_graphql.errors import BadUserInput
from oms_graphql.ids import decode_gid
from oms_graphql.search.parser import And, Node, Not, Or, Term, parse

Condition = ColumnElement[bool]
Build = Callable[[str, str], Condition]
"""Given the operator and the raw value of one term, the SQL condition."""

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _compare(column: Any, op: str, value: Any) -> Condition:
    comparisons: dict[str, Callable[[], Condition]] = {
        ":": lambda: column == value,
        ">": lambda: column > value,
        ">=": lambda: column >= value,
        "<": lambda: column < value,
        "<=": lambda: column <= value,
    }
    return comparisons[op]()


@dataclass(frozen=True, slots=True)
class SearchField:
    """One ``name:value`` a resource understands; ``build`` makes its SQL condition."""

    description: str
    build: Build
    comparable: bool = False
    exists: Callable[[], Condition] | None = None


def _only_colon(name: str, op: str) -> None:
    if op != ":":
        raise BadUserInput(f"search field {name!r} does not support {op!r}", field=name)


def keyword(column: Any, description: str) -> SearchField:
    """Exact match ignoring case; ``value*`` matches a prefix."""

    def build(op: str, value: str) -> Condition:
        if value.endswith("*") and len(value) > 1:
            pattern = _like_escape(value[:-1].lower()) + "%"
            return func.lower(column).like(pattern, escape="\\")
        return func.lower(column) == value.lower()

    return SearchField(description, build, exists=lambda: column.is_not(None))


def enumeration(column: Any, values: type[enum.Enum], description: str) -> SearchField:
    """One of an enum's values, ignoring case (``kind:store``)."""
    known = {member.name.lower(): member for member in values}

    def build(op: str, value: str) -> Condition:
        member = known.get(value.lower())
        if member is None:
            choices = ", ".join(sorted(known))
            raise BadUserInput(f"{value!r} is not one of: {choices}", value=value)
        return cast(Condition, column == member)

    return SearchField(description, build)


def boolean(column: Any, description: str) -> SearchField:
    def build(op: str, value: str) -> Condition:
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise BadUserInput(f"{value!r} is not true or false", value=value)
        return cast(Condition, column.is_(lowered == "true"))

    return SearchField(description, build)


def number(column: Any, description: str, *, decimal: bool = False) -> SearchField:
    def build(op: str, value: str) -> Condition:
        try:
            parsed: Any = values.amount(value) if decimal else values.integer(value)
        except ValueError:
            kind = "an amount with at most 4 decimals" if decimal else "a 64-bit integer"
            raise BadUserInput(f"{value!r} is not {kind}", value=value) from None
        return _compare(column, op, parsed)

    return SearchField(description, build, comparable=True, exists=lambda: column.is_not(None))


def timestamp(column: Any, description: str) -> SearchField:
    """``2026-01-01`` means that whole UTC day; a full ISO-8601 time means that instant."""

    def build(op: str, value: str) -> Condition:
        if _DATE.match(value):
            try:
                start = datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
                end = start + timedelta(days=1)
            except (ValueError, OverflowError):
                raise BadUserInput(
                    f"{value!r} is not a date before 9999-12-31", value=value
                ) from None
            ranges: dict[str, Callable[[], Condition]] = {
                ":": lambda: and_(column >= start, column < end),
                ">": lambda: column >= end,
                ">=": lambda: column >= start,
                "<": lambda: column < start,
                "<=": lambda: column < end,
            }
            return ranges[op]()
        try:
            moment = values.moment(value, assume_utc=True)
        except ValueError:
            raise BadUserInput(
                f"{value!r} is not a date (2026-01-31) or time (2026-01-31T10:00:00Z)",
                value=value,
            ) from None
        return _compare(column, op, moment)

    return SearchField(description, build, comparable=True, exists=lambda: column.is_not(None))


def identifier(column: Any, type_name: str, description: str) -> SearchField:
    """``id:42`` or ``id:gid://oms/Customer/42``; comparisons work on the number."""

    def build(op: str, value: str) -> Condition:
        if value.startswith("gid://"):
            pk = decode_gid(value, expected=type_name).pk
        else:
            try:
                pk = values.integer(value)
            except ValueError:
                raise BadUserInput(f"{value!r} is not an id", value=value) from None
        return _compare(column, op, pk)

    return SearchField(description, build, comparable=True)


def custom(
    build: Build, description: str, *, exists: Callable[[], Condition] | None = None
) -> SearchField:
    return SearchField(description, build, exists=exists)


@dataclass(frozen=True, slots=True)
class SearchSpec:
    """What one resource's ``query:`` understands: named fields and free-text columns."""

    fields: Mapping[str, SearchField]
    text_columns: tuple[Any, ...] = ()

    def where(self, query: str | None) -> Condition | None:
        """The SQL condition for ``query``, or ``None`` when it is empty."""
        tree = parse(query)
        return None if tree is None else self._condition(tree)

    def _condition(self, node: Node) -> Condition:
        if isinstance(node, And):
            return and_(*(self._condition(part) for part in node.parts))
        if isinstance(node, Or):
            return or_(*(self._condition(part) for part in node.parts))
        if isinstance(node, Not):
            # NULL-safe: "-country:IT" includes customers without a country.
            return not_(func.coalesce(self._condition(node.part), false()))
        return self._term(node)

    def _term(self, term: Term) -> Condition:
        if term.field is None:
            return self._free_text(term.value)
        field = self.fields.get(term.field)
        if field is None:
            known = ", ".join(sorted(self.fields))
            raise BadUserInput(
                f"unknown search field {term.field!r}; known fields: {known}", field=term.field
            )
        if term.value == "*" and term.op == ":":
            if field.exists is None:
                raise BadUserInput(
                    f"search field {term.field!r} does not support '*'", field=term.field
                )
            return field.exists()
        if term.op != ":" and not field.comparable:
            _only_colon(term.field, term.op)
        try:
            return field.build(term.op, term.value)
        except BadUserInput as error:
            raise BadUserInput(
                f"search field {term.field!r}: {error.message}", field=term.field
            ) from None

    def _free_text(self, text: str) -> Condition:
        if not self.text_columns:
            return true()
        pattern = f"%{_like_escape(text.lower())}%"
        return or_(*(func.lower(column).like(pattern, escape="\\") for column in self.text_columns))


def describe(spec: SearchSpec) -> str:
    """The searchable fields, for the ``query`` argument's description."""
    return "; ".join(f"{name} ({field.description})" for name, field in sorted(spec.fields.items()))
