"""Run Alembic migrations from code (``oms-graphql migrate`` and ``serve``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATION_LOCK_KEY = 0x0_0145_6D69_6772  # any constant shared by every process of this app

_PACKAGE_DIR = Path(__file__).resolve().parent


def migrations_dir() -> Path:
    """The migrations shipped in the wheel, or the repository's own in a source checkout."""
    for candidate in (_PACKAGE_DIR / "migrations", _PACKAGE_DIR.parent.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("the migrations directory is missing from this installation")


def sync_url(url: str) -> str:
    """Migrations run on synchronous drivers, so they never need an event loop."""
    return url.replace("sqlite+aiosqlite://", "sqlite://", 1)


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logging"] = False
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)
