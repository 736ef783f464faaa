"""Local stand-ins for Zoho CRM and Kommo that answer like the real APIs (dev tool and tests).

Each fake keeps its state in a plain object the caller can inspect and steer: records
received, calls per endpoint, scripted failures for the next calls, slow answers and token
expiry. `main` serves both on 127.0.0.1 and prints the settings that point the API at them.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

ZOHO_CLIENT_ID = "fake-client-id"
ZOHO_CLIENT_SECRET = "fake-client-secret"
ZOHO_REFRESH_TOKEN = "fake-refresh-token"
KOMMO_ACCESS_TOKEN = "fake-kommo-token"
KOMMO_CLIENT_ID = "fake-kommo-client-id"
KOMMO_CLIENT_SECRET = "fake-kommo-client-secret"
KOMMO_REDIRECT_URI = "https://skyluxse.example/kommo/oauth"
KOMMO_REFRESH_TOKEN = "fake-kommo-refresh-token"

# Zoho reports these per record inside `data`, the rest as a whole-request error.
ZOHO_RECORD_ERRORS = frozenset({"INVALID_DATA", "MANDATORY_NOT_FOUND", "DUPLICATE_DATA"})
_VERSION = re.compile(r"v\d+")
_KOMMO_FIELD_CODES = frozenset({"PHONE", "EMAIL", "POSITION", "IM", "WEB", "ADDRESS"})


@dataclass(frozen=True)
class ScriptedFailure:
    status: int
    code: str | None = None
    retry_after: float | None = None
    api_name: str | None = None
    message: str | None = None
    endpoint: str = "api"  # "api" (records) or "token" (the OAuth token endpoint)


class _FailureQueue:
    def __init__(self) -> None:
        self._items: list[ScriptedFailure] = []
        self._lock = threading.Lock()  # tests script from their thread, the fake pops in its own

    def push(self, failure: ScriptedFailure) -> None:
        with self._lock:
            self._items.append(failure)

    def pop(self, endpoint: str) -> ScriptedFailure | None:
        with self._lock:
            for index, failure in enumerate(self._items):
                if failure.endpoint == endpoint:
                    return self._items.pop(index)
        return None

    def __len__(self) -> int:
        return len(self._items)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


async def _json_or_none(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


# --- Zoho CRM ---------------------------------------------------------------------------


class FakeZohoState:
    def __init__(
        self,
        *,
        client_id: str = ZOHO_CLIENT_ID,
        client_secret: str = ZOHO_CLIENT_SECRET,
        refresh_token: str = ZOHO_REFRESH_TOKEN,
        token_ttl: float = 3600.0,
        delay: float = 0.0,
        api_domain: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.token_ttl = token_ttl
        self.delay = delay
        self.api_domain = api_domain  # None: the URL the token request reached
        self.clock = clock
        self.contacts: dict[str, dict[str, Any]] = {}  # by Zoho id
        self.sales_orders: dict[str, dict[str, Any]] = {}  # by Zoho id
        self.calls: Counter[str] = Counter()  # token, contacts.upsert, sales_orders.create
        self.api_hosts: list[str] = []  # base URL each record call reached
        self.rejected_tokens = 0
        self.tokens: dict[str, float] = {}  # access token -> expiry on `clock`
        self.failures = _FailureQueue()
        self._ids = itertools.count(5725767000000400001)

    def fail_next(
        self,
        status: int = 500,
        *,
        code: str | None = None,
        retry_after: float | None = None,
        api_name: str | None = None,
        message: str | None = None,
        endpoint: str = "api",
    ) -> None:
        """Answer the next call to `endpoint` ("api" or "token") with this failure."""
        self.failures.push(ScriptedFailure(status, code, retry_after, api_name, message, endpoint))

    def contact_by_email(self, email: str) -> dict[str, Any] | None:
        wanted = email.lower()
        return next(
            (c for c in self.contacts.values() if str(c.get("Email", "")).lower() == wanted), None
        )

    def expire_tokens(self) -> None:
        """Forget every minted token, as if all had expired on Zoho's side."""
        self.tokens.clear()

    def next_id(self) -> str:
        return str(next(self._ids))


