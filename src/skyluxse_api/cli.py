"""`skyluxse-api`: run | migrate | seed | token | worker | openapi | fake-crm."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence

from skyluxse_api.db import migrations
from skyluxse_api.db.embedded import resolve_database_url
from skyluxse_api.settings import Settings, get_settings


def _database_url(settings: Settings) -> str:
    url = resolve_database_url(settings)
    # The app (and its lifespan) reads the same database the CLI just prepared.
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    return url


def _cmd_migrate(args: argparse.Namespace) -> int:
    migrations.upgrade(_database_url(get_settings()), args.revision)
    print(f"database migrated to {args.revision}")
    return 0


def _cmd_seed(args: argparse.Namespace) -> int:
    from skyluxse_api.seed import seed_demo_data

    url = _database_url(get_settings())
    migrations.upgrade(url)
    created = asyncio.run(seed_demo_data(url))
    print("demo data loaded" if created else "demo data already present; nothing changed")
    return 0


def _cmd_token(args: argparse.Namespace) -> int:
    from skyluxse_api.auth.dev_tokens import staff_token

    settings = get_settings()
    token = asyncio.run(staff_token(_database_url(settings), settings, args.email, args.hours))
    if token is None:
        print(f"no active staff account with email {args.email}", file=sys.stderr)
        return 1
    print(token)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    import uvicorn

    from skyluxse_api.auth.dev_tokens import demo_tokens
    from skyluxse_api.seed import seed_demo_data

    settings = get_settings()
    url = _database_url(settings)
    migrations.upgrade(url)
    if settings.seed_demo_data and asyncio.run(seed_demo_data(url)):
        print("demo data loaded (first start)")
    tokens = asyncio.run(demo_tokens(url, settings))
    if tokens:
        print("\nDemo access tokens (valid 12 h; paste into /docs -> Authorize):")
        for role, (email, token) in tokens.items():
            print(f"\n  {role:<10} {email}\n  {token}")
    print(f"\nSkyLuxse API on http://{settings.host}:{settings.port}  (docs: /docs)\n")
    uvicorn.run(
        "skyluxse_api.app:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_config=None,
    )
    return 0


def _cmd_worker(args: argparse.Namespace) -> int:
    from skyluxse_api.integrations.worker import run_worker_process

    settings = get_settings()
    asyncio.run(run_worker_process(_database_url(settings), settings))
    return 0


# The fake Zoho accepts any product id; a sales order line must name one.
FAKE_ZOHO_PRODUCT_ID = "5725767000000500001"


def _cmd_fake_crm(args: argparse.Namespace) -> int:
    from skyluxse_api.integrations import fakes

    print(f"ZOHO_DEFAULT_PRODUCT_ID={FAKE_ZOHO_PRODUCT_ID}", flush=True)
    given = {"--host": args.host, "--zoho-port": args.zoho_port, "--kommo-port": args.kommo_port}
    return fakes.main([f"{option}={value}" for option, value in given.items() if value])


def _cmd_openapi(args: argparse.Namespace) -> int:
    from skyluxse_api.app import create_app

    spec = json.dumps(create_app().openapi(), indent=2, sort_keys=True) + "\n"
    if args.output == "-":
        sys.stdout.write(spec)
    else:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(spec)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="skyluxse-api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="migrate, seed on first start, serve the API")
    run.add_argument("--host")
    run.add_argument("--port", type=int)
    run.set_defaults(handler=_cmd_run)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.set_defaults(handler=_cmd_migrate)

    seed = commands.add_parser("seed", help="load the demo data set (idempotent)")
    seed.set_defaults(handler=_cmd_seed)

    token = commands.add_parser("token", help="print a dev token for a staff account")
    token.add_argument("--email", required=True)
    token.add_argument("--hours", type=int, default=12)
    token.set_defaults(handler=_cmd_token)

    worker = commands.add_parser(
        "worker", help="deliver the integrations outbox to Kommo and Zoho (any number of copies)"
    )
    worker.set_defaults(handler=_cmd_worker)

    fake_crm = commands.add_parser(
        "fake-crm", help="serve local fakes of Zoho CRM and Kommo; print the settings to use them"
    )
    fake_crm.add_argument("--host", help="default 127.0.0.1")
    fake_crm.add_argument("--zoho-port", type=int, help="default 8765")
    fake_crm.add_argument("--kommo-port", type=int, help="default 8766")
    fake_crm.set_defaults(handler=_cmd_fake_crm)

    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", default="openapi/openapi.json")
    openapi.set_defaults(handler=_cmd_openapi)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from skyluxse_api.api.request_id import configure_logging

    args = build_parser().parse_args(argv)
    configure_logging(get_settings().log_level)
    handler = args.handler
    result: int = handler(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
