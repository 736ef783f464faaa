"""The authorization matrix, built from the app's own route table.

Every `/api/v1` route x every kind of caller gets the status the policy table
(auth/permissions.py) says. A new route joins the matrix by existing; a route
that declares no permission fails `test_every_route_declares_its_access`.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from skyluxse_api.auth.permissions import ROLE_PERMISSIONS, Permission
from skyluxse_api.auth.tokens import mint_token
from skyluxse_api.models.enums import RoleType
from tests.conftest import TEST_SECRET, StaffFactory

Access = Permission | str  # a permission, or "public:<reason>"


def _declared(dependant: Dependant) -> list[Access]:
    found: list[Access] = []
    for sub in dependant.dependencies:
        call = sub.call
        if hasattr(call, "required_permission"):
            found.append(call.required_permission)
        elif hasattr(call, "public_reason"):
            found.append(f"public:{call.public_reason}")
        found.extend(_declared(sub))
    return found


def api_operations(app: FastAPI) -> Iterator[tuple[str, str, list[Access]]]:
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path.startswith("/api/"):
            for method in sorted(context.methods or ()):
                yield method, context.path, _declared(route.dependant)


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


def test_every_route_declares_its_access(app: FastAPI) -> None:
    operations = list(api_operations(app))
    assert len(operations) > 10
    undeclared = [f"{m} {p}" for m, p, access in operations if len(access) != 1]
    assert undeclared == [], "routes must declare exactly one require(...) or public(...)"


def _alg_none_token(subject: uuid.UUID) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    claims = {"sub": str(subject), "aud": "authenticated", "role": "authenticated", "exp": 2**31}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


async def _call(
    client: httpx.AsyncClient, method: str, path: str, token: str | None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {} if method in ("POST", "PUT", "PATCH") else None
    return await client.request(method, _concrete(path), json=body, headers=headers)


INVALID_CALLERS = [
    "anonymous",
    "expired",
    "bad_signature",
    "alg_none",
    "wrong_audience",
    "inactive",
]


@pytest.mark.parametrize("caller", INVALID_CALLERS)
async def test_invalid_callers_get_401_everywhere(
    app: FastAPI, client: httpx.AsyncClient, make_staff: StaffFactory, caller: str
) -> None:
    staff = await make_staff("ceo", active=caller != "inactive")
    tokens = {
        "anonymous": None,
        "expired": mint_token(TEST_SECRET, subject=staff["id"], expires_in=-3600),
        "bad_signature": mint_token("another-secret-0123456789abcdef0123", subject=staff["id"]),
        "alg_none": _alg_none_token(staff["id"]),
        "wrong_audience": mint_token(TEST_SECRET, subject=staff["id"], audience="anon"),
        "inactive": staff["token"],
    }
    wrong = []
    for method, path, access in api_operations(app):
        if str(access[0]).startswith("public:"):
            continue
        response = await _call(client, method, path, tokens[caller])
        if response.status_code != 401 or "invalid_token" not in response.headers.get(
            "www-authenticate", ""
        ):
            wrong.append(f"{method} {path}: {response.status_code}")
        elif response.headers["content-type"] != "application/problem+json":
            wrong.append(f"{method} {path}: 401 without problem+json")
    assert wrong == []


@pytest.mark.parametrize("caller", [*RoleType, "service_role"])
async def test_roles_get_what_the_policy_table_says(
    app: FastAPI, client: httpx.AsyncClient, make_staff: StaffFactory, caller: RoleType | str
) -> None:
    if caller == "service_role":
        token = mint_token(TEST_SECRET, subject=None, role="service_role", audience=None)
        allowed: frozenset[Permission] = frozenset(Permission)
    else:
        token = (await make_staff(str(caller)))["token"]
        allowed = ROLE_PERMISSIONS[RoleType(caller)]
    wrong = []
    for method, path, access in api_operations(app):
        if str(access[0]).startswith("public:"):
            continue
        response = await _call(client, method, path, token)
        denied_by_policy = response.status_code == 403 and "permission" in response.json()
        if access[0] in allowed:
            # Allowed: anything but an authentication or permission refusal (404 for a
            # random id, 422 for an empty body, a row-level 403 are all fine).
            if response.status_code == 401 or denied_by_policy or response.status_code >= 500:
                wrong.append(f"{method} {path}: {response.status_code} {response.text[:120]}")
        elif not denied_by_policy:
            wrong.append(f"{method} {path}: expected 403, got {response.status_code}")
    assert wrong == []


async def test_anon_key_and_unknown_account_are_refused(
    client: httpx.AsyncClient,
) -> None:
    anon = mint_token(TEST_SECRET, subject=None, role="anon", audience=None)
    stranger = mint_token(TEST_SECRET, subject=uuid.uuid4())
    for token, reason in ((anon, "anon_not_allowed"), (stranger, "unknown_account")):
        response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.json()["reason"] == reason


async def test_role_comes_from_the_account_not_user_metadata(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    driver = await make_staff("driver")
    token = mint_token(
        TEST_SECRET,
        subject=driver["id"],
        extra={"user_metadata": {"role": "ceo"}, "app_metadata": {"role": "ceo"}},
    )
    response = await client.get("/api/v1/staff", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