def _zoho_error(status: int, code: str, message: str, details: dict[str, Any]) -> JSONResponse:
    return JSONResponse(
        {"code": code, "details": details, "message": message, "status": "error"}, status
    )


def _zoho_record_error(code: str, api_name: str, message: str, index: int = 0) -> dict[str, Any]:
    return {
        "code": code,
        "details": {"api_name": api_name, "json_path": f"$.data[{index}].{api_name}"},
        "message": message,
        "status": "error",
    }


def _zoho_records_answer(results: list[dict[str, Any]], success_status: int) -> JSONResponse:
    failed = sum(1 for r in results if r["status"] == "error")
    status = success_status if not failed else 400 if failed == len(results) else 207
    return JSONResponse({"data": results}, status)


def _zoho_success(record_id: str, action: str, duplicate_field: str | None) -> dict[str, Any]:
    stamp = _now_iso()
    user = {"name": "Fake Zoho", "id": "5725767000000200001"}
    result: dict[str, Any] = {
        "code": "SUCCESS",
        "details": {
            "Modified_Time": stamp,
            "Modified_By": user,
            "Created_Time": stamp,
            "id": record_id,
            "Created_By": user,
        },
        "message": "record updated" if action == "update" else "record added",
        "status": "success",
    }
    if action != "create":  # plain inserts carry no upsert fields
        result["action"] = action
        result["duplicate_field"] = duplicate_field
    return result


