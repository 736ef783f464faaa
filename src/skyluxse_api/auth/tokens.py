"""Verification of Supabase Auth access tokens (legacy HS256 secret or asymmetric JWKS keys)."""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from jose import jwk, jwt
from jose.backends.base import Key
from jose.exceptions import ExpiredSignatureError, JOSEError, JWTClaimsError, JWTError

from skyluxse_api.settings import Settings

logger = logging.getLogger(__name__)

TokenErrorReason = Literal[
    "missing",
    "malformed",
    "expired",
    "not_yet_valid",
    "bad_signature",
    "bad_algorithm",
    "bad_audience",
    "bad_issuer",
    "bad_subject",
    "anon_not_allowed",
    "unknown_key",
    "keys_unavailable",
]

JWKS_PATH = "/auth/v1/.well-known/jwks.json"
# A token with a random `kid` must not turn into one JWKS request per API call.
MIN_REFETCH_SECONDS = 30.0
JWKS_TIMEOUT_SECONDS = 5.0
# Supabase's own legacy `service_role` API keys carry this issuer, not the Auth URL.
LEGACY_API_KEY_ISSUER = "supabase"
_ASYMMETRIC_ALGORITHMS = frozenset({"ES256", "RS256"})


class TokenError(Exception):
    def __init__(self, reason: TokenErrorReason, detail: str) -> None:
        super().__init__(detail)
        self.reason: TokenErrorReason = reason
        self.detail = detail


@dataclass(frozen=True)
class VerifiedToken:
    subject: uuid.UUID | None
    is_service_role: bool
    claims: dict[str, Any]
    session_id: str | None
    email: str | None


@dataclass(frozen=True)
class _PublishedKey:
    algorithm: str
    key: Key


