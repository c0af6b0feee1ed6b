"""The command line: tokens, schema export, and a real server started by `serve --demo`."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from oms_graphql import demo_drafts, demo_returns
from oms_graphql.auth import TokenVerifier
from oms_graphql.settings import Settings

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


DEMO_ORDERS = 60
"""The command line's own tests load a small demo; tests/test_demo.py loads the full one."""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMS_")}
    env["OMS_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    env["OMS_DEMO_ORDERS"] = str(DEMO_ORDERS)
    env.update(extra)
    return env


def _cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oms_graphql", *args],
        env=_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_token_is_signed_with_the_secret_the_server_uses(tmp_path: Path) -> None:
    first = _cli(tmp_path, "token", "--scope", "read_locations", "--channel", "web")
    second = _cli(tmp_path, "token", "--scope", "write_locations", "--email", "a@b.it")

    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    secret_file = tmp_path / "cli.sqlite3.jwt-secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    settings = Settings.from_env({"OMS_DATABASE_URL": _env(tmp_path)["OMS_DATABASE_URL"]})
    verifier = TokenVerifier(settings)
    reader = await verifier.verify(first.stdout.strip())
    writer = await verifier.verify(second.stdout.strip())
    assert reader.scopes == {"read_locations"}
    assert reader.channels == {"web"}
    assert writer.scopes == {"read_locations", "write_locations"}
    assert writer.email == "a@b.it"


def test_token_refuses_unknown_scopes(tmp_path: Path) -> None:
    result = _cli(tmp_path, "token", "--scope", "read_everything")

    assert result.returncode != 0
    assert "unknown scope 'read_everything'" in result.stderr
    assert result.stdout == ""


def test_token_needs_a_secret_on_postgresql(tmp_path: Path) -> None:
    result = _cli(
        tmp_path,
        "token",
        "--scope",
        "read_locations",
        OMS_DATABASE_URL="postgresql+psycopg://u@127.0.0.1:1/x",
    )

    assert result.returncode != 0
    assert "OMS_JWT_SECRET" in result.stderr


def test_serve_refuses_postgresql_without_signing_keys_before_migrating(tmp_path: Path) -> None:
    result = _cli(tmp_path, "serve", OMS_DATABASE_URL="postgresql+psycopg://u@127.0.0.1:1/x")

    assert result.returncode != 0
    assert "OMS_JWT_SECRET" in result.stderr
    assert "connection" not in result.stderr.lower()


def test_export_schema_to_stdout_matches_the_file(tmp_path: Path, repo_root: Path) -> None:
    result = _cli(tmp_path, "export-schema")

    assert result.returncode == 0
    assert result.stdout == (repo_root / "schema.graphql").read_text()


def test_migrate_then_seed_demo(tmp_path: Path) -> None:
    assert _cli(tmp_path, "migrate").returncode == 0
    seeded = _cli(tmp_path, "seed", "--demo")
    again = _cli(tmp_path, "seed", "--demo")

    assert seeded.returncode == again.returncode == 0
    # channels, locations, customers, items; tax rates, orders; order edits and drafts; returns
    steps = 1232 + 7 + DEMO_ORDERS + demo_drafts.steps() + demo_returns.steps()
    assert f"{steps}/{steps}" in seeded.stderr
    assert "already holds data" in again.stderr
    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:
        counts = {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("channels", "locations", "customers", "inventory_items", "orders")
        }
        countries = {row[0] for row in db.execute("SELECT country_code FROM locations")}
        kinds = {row[0] for row in db.execute("SELECT kind FROM locations")}
        pickup = db.execute("SELECT count(*) FROM locations WHERE pickup_enabled").fetchone()[0]
        located = db.execute("SELECT count(*) FROM customers WHERE city IS NOT NULL").fetchone()[0]
        completed = db.execute(
            "SELECT count(*) FROM draft_orders WHERE status = 'COMPLETED'"
        ).fetchone()[0]
    assert counts == {
        "channels": 5,
        "locations": 12,
        "customers": 1000,
        "inventory_items": 215,
        "orders": DEMO_ORDERS + completed,  # the demo's orders and its completed drafts
    }
    assert completed > 0
    assert len(countries) >= 5
    assert kinds == {"WAREHOUSE", "STORE", "FULFILLMENT_SERVICE"}
    assert pickup >= 1
    assert located == 1000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def demo_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """`oms-graphql serve --demo` in its own process; yields (base URL, admin token)."""
    workers = getattr(request, "param", 1)
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "oms_graphql",
            "serve",
            "--demo",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        token = ""
        for line in process.stdout:
            if TOKEN_PATTERN.match(line.strip()):
                token = line.strip()
                break
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not become ready within 60 s")
        yield base, token
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


LOCATIONS = "{ locations(first: 5) { nodes { name address { latitude longitude } } } }"


@pytest.mark.slow
def test_serve_demo_serves_locations_with_coordinates(demo_server: tuple[str, str]) -> None:
    base, token = demo_server

    response = httpx.post(
        f"{base}/graphql", json={"query": LOCATIONS}, headers={"Authorization": f"Bearer {token}"}
    )
    graphiql = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"})

    nodes = response.json()["data"]["locations"]["nodes"]
    assert len(nodes) == 5
    assert all(n["address"]["latitude"] is not None for n in nodes)
    assert graphiql.status_code == 200
    assert "graphiql" in graphiql.text.lower()


@pytest.mark.slow
@pytest.mark.parametrize("demo_server", [2], indirect=True)
def test_serve_with_two_workers_aggregates_metrics(demo_server: tuple[str, str]) -> None:
    base, token = demo_server
    query = {"query": "query FromTest { locations(first: 1) { nodes { id } } }"}
    for _ in range(6):
        with httpx.Client() as client:  # new connections spread over both workers
            client.post(f"{base}/graphql", json=query, headers={"Authorization": f"Bearer {token}"})

    metrics = httpx.get(f"{base}/metrics").text

    assert 'oms_graphql_operations_total{operation="FromTest",outcome="ok"} 6.0' in metrics