def create_fake_zoho(state: FakeZohoState | None = None) -> FastAPI:
    state = state or FakeZohoState()
    app = FastAPI(title="Fake Zoho CRM", openapi_url=None)
    app.state.fake = state

    def scripted(failure: ScriptedFailure) -> JSONResponse:
        headers = {"Retry-After": f"{failure.retry_after:g}"} if failure.retry_after else None
        code = failure.code or {429: "TOO_MANY_REQUESTS", 401: "INVALID_TOKEN"}.get(
            failure.status, "INTERNAL_ERROR"
        )
        message = failure.message or code.lower().replace("_", " ")
        if code in ZOHO_RECORD_ERRORS:
            record = _zoho_record_error(code, failure.api_name or "id", message)
            return JSONResponse({"data": [record]}, failure.status, headers=headers)
        response = _zoho_error(failure.status, code, message, {})
        if headers:
            response.headers.update(headers)
        return response

    async def guard(request: Request, version: str, endpoint: str) -> JSONResponse | None:
        """Delay, count, check the version and the token, then play any scripted failure."""
        if state.delay:
            await asyncio.sleep(state.delay)
        state.calls[endpoint] += 1
        state.api_hosts.append(str(request.base_url).rstrip("/"))
        if not _VERSION.fullmatch(version):
            return _zoho_error(404, "INVALID_URL_PATTERN", "Please check the URL", {})
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        expires_at = state.tokens.get(token) if scheme == "Zoho-oauthtoken" else None
        if expires_at is None or state.clock() >= expires_at:
            state.rejected_tokens += 1
            return _zoho_error(401, "INVALID_TOKEN", "invalid oauth token", {})
        failure = state.failures.pop("api")
        return scripted(failure) if failure else None

    async def records(request: Request) -> list[Any] | JSONResponse:
        payload = await _json_or_none(request)
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, list) or not 1 <= len(data) <= 100:
            return _zoho_error(400, "INVALID_DATA", "invalid data", {"expected": "data[1..100]"})
        return data

    @app.post("/oauth/v2/token")
    async def token(request: Request) -> JSONResponse:
        # Zoho documents query parameters; form bodies work there too.
        params = dict(request.query_params)
        if "application/x-www-form-urlencoded" in request.headers.get("content-type", ""):
            params.update({k: str(v) for k, v in (await request.form()).items()})
        if state.delay:
            await asyncio.sleep(state.delay)
        state.calls["token"] += 1
        failure = state.failures.pop("token")
        if failure:
            answer = {"error": failure.code or "server error"}
            if failure.message:
                answer["error_description"] = failure.message
            return JSONResponse(answer, failure.status)
        # Zoho answers bad credentials with HTTP 200 and an `error` member.
        if params.get("grant_type") != "refresh_token":
            return JSONResponse({"error": "unsupported_grant_type"})
        if (params.get("client_id"), params.get("client_secret")) != (
            state.client_id,
            state.client_secret,
        ):
            return JSONResponse({"error": "invalid_client"})
        if params.get("refresh_token") != state.refresh_token:
            return JSONResponse({"error": "invalid_code"})
        access_token = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        state.tokens[access_token] = state.clock() + state.token_ttl
        return JSONResponse(
            {
                "access_token": access_token,
                "scope": "ZohoCRM.modules.ALL",
                "api_domain": state.api_domain or str(request.base_url).rstrip("/"),
                "token_type": "Bearer",
                "expires_in": round(state.token_ttl),
            }
        )

    @app.post("/crm/{version}/Contacts/upsert")
    async def upsert_contacts(request: Request, version: str) -> JSONResponse:
        if (refusal := await guard(request, version, "contacts.upsert")) is not None:
            return refusal
        data = await records(request)
        if isinstance(data, JSONResponse):
            return data
        results = []
        for index, record in enumerate(data):
            if not isinstance(record, dict) or not str(record.get("Last_Name") or "").strip():
                results.append(
                    _zoho_record_error(
                        "MANDATORY_NOT_FOUND", "Last_Name", "required field not found", index
                    )
                )
                continue
            email = record.get("Email")
            if email is not None and (not isinstance(email, str) or "@" not in email):
                results.append(_zoho_record_error("INVALID_DATA", "Email", "invalid data", index))
                continue
            existing = state.contact_by_email(email) if email else None
            if existing is not None:
                existing.update(record)
                results.append(_zoho_success(existing["id"], "update", "Email"))
            else:
                record_id = state.next_id()
                state.contacts[record_id] = {**record, "id": record_id}
                results.append(_zoho_success(record_id, "insert", None))
        return _zoho_records_answer(results, 200)

    @app.post("/crm/{version}/Sales_Orders")
    async def create_sales_orders(request: Request, version: str) -> JSONResponse:
        if (refusal := await guard(request, version, "sales_orders.create")) is not None:
            return refusal
        data = await records(request)
        if isinstance(data, JSONResponse):
            return data
        # v2 names line items Product_Details with lower-case keys; later versions Ordered_Items.
        v2 = version == "v2"
        items_key, product_key, quantity_key, price_key = (
            ("Product_Details", "product", "quantity", "list_price")
            if v2
            else ("Ordered_Items", "Product_Name", "Quantity", "List_Price")
        )
        results = []
        for index, record in enumerate(data):
            error = _check_sales_order(
                record, state, items_key, product_key, quantity_key, price_key
            )
            if error:
                results.append(_zoho_record_error(*error, index=index))
                continue
            total = sum(
                (Decimal(str(i[price_key])) * Decimal(str(i[quantity_key])))
                for i in record[items_key]
            )
            record_id = state.next_id()
            state.sales_orders[record_id] = {
                **record,
                "id": record_id,
                "Sub_Total": total,
                "Grand_Total": total,
            }
            results.append(_zoho_success(record_id, "create", None))
        return _zoho_records_answer(results, 201)

    return app


def _check_sales_order(
    record: object,
    state: FakeZohoState,
    items_key: str,
    product_key: str,
    quantity_key: str,
    price_key: str,
) -> tuple[str, str, str] | None:
    """(code, api_name, message) of the first problem Zoho would report, or None."""
    if not isinstance(record, dict) or not str(record.get("Subject") or "").strip():
        return "MANDATORY_NOT_FOUND", "Subject", "required field not found"
    contact = record.get("Contact_Name")
    if contact is not None and (
        not isinstance(contact, dict) or str(contact.get("id")) not in state.contacts
    ):
        return "INVALID_DATA", "Contact_Name", "the related id given seems to be invalid"
    items = record.get(items_key)
    if not isinstance(items, list) or not items:
        return "MANDATORY_NOT_FOUND", items_key, "required field not found"
    for item in items:
        product = item.get(product_key) if isinstance(item, dict) else None
        if not isinstance(product, dict) or not product.get("id"):
            return "MANDATORY_NOT_FOUND", product_key, "required field not found"
        try:
            quantity = Decimal(str(item.get(quantity_key)))
            Decimal(str(item.get(price_key)))
        except InvalidOperation:
            return "INVALID_DATA", price_key, "invalid data"
        if quantity <= 0:
            return "INVALID_DATA", quantity_key, "invalid data"
    return None


