"""Development tokens signed with the local secret, for `/docs` and the CLI."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from skyluxse_api.auth.tokens import mint_token
from skyluxse_api.models import StaffAccount
from skyluxse_api.settings import Settings


def token_for(settings: Settings, subject: object, email: str, hours: int) -> str:
    return mint_token(
        settings.supabase_jwt_secret,
        subject=str(subject),
        email=email,
        expires_in=hours * 3600,
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
    )


async def staff_token(database_url: str, settings: Settings, email: str, hours: int) -> str | None:
    """A token for the active staff account with this email, or None."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    select(StaffAccount.id, StaffAccount.email).where(
                        StaffAccount.email == email, StaffAccount.is_active.is_(True)
                    )
                )
            ).first()
    finally:
        await engine.dispose()
    return token_for(settings, row.id, row.email, hours) if row else None


async def demo_tokens(
    database_url: str, settings: Settings, hours: int = 12
) -> dict[str, tuple[str, str]]:
    """One token per role: the first active account of each role, by email."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(StaffAccount.role, StaffAccount.id, StaffAccount.email)
                    .where(StaffAccount.is_active.is_(True))
                    .distinct(StaffAccount.role)
                    .order_by(StaffAccount.role, StaffAccount.email)
                )
            ).all()
    finally:
        await engine.dispose()
    return {
        str(row.role): (row.email, token_for(settings, row.id, row.email, hours)) for row in rows
    }
