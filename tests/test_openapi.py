"""The committed OpenAPI document is the app's, and the app honours it under fuzzing."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from skyluxse_api.app import create_app
from skyluxse_api.auth.tokens import mint_token
from skyluxse_api.db import migrations
from skyluxse_api.documents.storage import LocalStorage
from skyluxse_api.settings import Settings
from tests.conftest import TEST_SECRET, drop_database, recreate_database, sibling_database_url

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "openapi" / "openapi.json"


def _render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, sort_keys=True) + "\n"


def test_committed_openapi_is_up_to_date() -> None:
    app = create_app(Settings(_env_file=None))  # type: ignore[call-arg]
    assert COMMITTED.read_text() == _render(app.openapi()), (
        "openapi/openapi.json is stale: run `make openapi` and commit it"
    )


def test_every_operation_is_documented_for_sdk_generation() -> None:
    spec = json.loads(COMMITTED.read_text())
    seen_ids: set[str] = set()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            assert operation.get("tags"), f"{where} has no tag"
            assert operation.get("summary"), f"{where} has no summary"
            operation_id = operation["operationId"]
            assert operation_id.replace("_", "").isalnum() and operation_id.islower(), where
            assert operation_id not in seen_ids, f"duplicate operation id {operation_id}"
            seen_ids.add(operation_id)
            responses = operation["responses"]
            if path.startswith("/api/") and "public" not in operation.get("description", ""):
                assert "401" in responses or "404" in responses, f"{where} documents no errors"
            success = [code for code in responses if code.startswith("2")]
            assert success, f"{where} has no success response"
            for code in success:
                for media in responses[code].get("content", {}).values():
                    assert "example" in media or "examples" in media, (
                        f"{where} {code} lacks example"
                    )


# --- fuzzing the whole API, in-process over ASGI, as the ceo --------------------------------

# Its own database: fuzzing commits whatever it generates. Schemathesis runs the
# app's lifespan once, in its own event loop, which opens the engine on this URL.
FUZZ_DATABASE_URL = sibling_database_url("fuzz")
FUZZ_SETTINGS = Settings(  # type: ignore[call-arg]
    _env_file=None,
    database_url=FUZZ_DATABASE_URL,
    supabase_jwt_secret=TEST_SECRET,
    run_worker_in_app=False,
    seed_demo_data=False,
    data_dir=ROOT / ".data" / "fuzz",
)
fuzz_app = create_app(FUZZ_SETTINGS)
schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
CEO_ID = uuid.uuid4()


def _run(coroutine: Any) -> None:
    # Sync fixtures run beside pytest-asyncio's loop: give the coroutine a thread
    # and a loop of its own, and re-raise what it raised.
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


async def _prepare(url: str) -> None:
    await recreate_database(url)
    await asyncio.to_thread(migrations.upgrade, url)
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO staff_accounts (id, full_name, email, role) "
                "VALUES (:id, 'Fuzz CEO', 'fuzz.ceo@test.skyluxse.ae', 'ceo')"
            ),
            {"id": CEO_ID},
        )
    await engine.dispose()


@pytest.fixture(scope="module", autouse=True)
def fuzz_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    _run(_prepare(FUZZ_DATABASE_URL))
    # Uploads the fuzzer gets accepted land in a temporary folder.
    fuzz_app.state.storage = LocalStorage(tmp_path_factory.mktemp("fuzz-storage"))
    yield
    _run(drop_database(FUZZ_DATABASE_URL))


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_fuzz_no_server_errors_no_schema_violations(case: Any) -> None:
    token = mint_token(TEST_SECRET, subject=CEO_ID)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
