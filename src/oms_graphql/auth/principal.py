from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of one request, as its token describes it.

    ``channels`` is ``None`` when the token may act on every channel, otherwise the set of
    channel handles it is limited to.
    """

    subject: str | None
    scopes: frozenset[str]
    channels: frozenset[str] | None = None
    email: str | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.subject is not None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


ANONYMOUS = Principal(subject=None, scopes=frozenset())