# --- Kommo ---------------------------------------------------------------------------------


class FakeKommoState:
    def __init__(
        self,
        *,
        access_token: str = KOMMO_ACCESS_TOKEN,
        client_id: str = KOMMO_CLIENT_ID,
        client_secret: str = KOMMO_CLIENT_SECRET,
        redirect_uri: str = KOMMO_REDIRECT_URI,
        refresh_token: str = KOMMO_REFRESH_TOKEN,
        token_ttl: float = 86400.0,
        rate_limit: int = 7,
        rate_window: float = 1.0,
        delay: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.access_token = access_token  # the long-lived token
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.token_ttl = token_ttl
        # OAuth: each refresh token works once; spending it mints its successor.
        self.live_refresh_tokens = {refresh_token}
        self.spent_refresh_tokens: set[str] = set()
        self.reused_refresh_tokens = 0  # refreshes that presented an already spent token
        self.tokens: dict[str, float] = {}  # OAuth access token -> expiry on `clock`
        self.rate_limit = rate_limit
        self.rate_window = rate_window
        self.delay = delay
        self.clock = clock
        self.contacts: dict[int, dict[str, Any]] = {}
        self.calls: Counter[str] = Counter()  # token, contacts.create, contacts.update
        self.arrivals: list[float] = []  # every API request, on `clock`, throttled ones too
        self.throttled = 0
        self.failures = _FailureQueue()
        self._ids = itertools.count(30000001)

    def fail_next(
        self,
        status: int = 500,
        *,
        retry_after: float | None = None,
        message: str | None = None,
        endpoint: str = "api",
    ) -> None:
        """Answer the next call to `endpoint` ("api" or "token") with this failure."""
        self.failures.push(
            ScriptedFailure(status, retry_after=retry_after, message=message, endpoint=endpoint)
        )

    def expire_tokens(self) -> None:
        """Forget every OAuth access token, as if all had expired on Kommo's side."""
        self.tokens.clear()

    def accepts(self, authorization: str) -> bool:
        scheme, _, token = authorization.partition(" ")
        if scheme != "Bearer" or not token:
            return False
        if token == self.access_token:
            return True
        expires_at = self.tokens.get(token)
        return expires_at is not None and self.clock() < expires_at

    def next_id(self) -> int:
        return next(self._ids)

    def delete_contact(self, contact_id: int) -> None:
        self.contacts.pop(contact_id, None)

    def contact_by_name(self, name: str) -> dict[str, Any] | None:
        return next((c for c in self.contacts.values() if c.get("name") == name), None)

    def max_requests_in_window(self, window: float | None = None) -> int:
        """The most requests that arrived within any `window` seconds (default: Kommo's 1 s)."""
        span = self.rate_window if window is None else window
        times = sorted(self.arrivals)
        best, start = 0, 0
        for end, arrived in enumerate(times):
            while arrived - times[start] >= span:
                start += 1
            best = max(best, end - start + 1)
        return best


def _problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "title": title,
        "type": f"https://httpstatus.es/{status}",
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status, media_type="application/problem+json")


