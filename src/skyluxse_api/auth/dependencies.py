"""FastAPI dependencies: authenticate the bearer token, then check the route's permission.

Every `/api/v1` route declares exactly one of `require(permission)` or
`public(reason)`; the authorization matrix test walks the route table and fails
on a route that declares neither.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from skyluxse_api.api.problems import Forbidden, ServiceUnavailable, Unauthorized
from skyluxse_api.auth.permissions import Permission
from skyluxse_api.auth.principal import SERVICE_PRINCIPAL, Principal
from skyluxse_api.auth.tokens import TokenError, TokenVerifier
from skyluxse_api.db.engine import DbSession
from skyluxse_api.models import DriverProfile, StaffAccount

_bearer = HTTPBearer(auto_error=False, description="Supabase access token")


def _unauthorized(reason: str, detail: str) -> Unauthorized:
    # RFC 6750 error code on every 401, so clients know to get a fresh token.
    return Unauthorized(
        detail,
        extra={"reason": reason},
        headers={"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{reason}"'},
    )


async def authenticate(
    request: Request,
    session: DbSession,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
) -> Principal:
    """The caller, from a verified token and its active staff account (one query)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("missing", "An `Authorization: Bearer <token>` header is required.")
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        token = await verifier.verify(credentials.credentials)
    except TokenError as exc:
        if exc.reason == "keys_unavailable":
            # Our outage, not a bad token: the client should retry, not sign in again.
            raise ServiceUnavailable(exc.detail) from exc
        raise _unauthorized(exc.reason, exc.detail) from exc
    if token.is_service_role:
        return SERVICE_PRINCIPAL
    row = (
        await session.execute(
            select(StaffAccount.role, StaffAccount.is_active, StaffAccount.email, DriverProfile.id)
            .outerjoin(DriverProfile, DriverProfile.staff_account_id == StaffAccount.id)
            .where(StaffAccount.id == token.subject)
        )
    ).first()
    if row is None:
        raise _unauthorized("unknown_account", "No staff account matches this token.")
    role, is_active, email, driver_id = row
    if not is_active:
        raise _unauthorized("inactive_account", "This staff account is deactivated.")
    principal = Principal(
        staff_id=token.subject,
        role=role,
        driver_id=driver_id,
        email=email,
        auth_session_id=token.session_id,
    )
    request.state.principal = principal
    return principal


def require(permission: Permission) -> Any:
    """Dependency: the authenticated principal, who must hold `permission` (else 403)."""

    async def check(principal: Principal = Depends(authenticate)) -> Principal:
        if not principal.can(permission):
            raise Forbidden(
                f"Your role may not do this (needs `{permission}`).",
                extra={"permission": str(permission)},
            )
        return principal

    check.required_permission = permission  # type: ignore[attr-defined]
    return Depends(check)


def public(reason: str) -> Any:
    """Dependency marking a route as deliberately reachable without a token."""

    async def open_route() -> None:
        return None

    open_route.public_reason = reason  # type: ignore[attr-defined]
    return Depends(open_route)
