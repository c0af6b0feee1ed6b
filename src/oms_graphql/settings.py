"""Typed, frozen settings read from ``OMS_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///oms.sqlite3"
ENV_PREFIX = "OMS_"


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message names the variable."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the server reads from its environment.

    Each field maps to ``OMS_<FIELD NAME IN UPPER CASE>``.
    """

    database_url: str = DEFAULT_DATABASE_URL
    jwt_secret: str | None = None
    jwks_url: str | None = None
    jwks_file: str | None = None
    jwt_issuer: str = "oms-graphql"
    jwt_audience: str = "oms-graphql"
    allow_anonymous_storefront: bool = False
    graphiql: bool = True
    database_pool_size: int = 10
    sql_count_header: bool = False
    log_level: str = "INFO"
    reservation_sweep_seconds: int = 5
    demo_orders: int = 2_100

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read settings from ``environ`` (default ``os.environ``); ``overrides`` win."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in fields(cls):
            name = ENV_PREFIX + field.name.upper()
            raw = env.get(name)
            if raw is None or raw == "":
                continue
            values[field.name] = _parse(name, raw, field.type)
        values.update(overrides)
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        if not self.database_url.startswith(("sqlite+aiosqlite://", "postgresql+psycopg://")):
            raise SettingsError(
                "OMS_DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+psycopg://"
            )
        if self.jwt_secret is not None and len(self.jwt_secret) < 32:
            raise SettingsError("OMS_JWT_SECRET must be at least 32 characters long")
        if self.jwks_url and self.jwks_file:
            raise SettingsError("set only one of OMS_JWKS_URL and OMS_JWKS_FILE")
        if self.database_pool_size < 1:
            raise SettingsError("OMS_DATABASE_POOL_SIZE must be at least 1")
        if not 0 <= self.demo_orders <= 100_000:
            raise SettingsError("OMS_DEMO_ORDERS must be between 0 and 100000")
        if self.reservation_sweep_seconds < 1:
            raise SettingsError("OMS_RESERVATION_SWEEP_SECONDS must be at least 1")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite database file, or ``None`` for PostgreSQL or an in-memory database."""
        if not self.is_sqlite:
            return None
        path = (
            self.database_url.split("///", 1)[1].split("?", 1)[0]
            if "///" in self.database_url
            else ""
        )
        if path in ("", ":memory:"):
            return None
        return Path(path)

    @property
    def uses_asymmetric_keys(self) -> bool:
        return bool(self.jwks_url or self.jwks_file)


def _parse(name: str, raw: str, annotation: object) -> Any:
    kind = str(annotation)
    if kind == "bool":
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"{name} must be a boolean (true/false), got {raw!r}")
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    return raw
