"""Scope checks on fields: missing token -> UNAUTHENTICATED, missing scope -> FORBIDDEN."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension

from oms_graphql.auth.principal import Principal


def unauthenticated() -> GraphQLError:
    return GraphQLError(
        "authentication required: send a bearer token in the Authorization header",
        extensions={"code": "UNAUTHENTICATED"},
    )


def forbidden(scope: str) -> GraphQLError:
    return GraphQLError(
        f"this token lacks the {scope} scope", extensions={"code": "FORBIDDEN", "scope": scope}
    )


def check_scope(principal: Principal, scope: str | None) -> None:
    if not principal.is_authenticated:
        raise unauthenticated()
    if scope is not None and not principal.has_scope(scope):
        raise forbidden(scope)


class HasScope(BasePermission):
    """The caller's token carries ``scope`` (or a scope implying it)."""

    def __init__(self, scope: str | None) -> None:
        self.scope = scope

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        check_scope(info.context.principal, self.scope)
        return True


def requires(scope: str) -> list[FieldExtension]:
    """Field extensions requiring ``scope``: put them on every root field."""
    return [PermissionExtension(permissions=[HasScope(scope)], use_directives=False)]


def requires_token() -> list[FieldExtension]:
    """Any authenticated caller; what they see is filtered further by the resolver."""
    return [PermissionExtension(permissions=[HasScope(None)], use_directives=False)]