class TokenVerifier:
    def __init__(
        self,
        settings: Settings,
        http: httpx.AsyncClient | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._http = http
        self._owns_http = http is None
        self._clock = clock
        self._hmac_key = (
            jwk.construct(settings.supabase_jwt_secret, "HS256")
            if settings.supabase_jwt_secret
            else None
        )
        self._jwks_url = (
            settings.supabase_url.rstrip("/") + JWKS_PATH if settings.supabase_url else None
        )
        self._published: dict[str, _PublishedKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = asyncio.Lock()

    async def aclose(self) -> None:
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None

    async def verify(self, token: str) -> VerifiedToken:
        if not token or not token.strip():
            raise TokenError("missing", "No access token was supplied.")
        header = _unverified_header(token)
        alg = header.get("alg")
        if alg == "HS256" and self._hmac_key is not None:
            key = self._hmac_key
        elif isinstance(alg, str) and alg in _ASYMMETRIC_ALGORITHMS and self._jwks_url:
            key = await self._published_key(self._jwks_url, alg, header.get("kid"))
        else:
            raise TokenError("bad_algorithm", f"Tokens signed with {alg!r} are not accepted.")
        claims = self._decode(token, key, alg)
        return self._authorize(claims)

    def _decode(self, token: str, key: Key, alg: str) -> dict[str, Any]:
        # Audience, issuer and subject depend on the role, so they are checked in _authorize.
        options = {
            "verify_aud": False,
            "verify_iss": False,
            "verify_sub": False,
            "verify_jti": False,
            "verify_at_hash": False,
            "leeway": self._settings.jwt_leeway_seconds,
        }
        try:
            return jwt.decode(token, key, algorithms=[alg], options=options)
        except ExpiredSignatureError as exc:
            raise TokenError("expired", "The access token has expired.") from exc
        except JWTClaimsError as exc:
            # Time claims were type-checked before, so only a future `nbf` is left to fail here.
            raise TokenError("not_yet_valid", "The access token is not valid yet.") from exc
        except JWTError as exc:
            raise TokenError("bad_signature", "The access token signature is invalid.") from exc

    def _authorize(self, claims: dict[str, Any]) -> VerifiedToken:
        # Only top-level claims set by Supabase Auth count; `user_metadata` is user-editable.
        role = claims.get("role")
        if role == "service_role":
            self._check_audience(claims, required=False)
            self._check_issuer(claims, LEGACY_API_KEY_ISSUER)
            return VerifiedToken(
                subject=None, is_service_role=True, claims=claims, session_id=None, email=None
            )
        if role == "anon":
            raise TokenError("anon_not_allowed", "The anonymous API key cannot call this API.")
        if role != "authenticated":
            raise TokenError("bad_subject", f"Tokens with role {role!r} are not accepted.")
        if claims.get("is_anonymous") is True:
            raise TokenError("anon_not_allowed", "Anonymous Supabase users cannot call this API.")
        if "exp" not in claims:
            raise TokenError("malformed", "The access token has no expiry time.")
        self._check_audience(claims, required=True)
        self._check_issuer(claims)
        session_id = claims.get("session_id")
        email = claims.get("email")
        return VerifiedToken(
            subject=_subject(claims.get("sub")),
            is_service_role=False,
            claims=claims,
            session_id=session_id if isinstance(session_id, str) and session_id else None,
            email=email if isinstance(email, str) and email else None,
        )

    def _check_audience(self, claims: dict[str, Any], *, required: bool) -> None:
        if "aud" not in claims:
            if required:
                raise TokenError("bad_audience", "The access token has no audience.")
            return
        audience = claims["aud"]
        values = [audience] if isinstance(audience, str) else audience
        if not isinstance(values, list) or self._settings.jwt_audience not in values:
            raise TokenError("bad_audience", "The access token is meant for another audience.")

    def _check_issuer(self, claims: dict[str, Any], *also_accepted: str) -> None:
        expected = self._settings.jwt_issuer
        if expected is None:
            return
        if claims.get("iss") not in (expected, *also_accepted):
            raise TokenError("bad_issuer", "The access token was issued by someone else.")

    async def _published_key(self, jwks_url: str, alg: str, kid: object) -> Key:
        if not isinstance(kid, str) or not kid:
            raise TokenError("unknown_key", "The access token does not name its signing key.")
        async with self._lock:
            now = self._clock()
            stale = (
                self._fetched_at is None
                or now - self._fetched_at >= self._settings.jwks_cache_seconds
            )
            throttled = (
                self._attempted_at is not None and now - self._attempted_at < MIN_REFETCH_SECONDS
            )
            if (stale or kid not in self._published) and not throttled:
                await self._fetch_keys(jwks_url, now)
            if self._fetched_at is None:
                raise TokenError("keys_unavailable", "The signing keys could not be fetched.")
            published = self._published.get(kid)
        if published is None:
            raise TokenError("unknown_key", "The access token was signed with an unknown key.")
        if published.algorithm != alg:
            raise TokenError("bad_algorithm", f"Key {kid!r} does not sign with {alg}.")
        return published.key

    async def _fetch_keys(self, jwks_url: str, now: float) -> None:
        self._attempted_at = now
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=JWKS_TIMEOUT_SECONDS)
        try:
            response = await self._http.get(jwks_url)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            # Keep serving the previous key set: a brief Auth outage should not log everyone out.
            logger.warning("fetching JWKS from %s failed: %s", jwks_url, exc)
            return
        keys = document.get("keys") if isinstance(document, dict) else None
        if not isinstance(keys, list):
            logger.warning("JWKS from %s has no key list", jwks_url)
            return
        self._published = {
            entry["kid"]: published
            for entry in keys
            if isinstance(entry, dict)
            and isinstance(entry.get("kid"), str)
            and (published := _load_published_key(entry)) is not None
        }
        self._fetched_at = now


def _load_published_key(entry: dict[str, Any]) -> _PublishedKey | None:
    """Public key of a JWKS entry, or None for entries this service never verifies with."""
    if entry.get("use", "sig") != "sig":
        return None
    kty = entry.get("kty")
    members: tuple[str, ...]
    if kty == "EC" and entry.get("crv") == "P-256":
        algorithm, members = "ES256", ("crv", "x", "y")
    elif kty == "RSA":
        algorithm, members = "RS256", ("n", "e")
    else:
        return None
    if entry.get("alg", algorithm) != algorithm:
        return None
    if not all(isinstance(entry.get(name), str) for name in members):
        return None
    # Only the public members, so a JWKS that leaks `d` never yields a signing key.
    public = {"kty": kty, **{name: entry[name] for name in members}}
    try:
        return _PublishedKey(algorithm, jwk.construct(public, algorithm))
    except (JOSEError, ValueError) as exc:
        logger.warning("ignoring unusable JWKS key %r: %s", entry.get("kid"), exc)
        return None


def _unverified_header(token: str) -> dict[str, Any]:
    # A JWE or a truncated token must not reach python-jose's more forgiving parser.
    if token.count(".") != 2:
        raise TokenError("malformed", "The access token is not a signed JWT.")
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.get_unverified_claims(token)
    except JWTError as exc:
        raise TokenError("malformed", "The access token is not a signed JWT.") from exc
    # python-jose lets non-finite or non-numeric time claims escape as TypeError/OverflowError.
    for name in ("exp", "nbf", "iat"):
        value = claims.get(name)
        if name in claims and (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise TokenError("malformed", f"The access token claim {name!r} is not a timestamp.")
    return header


def _subject(sub: object) -> uuid.UUID:
    if not isinstance(sub, str):
        raise TokenError("bad_subject", "The access token does not name a user.")
    try:
        return uuid.UUID(sub)
    except ValueError as exc:
        raise TokenError("bad_subject", "The access token subject is not a user id.") from exc


def mint_token(
    secret: str,
    *,
    subject: uuid.UUID | str | None,
    email: str | None = None,
    role: str = "authenticated",
    expires_in: int = 3600,
    audience: str | None = "authenticated",
    issuer: str | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    """An HS256 token shaped like a Supabase Auth access token, for development and tests."""
    issued_at = int(time.time())
    claims: dict[str, Any] = {
        "iat": issued_at,
        "exp": issued_at + expires_in,
        "role": role,
        "aal": "aal1",
        "session_id": str(uuid.uuid4()),
        "email": email or "",
        "phone": "",
        "is_anonymous": False,
        "app_metadata": {"provider": "email", "providers": ["email"]},
        "user_metadata": {},
    }
    if subject is not None:
        claims["sub"] = str(subject)
    if audience is not None:
        claims["aud"] = audience
    if issuer is not None:
        claims["iss"] = issuer
    claims.update(extra or {})
    return jwt.encode(claims, secret, algorithm="HS256")
