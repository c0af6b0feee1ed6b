"""The ``oms-graphql`` command line (also ``python -m oms_graphql``)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging.config
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from oms_graphql import __version__, migrate
from oms_graphql.auth.dev_secret import signing_secret
from oms_graphql.auth.scopes import ADMIN_SCOPES, ALL_SCOPES
from oms_graphql.auth.tokens import TokenError, mint_token
from oms_graphql.db import Database
from oms_graphql.events.retention import prune_events
from oms_graphql.settings import Settings, SettingsError

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
DEMO_QUERY = """# Your token is in the Headers tab below. Press the play button.
{
  locations(first: 5) {
    nodes { id name kind address { city countryCode latitude longitude } }
  }
}
"""


def logging_config(level: str) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "oms_graphql.request_id.RequestIdLogFilter"}},
        "formatters": {"default": {"format": LOG_FORMAT}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "alembic": {"level": "WARNING"},
        },
    }


def _settings(*, needs_keys: bool = False) -> Settings:
    """Settings from the environment; with ``needs_keys``, also the token keys they name."""
    try:
        settings = Settings.from_env()
        if needs_keys and not settings.uses_asymmetric_keys:
            signing_secret(settings)
    except SettingsError as error:
        raise SystemExit(f"oms-graphql: {error}") from None
    return settings


def _load_demo(settings: Settings) -> None:
    from oms_graphql.db import Database
    from oms_graphql.demo import load_demo, print_progress

    async def run() -> bool:
        database = Database(settings.database_url)
        try:
            return await load_demo(
                database, progress=print_progress, order_count=settings.demo_orders
            )
        finally:
            await database.dispose()

    if not asyncio.run(run()):
        print("demo data: the database already holds data; left as it is", file=sys.stderr)


def _print_demo_access(settings: Settings, host: str, port: int) -> None:
    try:
        token = mint_token(
            settings, scopes=ADMIN_SCOPES, subject="demo-admin", ttl_seconds=7 * 86_400
        )
    except TokenError as error:
        print(f"no demo token: {error}", file=sys.stderr)
        return
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    headers = json.dumps({"Authorization": f"Bearer {token}"})
    link = f"http://{shown_host}:{port}/graphql?headers={quote(headers)}&q={quote(DEMO_QUERY)}"
    print(
        f"\nAdmin token (valid 7 days):\n{token}\n\nGraphiQL with the token:\n{link}\n", flush=True
    )


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(needs_keys=True)
    logging.config.dictConfig(logging_config(settings.log_level))
    migrate.upgrade(settings.database_url)
    if args.demo:
        _load_demo(settings)
        _print_demo_access(settings, args.host, args.port)
    if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="oms-metrics-")
    import uvicorn

    uvicorn.run(
        "oms_graphql.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        loop="uvloop",
        http="httptools",
        ws="websockets-sansio",
        # Compressing each message costs CPU per socket: one event to 1,000 subscribers went
        # from 9,900 to 14,200 messages per CPU-second without it (python -m bench --only S5).
        ws_per_message_deflate=False,
        log_config=logging_config(settings.log_level),
        proxy_headers=True,
    )
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings()
    logging.config.dictConfig(logging_config(settings.log_level))
    migrate.upgrade(settings.database_url, args.revision)
    print(f"database migrated to {args.revision}", file=sys.stderr)
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    if not args.demo:
        raise SystemExit("oms-graphql seed: say which data to load: --demo")
    settings = _settings()
    migrate.upgrade(settings.database_url)
    _load_demo(settings)
    return 0


def cmd_export_schema(args: argparse.Namespace) -> int:
    from oms_graphql.graphql.schema import schema

    sdl = schema.as_str() + "\n"
    if args.output:
        Path(args.output).write_text(sdl)
    else:
        sys.stdout.write(sdl)
    return 0


def cmd_events_prune(args: argparse.Namespace) -> int:
    settings = _settings()
    days = settings.event_retention_days if args.days is None else args.days
    if days < 1:
        raise SystemExit("oms-graphql events prune: --days must be at least 1")
    migrate.upgrade(settings.database_url)

    async def prune() -> int:
        database = Database(settings.database_url)
        try:
            return await prune_events(database, retention_days=days)
        finally:
            await database.dispose()

    pruned = asyncio.run(prune())
    print(f"pruned {pruned} events older than {days} days", file=sys.stderr)
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    scopes: set[str] = set()
    for scope in args.scope:
        if scope == "admin":
            scopes |= ADMIN_SCOPES
        elif scope in ALL_SCOPES:
            scopes.add(scope)
        else:
            raise SystemExit(
                f"oms-graphql token: unknown scope {scope!r}; "
                f"choose from admin, {', '.join(sorted(ALL_SCOPES))}"
            )
    if args.ttl <= 0:
        raise SystemExit("oms-graphql token: --ttl must be a positive number of seconds")
    try:
        token = mint_token(
            _settings(),
            scopes=scopes,
            subject=args.subject,
            channels=args.channel or None,
            email=args.email,
            ttl_seconds=args.ttl,
        )
    except (TokenError, SettingsError) as error:
        raise SystemExit(f"oms-graphql token: {error}") from None
    print(token)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oms-graphql", description="A headless order management system with one GraphQL API."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate the database, then serve /graphql")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    serve.add_argument(
        "--demo", action="store_true", help="load demo data into an empty database, print a token"
    )
    serve.set_defaults(handler=cmd_serve)

    migrate_cmd = commands.add_parser("migrate", help="upgrade the database schema")
    migrate_cmd.add_argument("--revision", default="head")
    migrate_cmd.set_defaults(handler=cmd_migrate)

    seed = commands.add_parser("seed", help="load data into an empty database")
    seed.add_argument("--demo", action="store_true", help="the demo dataset")
    seed.set_defaults(handler=cmd_seed)

    export = commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    export.add_argument("--output", help="write to this file instead of stdout")
    export.set_defaults(handler=cmd_export_schema)

    events = commands.add_parser("events", help="the event feed")
    event_commands = events.add_subparsers(dest="events_command", required=True)
    prune = event_commands.add_parser(
        "prune", help="delete events older than the retention (OMS_EVENT_RETENTION_DAYS)"
    )
    prune.add_argument("--days", type=int, help="keep this many days instead")
    prune.set_defaults(handler=cmd_events_prune)

    token = commands.add_parser("token", help="print a signed bearer token (development)")
    token.add_argument(
        "--scope", action="append", required=True, help="a scope, or 'admin' (repeatable)"
    )
    token.add_argument(
        "--channel", action="append", help="limit the token to this channel handle (repeatable)"
    )
    token.add_argument("--email", help="the customer's email (with --scope customer)")
    token.add_argument("--subject", default="oms-graphql-cli", help="the token's subject (sub)")
    token.add_argument(
        "--ttl", type=int, default=86_400, help="lifetime in seconds (default 1 day)"
    )
    token.set_defaults(handler=cmd_token)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.handler(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
