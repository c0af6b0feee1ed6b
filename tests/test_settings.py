"""Settings come from OMS_* variables, typed, with errors that name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from oms_graphql.settings import DEFAULT_DATABASE_URL, Settings, SettingsError


def test_defaults_to_a_sqlite_file_in_the_working_directory() -> None:
    settings = Settings.from_env({})

    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.sqlite_path == Path("oms.sqlite3")
    assert settings.graphiql is True
    assert settings.allow_anonymous_storefront is False


def test_reads_typed_values() -> None:
    settings = Settings.from_env(
        {
            "OMS_DATABASE_URL": "postgresql+psycopg://oms@db/oms",
            "OMS_GRAPHIQL": "off",
            "OMS_ALLOW_ANONYMOUS_STOREFRONT": "yes",
            "OMS_DATABASE_POOL_SIZE": "20",
            "OMS_JWT_SECRET": "s" * 32,
        }
    )

    assert settings.sqlite_path is None
    assert settings.graphiql is False
    assert settings.allow_anonymous_storefront is True
    assert settings.database_pool_size == 20


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"OMS_GRAPHIQL": "maybe"}, "OMS_GRAPHIQL"),
        ({"OMS_DATABASE_POOL_SIZE": "ten"}, "OMS_DATABASE_POOL_SIZE"),
        ({"OMS_DATABASE_POOL_SIZE": "0"}, "OMS_DATABASE_POOL_SIZE"),
        ({"OMS_DATABASE_URL": "mysql://x"}, "OMS_DATABASE_URL"),
        ({"OMS_JWT_SECRET": "short"}, "OMS_JWT_SECRET"),
        ({"OMS_JWKS_URL": "https://a", "OMS_JWKS_FILE": "/b"}, "OMS_JWKS_FILE"),
        ({"OMS_ALLOWED_ORIGINS": "https://shop.example/app"}, "OMS_ALLOWED_ORIGINS"),
        ({"OMS_JWT_LEEWAY_SECONDS": "-1"}, "OMS_JWT_LEEWAY_SECONDS"),
        ({"OMS_JWKS_REFRESH_SECONDS": "0"}, "OMS_JWKS_REFRESH_SECONDS"),
        ({"OMS_JWKS_REFRESH_SECONDS": "600"}, "OMS_JWKS_REFRESH_SECONDS"),
    ],
)
def test_bad_values_name_the_variable(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(environ)
