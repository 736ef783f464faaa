"""Supabase access-token verification against real keys and a real local JWKS endpoint."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwk, jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from skyluxse_api.auth.tokens import (
    MIN_REFETCH_SECONDS,
    TokenError,
    TokenVerifier,
    VerifiedToken,
    mint_token,
)
from skyluxse_api.settings import Settings
from tests.support.http_server import serve_asgi

SECRET = "test-secret-for-hs256-0123456789abcdefghijklmnop"
ISSUER = "https://example-ref.supabase.co/auth/v1"
USER_ID = uuid.UUID("5b0c7e0e-2f4e-4f6a-9d57-0f6b8e3b9a11")
CACHE_SECONDS = 600


@dataclass
class SigningKey:
    kid: str
    alg: str
    private_pem: str
    public_pem: str

    @property
    def jwk(self) -> dict[str, Any]:
        published = jwk.construct(self.public_pem, self.alg).to_dict()
        return {**published, "kid": self.kid, "use": "sig"}


def _pems(private_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> tuple[str, str]:
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


def make_ec_key(kid: str) -> SigningKey:
    return SigningKey(kid, "ES256", *_pems(ec.generate_private_key(ec.SECP256R1())))


def make_rsa_key(kid: str) -> SigningKey:
    return SigningKey(kid, "RS256", *_pems(rsa.generate_private_key(65537, 2048)))


@pytest.fixture(scope="module")
def ec_key() -> SigningKey:
    return make_ec_key("ec-1")


@pytest.fixture(scope="module")
def rsa_key() -> SigningKey:
    return make_rsa_key("rsa-1")


@dataclass
class FakeJwks:
    keys: list[dict[str, Any]] = field(default_factory=list)
    fetches: int = 0
    status_code: int = 200

    async def endpoint(self, request: Request) -> JSONResponse:
        self.fetches += 1
        return JSONResponse({"keys": self.keys}, status_code=self.status_code)


@dataclass
class JwksServer:
    base_url: str
    state: FakeJwks


@pytest.fixture(scope="module")
def jwks_server() -> Iterator[JwksServer]:
    state = FakeJwks()

    async def endpoint(request: Request) -> JSONResponse:
        return await state.endpoint(request)

    app = Starlette(routes=[Route("/auth/v1/.well-known/jwks.json", endpoint)])
    with serve_asgi(app) as base_url:
        yield JwksServer(base_url, state)


@pytest.fixture
def jwks(jwks_server: JwksServer, ec_key: SigningKey, rsa_key: SigningKey) -> FakeJwks:
    jwks_server.state.keys = [ec_key.jwk, rsa_key.jwk]
    jwks_server.state.fetches = 0
    jwks_server.state.status_code = 200
    return jwks_server.state


class FakeClock:
    def __init__(self) -> None:
        self.now = 10_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_settings(supabase_url: str | None = None, issuer: str | None = None) -> Settings:
    return Settings(
        _env_file=None,
        supabase_url=supabase_url,
        supabase_jwt_secret=SECRET,
        jwt_audience="authenticated",
        jwt_issuer=issuer,
        jwt_leeway_seconds=30,
        jwks_cache_seconds=CACHE_SECONDS,
    )


VerifierFactory = Callable[..., TokenVerifier]


@pytest.fixture
async def make_verifier(jwks_server: JwksServer, jwks: FakeJwks) -> AsyncIterator[VerifierFactory]:
    created: list[TokenVerifier] = []

    def factory(
        *, issuer: str | None = None, clock: FakeClock | None = None, jwks_url: bool = True
    ) -> TokenVerifier:
        settings = make_settings(jwks_server.base_url if jwks_url else None, issuer)
        verifier = TokenVerifier(settings, clock=clock or FakeClock())
        created.append(verifier)
        return verifier

    yield factory
    for verifier in created:
        await verifier.aclose()


def user_claims(**overrides: Any) -> dict[str, Any]:
    """Claims of a real-looking Supabase access token, taken from `mint_token`'s output."""
    claims = jwt.get_unverified_claims(
        mint_token(SECRET, subject=USER_ID, email="ops@example.com", issuer=ISSUER)
    )
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def sign(claims: dict[str, Any], key: SigningKey, kid: str | None = None) -> str:
    return jwt.encode(claims, key.private_pem, algorithm=key.alg, headers={"kid": kid or key.kid})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_signed(header: dict[str, Any], claims: dict[str, Any], secret: bytes | None) -> str:
    """Build a token without python-jose, which refuses to produce some hostile tokens."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    if secret is None:
        return signing_input + "."
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


async def reason_of(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(TokenError) as caught:
        await verifier.verify(token)
    return caught.value.reason


# --- accepted tokens -------------------------------------------------------------------


async def test_minted_hs256_token_is_accepted(make_verifier: VerifierFactory) -> None:
    token = mint_token(SECRET, subject=USER_ID, email="ops@example.com")

    verified = await make_verifier().verify(token)

    assert verified.subject == USER_ID
    assert verified.is_service_role is False
    assert verified.email == "ops@example.com"
    assert verified.session_id is not None
    assert uuid.UUID(verified.session_id)
    assert verified.claims["aal"] == "aal1"


@pytest.mark.parametrize("key_name", ["ec_key", "rsa_key"])
async def test_asymmetric_token_is_verified_with_the_published_key(
    make_verifier: VerifierFactory, jwks: FakeJwks, key_name: str, request: pytest.FixtureRequest
) -> None:
    key: SigningKey = request.getfixturevalue(key_name)

    verified = await make_verifier().verify(sign(user_claims(), key))

    assert verified.subject == USER_ID
    assert jwks.fetches == 1


async def test_published_keys_are_cached(
    make_verifier: VerifierFactory, jwks: FakeJwks, ec_key: SigningKey, rsa_key: SigningKey
) -> None:
    verifier = make_verifier()

    await verifier.verify(sign(user_claims(), ec_key))
    await verifier.verify(sign(user_claims(), rsa_key))
    await verifier.verify(sign(user_claims(), ec_key))

    assert jwks.fetches == 1


async def test_key_set_is_refetched_after_the_cache_period(
    make_verifier: VerifierFactory, jwks: FakeJwks, ec_key: SigningKey
) -> None:
    clock = FakeClock()
    verifier = make_verifier(clock=clock)
    await verifier.verify(sign(user_claims(), ec_key))

    clock.advance(CACHE_SECONDS - 1)
    await verifier.verify(sign(user_claims(), ec_key))
    assert jwks.fetches == 1

    clock.advance(2)
    await verifier.verify(sign(user_claims(), ec_key))
    assert jwks.fetches == 2


async def test_rotated_in_key_is_fetched_once_then_served_from_cache(
    make_verifier: VerifierFactory, jwks: FakeJwks, ec_key: SigningKey
) -> None:
    clock = FakeClock()
    verifier = make_verifier(clock=clock)
    await verifier.verify(sign(user_claims(), ec_key))
    new_key = make_ec_key("ec-2")
    jwks.keys = [*jwks.keys, new_key.jwk]
    clock.advance(MIN_REFETCH_SECONDS)

    verified = await verifier.verify(sign(user_claims(), new_key))
    await verifier.verify(sign(user_claims(), new_key))
    await verifier.verify(sign(user_claims(), ec_key))

    assert verified.subject == USER_ID
    assert jwks.fetches == 2


async def test_revoked_key_is_refused_after_the_key_set_is_refreshed(
    make_verifier: VerifierFactory, jwks: FakeJwks, ec_key: SigningKey, rsa_key: SigningKey
) -> None:
    clock = FakeClock()
    verifier = make_verifier(clock=clock)
    await verifier.verify(sign(user_claims(), ec_key))
    jwks.keys = [rsa_key.jwk]
    clock.advance(CACHE_SECONDS)

    assert await reason_of(verifier, sign(user_claims(), ec_key)) == "unknown_key"


async def test_unknown_kid_refetches_at_most_once_per_interval(
    make_verifier: VerifierFactory, jwks: FakeJwks, ec_key: SigningKey
) -> None:
    clock = FakeClock()
    verifier = make_verifier(clock=clock)
    await verifier.verify(sign(user_claims(), ec_key))
    clock.advance(MIN_REFETCH_SECONDS)

    assert await reason_of(verifier, sign(user_claims(), ec_key, kid="random-1")) == "unknown_key"
    assert jwks.fetches == 2
    assert await reason_of(verifier, sign(user_claims(), ec_key, kid="random-2")) == "unknown_key"
    assert jwks.fetches == 2

    clock.advance(MIN_REFETCH_SECONDS)
    assert await reason_of(verifier, sign(user_claims(), ec_key, kid="random-3")) == "unknown_key"
    assert jwks.fetches == 3


async def test_token_without_kid_is_refused(
    make_verifier: VerifierFactory, ec_key: SigningKey
) -> None:
    token = jwt.encode(user_claims(), ec_key.private_pem, algorithm="ES256")

    assert await reason_of(make_verifier(), token) == "unknown_key"


async def test_unreachable_key_set_is_reported(
    make_verifier: VerifierFactory, jwks: FakeJwks, ec_key: SigningKey
) -> None:
    jwks.status_code = 503

    assert await reason_of(make_verifier(), sign(user_claims(), ec_key)) == "keys_unavailable"


async def test_previous_key_set_is_kept_when_a_refresh_fails(
    make_verifier: VerifierFactory, jwks: FakeJwks, ec_key: SigningKey
) -> None:
    clock = FakeClock()
    verifier = make_verifier(clock=clock)
    await verifier.verify(sign(user_claims(), ec_key))
    jwks.status_code = 500
    clock.advance(CACHE_SECONDS)

    verified = await verifier.verify(sign(user_claims(), ec_key))

    assert verified.subject == USER_ID
    assert jwks.fetches == 2


async def test_service_role_api_key_without_aud_or_sub_is_a_service_principal(
    make_verifier: VerifierFactory,
) -> None:
    now = int(time.time())
    service_key = jwt.encode(
        {
            "iss": "supabase",
            "ref": "example-ref",
            "role": "service_role",
            "iat": now,
            "exp": now + 3600,
        },
        SECRET,
        algorithm="HS256",
    )

    verified = await make_verifier(issuer=ISSUER).verify(service_key)

    assert verified == VerifiedToken(
        subject=None,
        is_service_role=True,
        claims=jwt.get_unverified_claims(service_key),
        session_id=None,
        email=None,
    )


async def test_expired_token_within_leeway_is_accepted(make_verifier: VerifierFactory) -> None:
    token = mint_token(SECRET, subject=USER_ID, expires_in=-10)

    assert (await make_verifier().verify(token)).subject == USER_ID


async def test_audience_array_containing_ours_is_accepted(make_verifier: VerifierFactory) -> None:
    token = mint_token(SECRET, subject=USER_ID, extra={"aud": ["other-api", "authenticated"]})

    assert (await make_verifier().verify(token)).subject == USER_ID


async def test_configured_issuer_is_accepted(make_verifier: VerifierFactory) -> None:
    token = mint_token(SECRET, subject=USER_ID, issuer=ISSUER)

    assert (await make_verifier(issuer=ISSUER).verify(token)).subject == USER_ID


async def test_user_metadata_cannot_grant_a_role(make_verifier: VerifierFactory) -> None:
    token = mint_token(
        SECRET, subject=USER_ID, extra={"user_metadata": {"role": "service_role", "admin": True}}
    )

    verified = await make_verifier().verify(token)

    assert verified.is_service_role is False
    assert verified.subject == USER_ID


async def test_user_metadata_cannot_upgrade_the_anon_key(make_verifier: VerifierFactory) -> None:
    token = mint_token(
        SECRET, subject=None, role="anon", extra={"user_metadata": {"role": "authenticated"}}
    )

    assert await reason_of(make_verifier(), token) == "anon_not_allowed"


# --- refused tokens ----------------------------------------------------------------------


@pytest.mark.parametrize("token", ["", "   "])
async def test_missing_token(make_verifier: VerifierFactory, token: str) -> None:
    assert await reason_of(make_verifier(), token) == "missing"


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "a.b.c",
        "a.b",
        "eyJhbGciOiJIUzI1NiJ9.e30.sig.extra.segment",
        _b64(b"[1]") + "." + _b64(b"{}") + ".c2ln",
        _b64(b'{"alg":"HS256"}') + "." + _b64(b"[]") + ".c2ln",
    ],
)
async def test_garbage_is_malformed(make_verifier: VerifierFactory, token: str) -> None:
    assert await reason_of(make_verifier(), token) == "malformed"


@pytest.mark.parametrize("exp", ["tomorrow", [1], True, float("inf")])
async def test_non_numeric_expiry_is_malformed(make_verifier: VerifierFactory, exp: Any) -> None:
    token = hand_signed({"alg": "HS256", "typ": "JWT"}, user_claims(exp=exp), SECRET.encode())

    assert await reason_of(make_verifier(), token) == "malformed"


async def test_user_token_without_expiry_is_refused(make_verifier: VerifierFactory) -> None:
    claims = user_claims()
    del claims["exp"]

    assert await reason_of(make_verifier(), jwt.encode(claims, SECRET)) == "malformed"


async def test_expired_token_is_refused(make_verifier: VerifierFactory) -> None:
    token = mint_token(SECRET, subject=USER_ID, expires_in=-60)

    assert await reason_of(make_verifier(), token) == "expired"


async def test_token_not_valid_yet_is_refused(make_verifier: VerifierFactory) -> None:
    token = mint_token(SECRET, subject=USER_ID, extra={"nbf": int(time.time()) + 600})

    assert await reason_of(make_verifier(), token) == "not_yet_valid"


async def test_not_before_within_leeway_is_accepted(make_verifier: VerifierFactory) -> None:
    token = mint_token(SECRET, subject=USER_ID, extra={"nbf": int(time.time()) + 10})

    assert (await make_verifier().verify(token)).subject == USER_ID


@pytest.mark.parametrize(
    "extra", [{"aud": "other-api"}, {"aud": ["other-api"]}, {"aud": 7}, {"aud": None}]
)
async def test_wrong_or_missing_audience_is_refused(
    make_verifier: VerifierFactory, extra: dict[str, Any]
) -> None:
    token = jwt.encode(user_claims(**extra), SECRET)

    assert await reason_of(make_verifier(), token) == "bad_audience"


@pytest.mark.parametrize("issuer", ["https://other.supabase.co/auth/v1", "supabase", None])
async def test_wrong_or_missing_issuer_is_refused_when_configured(
    make_verifier: VerifierFactory, issuer: str | None
) -> None:
    token = jwt.encode(user_claims(iss=issuer), SECRET)

    assert await reason_of(make_verifier(issuer=ISSUER), token) == "bad_issuer"


async def test_issuer_is_not_checked_when_not_configured(make_verifier: VerifierFactory) -> None:
    token = mint_token(SECRET, subject=USER_ID, issuer="https://anything.example/auth/v1")

    assert (await make_verifier().verify(token)).subject == USER_ID


async def test_service_role_with_foreign_audience_is_refused(
    make_verifier: VerifierFactory,
) -> None:
    token = mint_token(SECRET, subject=None, role="service_role", audience="other-api")

    assert await reason_of(make_verifier(), token) == "bad_audience"


async def test_service_role_signed_with_another_secret_is_refused(
    make_verifier: VerifierFactory,
) -> None:
    token = mint_token("another-secret-0123456789", subject=None, role="service_role")

    assert await reason_of(make_verifier(), token) == "bad_signature"


async def test_tampered_payload_is_refused(make_verifier: VerifierFactory) -> None:
    header, _, signature = mint_token(SECRET, subject=USER_ID).split(".")
    forged_claims = _b64(json.dumps(user_claims(role="service_role")).encode())

    token = f"{header}.{forged_claims}.{signature}"

    assert await reason_of(make_verifier(), token) == "bad_signature"


async def test_alg_none_is_refused(make_verifier: VerifierFactory) -> None:
    token = hand_signed({"alg": "none", "typ": "JWT"}, user_claims(), None)

    assert await reason_of(make_verifier(), token) == "bad_algorithm"


async def test_missing_alg_is_refused(make_verifier: VerifierFactory) -> None:
    token = hand_signed({"typ": "JWT"}, user_claims(), SECRET.encode())

    assert await reason_of(make_verifier(), token) == "bad_algorithm"


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
async def test_other_hmac_algorithms_are_refused(make_verifier: VerifierFactory, alg: str) -> None:
    token = jwt.encode(user_claims(), SECRET, algorithm=alg)

    assert await reason_of(make_verifier(), token) == "bad_algorithm"


@pytest.mark.parametrize("key_name", ["ec_key", "rsa_key"])
async def test_hs256_signed_with_a_public_key_is_refused(
    make_verifier: VerifierFactory, key_name: str, request: pytest.FixtureRequest
) -> None:
    key: SigningKey = request.getfixturevalue(key_name)
    header = {"alg": "HS256", "typ": "JWT", "kid": key.kid}

    token = hand_signed(header, user_claims(), key.public_pem.encode())

    assert await reason_of(make_verifier(), token) == "bad_signature"


async def test_asymmetric_token_is_refused_without_a_supabase_url(
    make_verifier: VerifierFactory, jwks: FakeJwks, ec_key: SigningKey
) -> None:
    verifier = make_verifier(jwks_url=False)

    assert await reason_of(verifier, sign(user_claims(), ec_key)) == "bad_algorithm"
    assert jwks.fetches == 0


async def test_kid_of_a_key_of_another_type_is_refused(
    make_verifier: VerifierFactory, ec_key: SigningKey, rsa_key: SigningKey
) -> None:
    token = sign(user_claims(), ec_key, kid=rsa_key.kid)

    assert await reason_of(make_verifier(), token) == "bad_algorithm"


async def test_asymmetric_token_signed_by_an_unpublished_key_is_refused(
    make_verifier: VerifierFactory, ec_key: SigningKey
) -> None:
    impostor = make_ec_key(ec_key.kid)

    assert await reason_of(make_verifier(), sign(user_claims(), impostor)) == "bad_signature"


@pytest.mark.parametrize("sub", [None, "not-a-uuid", 42])
async def test_user_token_needs_a_uuid_subject(make_verifier: VerifierFactory, sub: Any) -> None:
    token = jwt.encode(user_claims(sub=sub), SECRET)

    assert await reason_of(make_verifier(), token) == "bad_subject"


async def test_anon_key_is_refused(make_verifier: VerifierFactory) -> None:
    token = mint_token(SECRET, subject=None, role="anon", audience=None)

    assert await reason_of(make_verifier(), token) == "anon_not_allowed"


async def test_anonymous_user_is_refused(make_verifier: VerifierFactory) -> None:
    token = mint_token(SECRET, subject=USER_ID, extra={"is_anonymous": True})

    assert await reason_of(make_verifier(), token) == "anon_not_allowed"


@pytest.mark.parametrize("role", ["supabase_admin", "postgres", None])
async def test_unknown_role_is_refused(make_verifier: VerifierFactory, role: str | None) -> None:
    token = jwt.encode(user_claims(role=role), SECRET)

    assert await reason_of(make_verifier(), token) == "bad_subject"