def _kommo_contact_errors(item: object, *, partial: bool) -> list[dict[str, str]]:
    """Kommo-style validation errors for one contact (PATCH bodies may omit `name`)."""
    if not isinstance(item, dict):
        return [{"code": "InvalidType", "path": "", "detail": "This value should be an object."}]
    errors = []
    if not (partial and "name" not in item):
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            errors.append(
                {"code": "NotBlank", "path": "name", "detail": "This value should not be blank."}
            )
    fields = item.get("custom_fields_values", [])
    for index, field in enumerate(fields if isinstance(fields, list) else [None]):
        path = f"custom_fields_values.{index}"
        if not isinstance(field, dict) or field.get("field_code") not in _KOMMO_FIELD_CODES:
            errors.append(
                {
                    "code": "NotSupportedChoice",
                    "path": f"{path}.field_code",
                    "detail": "The value you selected is not a valid choice.",
                }
            )
            continue
        values = field.get("values")
        if not isinstance(values, list) or not all(
            isinstance(v, dict) and isinstance(v.get("value"), str) and v["value"] for v in values
        ):
            errors.append(
                {
                    "code": "NotBlank",
                    "path": f"{path}.values",
                    "detail": "This value should not be blank.",
                }
            )
    return errors


def create_fake_kommo(state: FakeKommoState | None = None) -> FastAPI:
    state = state or FakeKommoState()
    app = FastAPI(title="Fake Kommo", openapi_url=None)
    app.state.fake = state

    def hal(body: dict[str, Any]) -> JSONResponse:
        return JSONResponse(body, media_type="application/hal+json")

    async def guard(request: Request, endpoint: str) -> JSONResponse | None:
        now = state.clock()
        state.arrivals.append(now)
        state.calls[endpoint] += 1
        recent = sum(1 for t in state.arrivals if now - t < state.rate_window)
        if recent > state.rate_limit:
            state.throttled += 1
            return _problem(429, "Too Many Requests", "Rate limit exceeded")
        if state.delay:
            await asyncio.sleep(state.delay)
        if not state.accepts(request.headers.get("Authorization", "")):
            return _problem(401, "Unauthorized", "Unauthorized")
        failure = state.failures.pop("api")
        if failure is None:
            return None
        response = _problem(failure.status, "Scripted failure", failure.message or "scripted")
        if failure.retry_after:
            response.headers["Retry-After"] = f"{failure.retry_after:g}"
        return response

    def oauth_refusal(status: int, error: str, detail: str, hint: str) -> JSONResponse:
        # Kommo wraps its OAuth server's errors in problem+json with a `hint`.
        return _problem(status, "Invalid request", detail, hint=hint, error=error)

    @app.post("/oauth2/access_token")
    async def access_token(request: Request) -> JSONResponse:
        if "application/x-www-form-urlencoded" in request.headers.get("content-type", ""):
            params: Any = {k: str(v) for k, v in (await request.form()).items()}
        else:
            params = await _json_or_none(request)
        if state.delay:
            await asyncio.sleep(state.delay)
        state.calls["token"] += 1
        failure = state.failures.pop("token")
        if failure is not None:
            response = _problem(failure.status, "Scripted failure", failure.message or "scripted")
            if failure.retry_after:
                response.headers["Retry-After"] = f"{failure.retry_after:g}"
            return response
        if not isinstance(params, dict):
            return oauth_refusal(400, "invalid_request", "Malformed request", "Send a JSON body")
        if (params.get("client_id"), params.get("client_secret")) != (
            state.client_id,
            state.client_secret,
        ):
            return oauth_refusal(
                401, "invalid_client", "Client authentication failed", "Unknown client"
            )
        if params.get("grant_type") != "refresh_token":
            return oauth_refusal(
                400, "unsupported_grant_type", "Unsupported grant type", "Use refresh_token"
            )
        if params.get("redirect_uri") != state.redirect_uri:
            return oauth_refusal(
                400, "invalid_request", "The redirect URI does not match", "Check redirect_uri"
            )
        presented = params.get("refresh_token")
        if presented not in state.live_refresh_tokens:
            if presented in state.spent_refresh_tokens:
                state.reused_refresh_tokens += 1
            return oauth_refusal(
                400, "invalid_grant", "The refresh token is invalid.", "Token has been revoked"
            )
        state.live_refresh_tokens.discard(presented)
        state.spent_refresh_tokens.add(presented)
        refresh_token = f"def50200{secrets.token_hex(32)}"
        state.live_refresh_tokens.add(refresh_token)
        access_token = f"eyJ0eXAiOiJKV1Qi.{secrets.token_hex(24)}"
        state.tokens[access_token] = state.clock() + state.token_ttl
        return JSONResponse(
            {
                "token_type": "Bearer",
                "expires_in": round(state.token_ttl),
                "server_time": int(time.time()),
                "access_token": access_token,
                "refresh_token": refresh_token,
            }
        )

    def link(request: Request, path: str) -> dict[str, Any]:
        return {"self": {"href": f"{str(request.base_url).rstrip('/')}/api/v4/{path}"}}

    @app.post("/api/v4/contacts")
    async def create_contacts(request: Request) -> JSONResponse:
        if (refusal := await guard(request, "contacts.create")) is not None:
            return refusal
        items = await _json_or_none(request)
        if not isinstance(items, list) or not items:
            return _problem(400, "Bad Request", "Request body must be a non-empty array")
        problems = [
            {"request_id": str(index), "errors": errors}
            for index, item in enumerate(items)
            if (errors := _kommo_contact_errors(item, partial=False))
        ]
        if problems:
            return _problem(
                400, "Bad Request", "Request validation failed", **{"validation-errors": problems}
            )
        created = []
        for index, item in enumerate(items):
            contact_id = state.next_id()
            state.contacts[contact_id] = {**item, "id": contact_id}
            created.append(
                {
                    "id": contact_id,
                    "request_id": str(index),
                    "_links": link(request, f"contacts/{contact_id}"),
                }
            )
        return hal({"_links": link(request, "contacts"), "_embedded": {"contacts": created}})

    @app.patch("/api/v4/contacts/{contact_id}")
    async def update_contact(request: Request, contact_id: int) -> JSONResponse:
        if (refusal := await guard(request, "contacts.update")) is not None:
            return refusal
        contact = state.contacts.get(contact_id)
        if contact is None:
            return _problem(404, "Not Found", f"Contact {contact_id} not found")
        item = await _json_or_none(request)
        if errors := _kommo_contact_errors(item, partial=True):
            problems = [{"request_id": "0", "errors": errors}]
            return _problem(
                400, "Bad Request", "Request validation failed", **{"validation-errors": problems}
            )
        contact.update(item)
        return hal(
            {
                "id": contact_id,
                "name": contact.get("name"),
                "updated_at": int(time.time()),
                "_links": link(request, f"contacts/{contact_id}"),
            }
        )

    return app


