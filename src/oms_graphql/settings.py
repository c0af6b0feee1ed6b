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
    event_poll_seconds: float = 1.0
    event_retention_days: int = 30
    event_prune_seconds: int = 3_600
    subscription_queue_size: int = 1_000
    max_subscriptions_per_connection: int = 100
    shutdown_drain_seconds: float = 0.0
    max_query_depth: int = 15
    max_aliases: int = 100
    max_tokens: int = 10_000
    max_input_list_length: int = 250
    max_query_cost: int = 1_000
    cost_bucket_size: int = 2_000
    cost_restore_rate: float = 100.0
    statement_timeout_ms: int = 30_000
    exchanges_fulfill_at_once: bool = False

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
        if not 0.01 <= self.event_poll_seconds <= 3_600:
            raise SettingsError("OMS_EVENT_POLL_SECONDS must be between 0.01 and 3600")
        if not 0 <= self.shutdown_drain_seconds <= 600:
            raise SettingsError("OMS_SHUTDOWN_DRAIN_SECONDS must be between 0 and 600")
        if self.event_retention_days < 1:
            raise SettingsError("OMS_EVENT_RETENTION_DAYS must be at least 1")
        if self.event_prune_seconds < 1:
            raise SettingsError("OMS_EVENT_PRUNE_SECONDS must be at least 1")
        if self.subscription_queue_size < 1:
            raise SettingsError("OMS_SUBSCRIPTION_QUEUE_SIZE must be at least 1")
        if self.max_subscriptions_per_connection < 1:
            raise SettingsError("OMS_MAX_SUBSCRIPTIONS_PER_CONNECTION must be at least 1")
        if self.reservation_sweep_seconds < 1:
            raise SettingsError("OMS_RESERVATION_SWEEP_SECONDS must be at least 1")
        for name in ("max_query_depth", "max_aliases", "max_tokens", "max_input_list_length"):
            if getattr(self, name) < 1:
                raise SettingsError(f"OMS_{name.upper()} must be at least 1")
        if self.max_query_cost < 1:
            raise SettingsError("OMS_MAX_QUERY_COST must be at least 1")
        if self.cost_bucket_size < self.max_query_cost:
            raise SettingsError("OMS_COST_BUCKET_SIZE must be at least OMS_MAX_QUERY_COST")
        if self.cost_restore_rate <= 0:
            raise SettingsError("OMS_COST_RESTORE_RATE must be more than 0")
        if self.statement_timeout_ms < 0:
            raise SettingsError("OMS_STATEMENT_TIMEOUT_MS must be 0 (no timeout) or more")

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
    if kind == "float":
        try:
            return float(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    return raw
