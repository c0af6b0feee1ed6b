"""The per-request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from oms_graphql.access import Access
from oms_graphql.auth import Principal
from oms_graphql.db import Database
from oms_graphql.graphql.dataloaders import Loaders
from oms_graphql.graphql.throttle import CostBuckets
from oms_graphql.runtime import Runtime


@dataclass(slots=True)
class Context:
    runtime: Runtime
    request: Request | WebSocket
    response: Response | WebSocket | None
    principal: Principal
    cost_buckets: CostBuckets
    loaders: Loaders = field(init=False)
    """Set per operation by the FreshLoaders extension, and again after each mutation."""
    connection_params: dict[str, Any] | None = None
    access: Access = field(init=False)
    """What the caller may see of orders; every session of ``db`` enforces it."""
    db: Database = field(init=False)
    """The application's database, its sessions held to ``access``."""

    def __post_init__(self) -> None:
        self.authenticate(self.principal)

    def authenticate(self, principal: Principal) -> None:
        """The caller is ``principal`` (a WebSocket learns it after connecting)."""
        self.principal = principal
        self.access = Access.of(principal)
        self.db = self.runtime.database.for_access(self.access)

    @property
    def throttle_key(self) -> str:
        """Whose bucket pays: the token subject, else the client address."""
        if self.principal.subject is not None:
            return f"subject:{self.principal.subject}"
        client = self.request.client
        return f"address:{client.host if client else 'unknown'}"

    def reset_loaders(self) -> None:
        """Fresh loaders: per operation, and after each mutation so nothing stale is served."""
        self.loaders = Loaders(self.db)


Info: TypeAlias = strawberry.Info[Context, None]
