"""Zoho CRM REST client: OAuth refresh-token flow, contact upsert and sales order creation.

Every failure surfaces as `RetryableError` or `PermanentError` so the outbox worker can decide
whether to try again; nothing here retries except the single token refresh after a 401.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from types import TracebackType
from typing import Any, Self

import httpx

from skyluxse_api.integrations.errors import PermanentError, RetryableError, parse_retry_after
from skyluxse_api.settings import Settings

logger = logging.getLogger(__name__)

# Refresh this long before Zoho's `expires_in` runs out, so a token never expires in flight.
_REFRESH_MARGIN_SECONDS = 300.0
# Zoho documents `expires_in` as 3600; used only if an answer omits it.
_DEFAULT_TOKEN_LIFETIME_SECONDS = 3600.0
# Refreshing cannot cure these 401s (the client lacks the scope), so they are final at once.
_UNREFRESHABLE_401_CODES = frozenset({"OAUTH_SCOPE_MISMATCH"})
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class ZohoContact:
    name: str
    email: str | None = None
    phone: str | None = None
    country: str | None = None  # the client's residency country -> Mailing_Country


@dataclass(frozen=True)
class ZohoOrderLine:
    label: str
    amount: Decimal  # unit price
    quantity: int = 1
    product_id: str | None = None  # falls back to the client's `default_product_id`


@dataclass(frozen=True)
class ZohoSalesOrder:
    subject: str
    contact_id: str
    lines: tuple[ZohoOrderLine, ...]
    currency: str | None = None  # only for multi-currency Zoho orgs; omitted when None


@dataclass(frozen=True)
class _Token:
    value: str
    api_domain: str
    refresh_at: float


def split_name(name: str) -> tuple[str | None, str]:
    """(First_Name, Last_Name): Zoho requires Last_Name, so a one-word name goes there whole."""
    cleaned = " ".join(name.split())
    first, _, last = cleaned.rpartition(" ")
    return (first or None), last


def _money(amount: Decimal) -> float:
    return float(amount.quantize(_CENT, rounding=ROUND_HALF_UP))


def _describe(item: dict[str, Any]) -> str:
    """`CODE: message (field Api_Name at $.path)` from a Zoho error object."""
    code = item.get("code") or "UNKNOWN"
    text = f"{code}: {item.get('message') or 'no message'}"
    details = item.get("details")
    if isinstance(details, dict):
        where = [
            f"{label} {details[key]}"
            for key, label in (("api_name", "field"), ("json_path", "at"))
            if details.get(key)
        ]
        if where:
            text += f" ({' '.join(where)})"
    return text


def _json_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        # A non-JSON answer comes from a proxy or an outage page, not from Zoho's API logic.
        raise RetryableError(
            f"Zoho answered HTTP {response.status_code} with a non-JSON body"
        ) from exc


class ZohoClient:
    def __init__(
        self,
        settings: Settings,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        default_product_id: str | None = None,
    ) -> None:
        if not settings.zoho_configured:
            raise ValueError("Zoho is not configured: set ZOHO_CLIENT_ID/SECRET/REFRESH_TOKEN")
        self._settings = settings
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient()
        self._clock = clock
        self._timeout = settings.zoho_timeout_seconds
        self._default_product_id = default_product_id
        self._token: _Token | None = None
        # Zoho caps how many access tokens a refresh token may mint: one refresh at a time.
        self._token_lock = asyncio.Lock()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # --- public API ---------------------------------------------------------------------

    async def upsert_contact(self, contact: ZohoContact) -> str:
        """Insert or update (matched on Email) and return the Zoho record id."""
        first_name, last_name = split_name(contact.name)
        record: dict[str, Any] = {}
        if first_name:
            record["First_Name"] = first_name
        if last_name:
            record["Last_Name"] = last_name
        for field, value in (
            ("Email", contact.email),
            ("Phone", contact.phone),
            ("Mailing_Country", contact.country),
        ):
            if value:
                record[field] = value
        body = {"data": [record], "duplicate_check_fields": ["Email"]}
        return await self._write_one("Contacts/upsert", body)

    async def create_sales_order(self, order: ZohoSalesOrder) -> str:
        """Create a sales order linked to a Zoho contact and return its record id."""
        if not order.lines:
            raise PermanentError("a Zoho sales order needs at least one line")
        version = self._settings.zoho_api_version
        items = [self._line_item(line, version) for line in order.lines]
        record: dict[str, Any] = {
            "Subject": order.subject,
            "Contact_Name": {"id": order.contact_id},
            "Product_Details" if version == 2 else "Ordered_Items": items,
        }
        if order.currency:
            record["Currency"] = order.currency
        return await self._write_one("Sales_Orders", {"data": [record]})

    # --- records --------------------------------------------------------------------------

    def _line_item(self, line: ZohoOrderLine, version: int) -> dict[str, Any]:
        product_id = line.product_id or self._default_product_id
        if not product_id:
            # Zoho line items must name a product by id; sending none only earns a 400.
            raise PermanentError(f"order line {line.label!r} has no Zoho product id")
        price = _money(line.amount)
        if version == 2:
            return {
                "product": {"id": product_id},
                "quantity": line.quantity,
                "list_price": price,
                "product_description": line.label,
            }
        return {
            "Product_Name": {"id": product_id},
            "Quantity": line.quantity,
            "List_Price": price,
            "Description": line.label,
        }

    async def _write_one(self, module_path: str, body: dict[str, Any]) -> str:
        response = await self._post(module_path, body)
        status = response.status_code
        if status == 429:
            raise RetryableError(
                "Zoho rate limit (HTTP 429)",
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        if status >= 500:
            raise RetryableError(f"Zoho HTTP {status}: {self._error_text(response)}")
        if status > 400:  # 401 was handled by _post; 403 NO_PERMISSION, 404, 412...
            raise PermanentError(f"Zoho HTTP {status}: {self._error_text(response)}")
        payload = _json_body(response)
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, list) or not data or not isinstance(data[0], dict):
            if isinstance(payload, dict) and payload.get("code"):
                raise PermanentError(f"Zoho HTTP {status}: {_describe(payload)}")
            raise PermanentError(f"Zoho HTTP {status} without a record result")
        record = data[0]
        details = record.get("details")
        record_id = details.get("id") if isinstance(details, dict) else None
        if record.get("status") == "success" and record_id:
            return str(record_id)
        raise PermanentError(_describe(record))

    def _error_text(self, response: httpx.Response) -> str:
        try:
            payload = response.json()
        except ValueError:
            return response.text[:200] or response.reason_phrase
        return _describe(payload) if isinstance(payload, dict) else str(payload)[:200]

    # --- transport and tokens -------------------------------------------------------------

    async def _post(self, module_path: str, body: dict[str, Any]) -> httpx.Response:
        """POST with a valid token; after a 401 drop the token, refresh once and retry once."""
        token = await self._current_token()
        response = await self._send(module_path, body, token)
        if response.status_code != 401:
            return response
        code = self._error_code(response)
        if code not in _UNREFRESHABLE_401_CODES:
            logger.info("Zoho rejected the access token (%s); refreshing", code)
            self._forget(token)
            response = await self._send(module_path, body, await self._current_token())
        if response.status_code == 401:
            raise PermanentError(f"Zoho HTTP 401: {self._error_text(response)}")
        return response

    async def _send(self, module_path: str, body: dict[str, Any], token: _Token) -> httpx.Response:
        url = f"{token.api_domain}/crm/v{self._settings.zoho_api_version}/{module_path}"
        try:
            return await self._http.post(
                url,
                json=body,
                headers={"Authorization": f"Zoho-oauthtoken {token.value}"},
                timeout=self._timeout,
            )
        except httpx.TransportError as exc:
            raise RetryableError(f"Zoho unreachable: {exc!r}") from exc

    @staticmethod
    def _error_code(response: httpx.Response) -> str | None:
        try:
            payload = response.json()
        except ValueError:
            return None
        code = payload.get("code") if isinstance(payload, dict) else None
        return code if isinstance(code, str) else None

    def _forget(self, token: _Token) -> None:
        # Only drop the token that failed: a concurrent call may already have minted a new one.
        if self._token is token:
            self._token = None

    async def _current_token(self) -> _Token:
        async with self._token_lock:
            token = self._token
            if token is None or self._clock() >= token.refresh_at:
                token = self._token = await self._mint_token()
            return token

    async def _mint_token(self) -> _Token:
        settings = self._settings
        url = settings.zoho_accounts_url.rstrip("/") + "/oauth/v2/token"
        params = {
            "refresh_token": settings.zoho_refresh_token or "",
            "client_id": settings.zoho_client_id or "",
            "client_secret": settings.zoho_client_secret or "",
            "grant_type": "refresh_token",
        }
        try:
            response = await self._http.post(url, params=params, timeout=self._timeout)
        except httpx.TransportError as exc:
            raise RetryableError(f"Zoho accounts unreachable: {exc!r}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableError(
                f"Zoho token endpoint HTTP {response.status_code}",
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        payload = _json_body(response)
        if not isinstance(payload, dict):
            raise PermanentError("Zoho token answer is not an object")
        error = payload.get("error")
        if error:
            description = str(payload.get("error_description") or "")
            # Minting too many tokens too fast answers "Access Denied ... too many requests".
            if "too many requests" in description.lower():
                raise RetryableError(f"Zoho token endpoint throttled: {description}")
            raise PermanentError(f"Zoho token refresh failed: {error} {description}".strip())
        access_token = payload.get("access_token")
        api_domain = payload.get("api_domain")
        if not access_token or not api_domain:
            raise PermanentError("Zoho token answer lacks access_token or api_domain")
        lifetime = float(payload.get("expires_in") or _DEFAULT_TOKEN_LIFETIME_SECONDS)
        margin = min(_REFRESH_MARGIN_SECONDS, lifetime / 2)
        logger.info("minted a Zoho access token valid for %.0f s", lifetime)
        return _Token(
            value=str(access_token),
            api_domain=str(api_domain).rstrip("/"),
            refresh_at=self._clock() + lifetime - margin,
        )
