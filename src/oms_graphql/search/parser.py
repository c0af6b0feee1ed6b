"""The ``query:`` search syntax, parsed into a small tree (no SQL here).

    status:open tag:vip created_at:>2026-01-01 -tag:test "gift card" (a OR b)

- ``field:value``, with ``>``, ``>=``, ``<``, ``<=`` after the colon, ``field:*`` for "has a value"
- ``-`` (or ``NOT``) negates a term or a group
- terms side by side (or joined by ``AND``) must all hold; ``OR`` offers alternatives
  and binds looser than AND
- values and free text may be quoted: ``email:"a b@x.it"``, ``"two words"``
- anything without a field is free text
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from oms_graphql.errors import BadUserInput

MAX_QUERY_LENGTH = 2_000
MAX_TERMS = 50
COMPARATORS = (">=", "<=", ">", "<")
_FIELD = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class Term:
    """``field`` is None for free text; ``op`` is ``:`` or a comparator."""

    field: str | None
    op: str
    value: str


@dataclass(frozen=True, slots=True)
class Not:
    part: Node


@dataclass(frozen=True, slots=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    parts: tuple[Node, ...]


Node = Term | Not | And | Or


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # WORD, LPAREN, RPAREN, NEG
    text: str = ""
    quoted: bool = False
    colon: int = -1  # where the first colon outside quotes is in ``text``


def _tokens(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        char = query[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(_Token("LPAREN" if char == "(" else "RPAREN"))
            i += 1
        elif char == "-" and i + 1 < n and not query[i + 1].isspace():
            tokens.append(_Token("NEG"))
            i += 1
        else:
            text, quoted, colon, i = _word(query, i)
            tokens.append(_Token("WORD", text, quoted, colon))
    return tokens


def _word(query: str, i: int) -> tuple[str, bool, int, int]:
    """A word runs to whitespace or a parenthesis; quoted parts may contain both."""
    out: list[str] = []
    quoted = False
    colon = -1
    n = len(query)
    while i < n and not query[i].isspace() and query[i] not in "()":
        if query[i] == '"':
            quoted = True
            i += 1
            while i < n and query[i] != '"':
                if query[i] == "\\" and i + 1 < n:
                    i += 1
                out.append(query[i])
                i += 1
            if i >= n:
                raise BadUserInput("unbalanced quote in query", query=query)
            i += 1
        else:
            if query[i] == ":" and colon < 0:
                colon = len(out)
            out.append(query[i])
            i += 1
    return "".join(out), quoted, colon, i


class _Parser:
    def __init__(self, tokens: list[_Token], query: str) -> None:
        self.tokens = tokens
        self.position = 0
        self.query = query
        self.terms = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def is_keyword(self, token: _Token | None, keyword: str) -> bool:
        return (
            token is not None
            and token.kind == "WORD"
            and not token.quoted
            and token.text == keyword
        )

    def parse(self) -> Node | None:
        if not self.tokens:
            return None
        node = self.alternatives()
        if self.peek() is not None:
            raise BadUserInput("unbalanced parenthesis in query", query=self.query)
        return node

    def alternatives(self) -> Node:
        parts = [self.conjunction()]
        while self.is_keyword(self.peek(), "OR"):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def conjunction(self) -> Node:
        parts = [self.unary()]
        while True:
            token = self.peek()
            if token is None or token.kind == "RPAREN" or self.is_keyword(token, "OR"):
                break
            if self.is_keyword(token, "AND"):
                self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node:
        token = self.peek()
        if token is not None and (token.kind == "NEG" or self.is_keyword(token, "NOT")):
            self.take()
            return Not(self.unary())
        return self.primary()

    def primary(self) -> Node:
        token = self.peek()
        if token is None or token.kind == "RPAREN":
            raise BadUserInput("query ends where a term was expected", query=self.query)
        self.take()
        if token.kind == "LPAREN":
            node = self.alternatives()
            closing = self.peek()
            if closing is None or closing.kind != "RPAREN":
                raise BadUserInput("unbalanced parenthesis in query", query=self.query)
            self.take()
            return node
        if token.kind == "NEG":
            return Not(self.unary())
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise BadUserInput(f"a query may have at most {MAX_TERMS} terms", query=self.query)
        return _term(token)


def _term(token: _Token) -> Term:
    text = token.text
    if token.colon < 0:
        return Term(None, ":", text)
    field, rest = text[: token.colon].lower(), text[token.colon + 1 :]
    if not _FIELD.match(field):
        return Term(None, ":", text)
    op = ":"
    for comparator in COMPARATORS:
        if rest.startswith(comparator):
            op, rest = comparator, rest[len(comparator) :]
            break
    if rest == "":
        raise BadUserInput(
            f"search field {field!r} needs a value, e.g. {field}:something", field=field
        )
    return Term(field, op, rest)


def parse(query: str | None) -> Node | None:
    """Parse a search string; ``None`` for an empty one. Malformed input is BAD_USER_INPUT."""
    if query is None or not query.strip():
        return None
    if len(query) > MAX_QUERY_LENGTH:
        raise BadUserInput(f"a query may be at most {MAX_QUERY_LENGTH} characters long")
    return _Parser(_tokens(query), query).parse()
