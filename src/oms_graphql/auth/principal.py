from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of one request, as its token describes it.

    ``channels`` is ``None`` when the token may act on every channel, otherwise the set of
    channel handles it is limited to. ``expires_at`` is the token's ``exp`` (Unix seconds):
    long-lived subscriptions end there.
    """

    subject: str | None
    scopes: frozenset[str]
    channels: frozenset[str] | None = None
    email: str | None = None
    expires_at: float | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.subject is not None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def seconds_left(self, leeway: float) -> float | None:
        """How long the token stays acceptable (its ``exp`` plus the clock-skew leeway the
        verifier grants); None when it does not expire."""
        if self.expires_at is None:
            return None
        return max(0.0, self.expires_at + leeway - time.time())


ANONYMOUS = Principal(subject=None, scopes=frozenset())
