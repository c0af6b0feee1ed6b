"""The search syntax, parsed without a database."""

from __future__ import annotations

import pytest

from oms_graphql.errors import BadUserInput
from oms_graphql.search.parser import And, Not, Or, Term, parse


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("", None),
        ("   ", None),
        ("tag:vip", Term("tag", ":", "vip")),
        ("Tag:VIP", Term("tag", ":", "VIP")),
        ("orders_count:>5", Term("orders_count", ">", "5")),
        ("orders_count:>=5", Term("orders_count", ">=", "5")),
        ("created_at:<2026-01-01", Term("created_at", "<", "2026-01-01")),
        ("amount_spent:<=10.5", Term("amount_spent", "<=", "10.5")),
        ("-tag:test", Not(Term("tag", ":", "test"))),
        ("NOT tag:test", Not(Term("tag", ":", "test"))),
        ('email:"a b@x.it"', Term("email", ":", "a b@x.it")),
        ('"gift card"', Term(None, ":", "gift card")),
        ('"a:b"', Term(None, ":", "a:b")),
        ("rossi", Term(None, ":", "rossi")),
        ("tag:*", Term("tag", ":", "*")),
        ("tag:a tag:b", And((Term("tag", ":", "a"), Term("tag", ":", "b")))),
        ("tag:a AND tag:b", And((Term("tag", ":", "a"), Term("tag", ":", "b")))),
        ("tag:a OR tag:b", Or((Term("tag", ":", "a"), Term("tag", ":", "b")))),
        (
            "country:IT tag:a OR tag:b",
            Or((And((Term("country", ":", "IT"), Term("tag", ":", "a"))), Term("tag", ":", "b"))),
        ),
        (
            "country:IT (tag:a OR tag:b)",
            And((Term("country", ":", "IT"), Or((Term("tag", ":", "a"), Term("tag", ":", "b"))))),
        ),
        (
            "-(tag:a OR tag:b)",
            Not(Or((Term("tag", ":", "a"), Term("tag", ":", "b")))),
        ),
        ('tag:"with \\" quote"', Term("tag", ":", 'with " quote')),
        ("a - b", And((Term(None, ":", "a"), Term(None, ":", "-"), Term(None, ":", "b")))),
    ],
)
def test_parse(query: str, tree: object) -> None:
    assert parse(query) == tree


@pytest.mark.parametrize(
    "query",
    ['tag:"open', "(tag:a", "tag:a)", "tag:", "tag:a OR", "()", "x" * 2001, " ".join(["a"] * 51)],
)
def test_malformed_queries_are_bad_user_input(query: str) -> None:
    with pytest.raises(BadUserInput):
        parse(query)
