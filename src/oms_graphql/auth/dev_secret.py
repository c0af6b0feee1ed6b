"""The development signing secret kept beside the SQLite database when none is configured."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from oms_graphql.settings import Settings, SettingsError


def dev_secret_path(settings: Settings) -> Path:
    database = settings.sqlite_path
    if database is None:
        raise SettingsError(
            "set OMS_JWT_SECRET (or OMS_JWKS_URL / OMS_JWKS_FILE): the development secret "
            "file is only used with a SQLite database file"
        )
    return database.with_name(database.name + ".jwt-secret")


def load_or_create_dev_secret(settings: Settings) -> str:
    """Read the secret file, creating it (mode 0600) on first use; safe when racing."""
    path = dev_secret_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        secret = secrets.token_urlsafe(48)
        handle.write(secret + "\n")
    return secret


def signing_secret(settings: Settings) -> str | None:
    """The HS256 secret in force: configured, or the development file; ``None`` with JWKS only."""
    if settings.jwt_secret:
        return settings.jwt_secret
    if settings.uses_asymmetric_keys:
        return None
    return load_or_create_dev_secret(settings)
