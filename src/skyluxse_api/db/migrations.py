"""Run Alembic from code (CLI `migrate`, `run`, and the tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory


def _alembic_ini() -> Path:
    # A source checkout keeps alembic.ini at the repository root; the container
    # image copies it into the working directory.
    here = Path.cwd() / "alembic.ini"
    return here if here.exists() else Path(__file__).resolve().parents[3] / "alembic.ini"


def alembic_config(database_url: str) -> Config:
    config = Config(str(_alembic_ini()))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    return config


def migration_head() -> str:
    script = ScriptDirectory.from_config(Config(str(_alembic_ini())))
    head = script.get_current_head()
    assert head is not None
    return head


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)