# --- command line ------------------------------------------------------------------------


def fake_env(zoho_url: str, kommo_url: str) -> dict[str, str]:
    """Environment settings that point the API at fakes served at these URLs."""
    return {
        "ZOHO_ACCOUNTS_URL": zoho_url,
        "ZOHO_CLIENT_ID": ZOHO_CLIENT_ID,
        "ZOHO_CLIENT_SECRET": ZOHO_CLIENT_SECRET,
        "ZOHO_REFRESH_TOKEN": ZOHO_REFRESH_TOKEN,
        "KOMMO_BASE_URL": kommo_url,
        "KOMMO_ACCESS_TOKEN": KOMMO_ACCESS_TOKEN,
    }


async def _serve(apps: Sequence[tuple[FastAPI, str, int]]) -> None:
    servers = [
        uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="info"))
        for app, host, port in apps
    ]
    await asyncio.gather(*(server.serve() for server in servers))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="skyluxse-api fake-crm",
        description="Serve local fakes of Zoho CRM and Kommo for development.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--zoho-port", type=int, default=8765)
    parser.add_argument("--kommo-port", type=int, default=8766)
    args = parser.parse_args(argv)
    env = fake_env(f"http://{args.host}:{args.zoho_port}", f"http://{args.host}:{args.kommo_port}")
    print("Point the API at the fakes with these settings (.env or environment):", flush=True)
    for name, value in env.items():
        print(f"{name}={value}", flush=True)
    asyncio.run(
        _serve(
            [
                (create_fake_zoho(), args.host, args.zoho_port),
                (create_fake_kommo(), args.host, args.kommo_port),
            ]
        )
    )
    return 0
