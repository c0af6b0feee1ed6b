"""A throwaway PostgreSQL server for the test session, via pytest-postgresql's executor.

PostgreSQL refuses to run as root. When the tests run as root (CI containers, fresh
machines), the server runs as the ``postgres`` system user (or ``OMS_TEST_PG_USER``):
its data directory is handed to that user and ``pg_ctl`` is called through ``runuser``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from port_for import get_port
from pytest_postgresql.executors import PostgreSQLExecutor

SUPERUSER = "postgres"
STARTUP_SECONDS = 60
SERVER_OPTIONS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
)


def find_pg_ctl() -> str:
    """``pg_ctl`` from PATH, else the newest Debian install under /usr/lib/postgresql."""
    on_path = shutil.which("pg_ctl")
    if on_path:
        return on_path
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda path: int(Path(path).parts[-3]),
    )
    if not candidates:
        raise RuntimeError(
            "PostgreSQL server binaries not found (pg_ctl); install them "
            "(Debian: apt-get install -y postgresql) or run .ci/run, which does"
        )
    return candidates[-1]


def _unprivileged_wrapper(directory: Path, pg_ctl: str, user: str) -> str:
    wrapper = directory / "pg_ctl"
    wrapper.write_text(f'#!/bin/sh\nexec runuser -u {user} -- "{pg_ctl}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return str(wrapper)


@contextmanager
def running_postgresql() -> Iterator[PostgreSQLExecutor]:
    pg_ctl = find_pg_ctl()
    base = Path(tempfile.mkdtemp(prefix="oms-test-pg-"))
    executable = pg_ctl
    if os.geteuid() == 0:
        user = os.environ.get("OMS_TEST_PG_USER", "postgres")
        try:
            account = pwd.getpwnam(user)
        except KeyError:
            raise RuntimeError(
                f"tests run as root, and PostgreSQL needs a non-root user: create {user!r} "
                "(Debian's postgresql package does) or set OMS_TEST_PG_USER"
            ) from None
        os.chown(base, account.pw_uid, account.pw_gid)
        executable = _unprivileged_wrapper(base, pg_ctl, user)
    executor = PostgreSQLExecutor(
        executable=executable,
        host="127.0.0.1",
        port=get_port(None),
        datadir=str(base / "data"),
        unixsocketdir=str(base),
        logfile=str(base / "server.log"),
        startparams="-w",
        dbname="oms_test",
        user=SUPERUSER,
        postgres_options=SERVER_OPTIONS,
    )
    executor.start()
    try:
        yield executor
    finally:
        executor.stop()
        shutil.rmtree(base, ignore_errors=True)


def _connect(executor: PostgreSQLExecutor) -> psycopg.Connection[Any]:
    """A connection to the new server, waiting out "the database system is starting up":
    on a busy machine the executor can return before the server accepts connections."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            return psycopg.connect(
                host=executor.host,
                port=executor.port,
                user=SUPERUSER,
                dbname="postgres",
                autocommit=True,
            )
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def create_database(executor: PostgreSQLExecutor, name: str) -> str:
    """Create an empty database and return its SQLAlchemy URL."""
    with _connect(executor) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://{SUPERUSER}@{executor.host}:{executor.port}/{name}"
