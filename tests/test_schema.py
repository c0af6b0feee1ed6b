"""The committed schema.graphql is the running schema, and every part of it is documented."""

from __future__ import annotations

from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
)
from strawberry.permission import PermissionExtension

from oms_graphql.cli import main
from oms_graphql.graphql.schema import Mutation, Query, schema

ROOT_TYPES = {"Query", "Mutation", "Subscription"}


def test_schema_file_matches_the_running_schema(repo_root: Path) -> None:
    committed = (repo_root / "schema.graphql").read_text()

    assert committed == schema.as_str() + "\n", (
        "schema.graphql is stale: run `oms-graphql export-schema --output schema.graphql`"
    )


def test_export_schema_writes_the_committed_file(repo_root: Path, tmp_path: Path) -> None:
    output = tmp_path / "schema.graphql"

    assert main(["export-schema", "--output", str(output)]) == 0

    assert output.read_text() == (repo_root / "schema.graphql").read_text()


def test_every_root_field_checks_permissions() -> None:
    unguarded = [
        f"{root.__name__}.{field.name}"
        for root in (Query, Mutation)
        for field in root.__strawberry_definition__.fields  # type: ignore[attr-defined]
        if not any(isinstance(ext, PermissionExtension) for ext in field.extensions)
    ]

    assert unguarded == []


def test_every_type_field_and_argument_has_a_description() -> None:
    missing: list[str] = []
    for name, graphql_type in schema._schema.type_map.items():
        if name.startswith("__") or name in ROOT_TYPES:
            continue
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType):
            if not graphql_type.description:
                missing.append(name)
            for field_name, field in graphql_type.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                missing += [
                    f"{name}.{field_name}({arg})"
                    for arg, value in field.args.items()
                    if not value.description
                ]
        elif isinstance(graphql_type, GraphQLInputObjectType):
            if not graphql_type.description:
                missing.append(name)
            missing += [f"{name}.{f}" for f, v in graphql_type.fields.items() if not v.description]
        elif isinstance(graphql_type, GraphQLEnumType) and not graphql_type.description:
            missing.append(name)
    for root in ROOT_TYPES & set(schema._schema.type_map):
        root_type = schema._schema.type_map[root]
        assert isinstance(root_type, GraphQLObjectType)
        for field_name, field in root_type.fields.items():
            if not field.description:
                missing.append(f"{root}.{field_name}")
            missing += [
                f"{root}.{field_name}({arg})" for arg, v in field.args.items() if not v.description
            ]

    assert missing == []
