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


NOT_STAFF = frozenset({"storefront", "customer"})
"""Scopes of storefronts and customers: they reach only the fields that name them."""


def check_scope(principal: Principal, scope: str | None) -> None:
    if not principal.is_authenticated:
        raise unauthenticated()
    if scope is None and not principal.scopes - NOT_STAFF:
        raise forbidden("a staff or partner scope")
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


class HasAnyScope(BasePermission):
    """The caller's token carries one of ``scopes``; anonymous callers pass when the server
    allows anonymous storefront access and ``storefront`` is one of them."""

    def __init__(self, scopes: tuple[str, ...]) -> None:
        self.scopes = scopes

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        principal: Principal = info.context.principal
        if not principal.is_authenticated:
            if (
                "storefront" in self.scopes
                and info.context.runtime.settings.allow_anonymous_storefront
            ):
                return True
            raise unauthenticated()
        if not any(principal.has_scope(scope) for scope in self.scopes):
            raise forbidden(" or ".join(self.scopes))
        return True


def requires_any(*scopes: str) -> list[FieldExtension]:
    """Field extensions requiring one of ``scopes``."""
    return [PermissionExtension(permissions=[HasAnyScope(scopes)], use_directives=False)]


def requires_token() -> list[FieldExtension]:
    """Any staff or partner token (not a storefront's or a customer's); what it sees is
    filtered further by its scopes and its access."""
    return [PermissionExtension(permissions=[HasScope(None)], use_directives=False)]
