"""A GraphQL client for tests: HTTP through the ASGI app, as a real client would call it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from oms_graphql.auth import mint_token
from oms_graphql.auth.scopes import ADMIN_SCOPES
from oms_graphql.settings import Settings

ADMIN = "admin"


@dataclass(frozen=True)
class Result:
    status: int
    body: dict[str, Any]
    statements: int

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.body.get("errors") or [])

    @property
    def error_codes(self) -> list[str | None]:
        return [(e.get("extensions") or {}).get("code") for e in self.errors]

    def ok(self) -> Any:
        """The data, after asserting there were no top-level errors."""
        assert self.status == 200, self.body
        assert not self.errors, self.errors
        return self.data


class Api:
    def __init__(self, client: httpx.AsyncClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings

    def token(
        self,
        *scopes: str,
        channels: Iterable[str] | None = None,
        email: str | None = None,
        ttl_seconds: int = 3600,
        subject: str = "test-user",
    ) -> str:
        granted = set(ADMIN_SCOPES) if scopes == (ADMIN,) else set(scopes)
        return mint_token(
            self.settings,
            scopes=granted,
            channels=channels,
            email=email,
            ttl_seconds=ttl_seconds,
            subject=subject,
        )

    async def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = ADMIN,
        headers: dict[str, str] | None = None,
    ) -> Result:
        """POST one operation; ``token`` is a token, ``ADMIN`` (the default) or ``None``."""
        sent = dict(headers or {})
        if token == ADMIN:
            token = self.token(ADMIN)
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=sent
        )
        return Result(
            status=response.status_code,
            body=response.json(),
            statements=int(response.headers.get("x-sql-statements", "-1")),
        )
