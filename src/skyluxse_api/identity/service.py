"""Staff accounts, driver profiles, the signed-in person and their sign-in sessions."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from skyluxse_api.api.crud import (
    apply_changes,
    lock_for_change,
    not_found,
    one_or_404,
    refresh_after_write,
)
from skyluxse_api.api.pagination import ListParams, PageResult, paginate
from skyluxse_api.api.problems import Forbidden, Unprocessable
from skyluxse_api.auth.principal import Principal
from skyluxse_api.auth.scopes import driver_profile_scope, session_scope, staff_scope
from skyluxse_api.identity import schemas
from skyluxse_api.models import DriverProfile, StaffAccount, StaffSession
from skyluxse_api.models.enums import RoleType

STAFF_SORTS = {"full_name": StaffAccount.full_name, "created_at": StaffAccount.created_at}
DRIVER_SORTS = {"created_at": DriverProfile.created_at, "last_status_at": DriverProfile.updated_at}
SESSION_SORTS = {"signed_in_at": StaffSession.signed_in_at}


def _driver_read(profile: DriverProfile, full_name: str | None) -> schemas.DriverProfileRead:
    columns = {
        column.key: getattr(profile, column.key) for column in DriverProfile.__mapper__.column_attrs
    }
    return schemas.DriverProfileRead.model_validate({**columns, "full_name": full_name})


def _drivers(principal: Principal) -> Select[DriverProfile, str]:
    return (
        select(DriverProfile, StaffAccount.full_name)
        .outerjoin(StaffAccount, StaffAccount.id == DriverProfile.staff_account_id)
        .where(driver_profile_scope(principal))
    )


async def get_me(session: AsyncSession, principal: Principal) -> schemas.MeRead:
    account = None
    if principal.staff_id is not None:
        account = await session.get(StaffAccount, principal.staff_id)
    driver = None
    if principal.driver_id is not None:
        driver = await get_driver(session, principal, principal.driver_id)
    return schemas.MeRead(
        account=schemas.StaffAccountRead.model_validate(account) if account else None,
        role=principal.role,
        permissions=sorted(str(p) for p in principal.permissions),
        driver_profile=driver,
    )


async def update_own_driver_status(
    session: AsyncSession, principal: Principal, changes: schemas.DriverSelfUpdate
) -> schemas.DriverProfileRead:
    """A driver reports their status and location; the server stamps `last_status_at`."""
    if principal.driver_id is None:
        raise Forbidden("Only a driver with a driver profile reports a status.")
    profile = await lock_for_change(
        session,
        select(DriverProfile).where(DriverProfile.id == principal.driver_id),
        "driver",
        None,
    )
    _set_driver_fields(profile, changes)
    await refresh_after_write(session, profile)
    return await get_driver(session, principal, profile.id)


def _set_driver_fields(
    profile: DriverProfile, changes: schemas.DriverSelfUpdate | schemas.DriverProfileUpdate
) -> None:
    sent = apply_changes(profile, changes)
    if ("current_lat" in sent) != ("current_lng" in sent):
        raise Unprocessable("Send current_lat and current_lng together.")
    if sent & {"status", "current_lat", "current_lng"}:
        profile.last_status_at = func.now()


async def record_session(
    session: AsyncSession,
    principal: Principal,
    data: schemas.StaffSessionCreate,
    user_agent: str | None,
    ip_address: str | None,
) -> StaffSession:
    if principal.staff_id is None or principal.role is None:
        raise Forbidden("The service role does not sign in; sessions belong to staff.")
    record = StaffSession(
        staff_account_id=principal.staff_id,
        role=principal.role,
        auth_session_id=principal.auth_session_id,
        device=data.device,
        user_agent=user_agent[:500] if user_agent else None,
        ip_address=ip_address,
    )
    session.add(record)
    await refresh_after_write(session, record)
    return record


async def list_sessions(
    session: AsyncSession,
    principal: Principal,
    params: ListParams,
    sort: str,
    staff_account_id: uuid.UUID | None,
) -> PageResult:
    statement = select(StaffSession).where(session_scope(principal))
    if staff_account_id is not None:
        statement = statement.where(StaffSession.staff_account_id == staff_account_id)
    return await paginate(
        session,
        statement,
        sort=sort,
        sort_columns=SESSION_SORTS,
        id_column=StaffSession.id,
        params=params,
    )


async def list_staff(
    session: AsyncSession,
    principal: Principal,
    params: ListParams,
    sort: str,
    role: RoleType | None,
    is_active: bool | None,
    q: str | None,
) -> PageResult:
    statement = select(StaffAccount).where(staff_scope(principal))
    if role is not None:
        statement = statement.where(StaffAccount.role == role)
    if is_active is not None:
        statement = statement.where(StaffAccount.is_active.is_(is_active))
    if q:
        pattern = f"%{q}%"
        statement = statement.where(
            or_(StaffAccount.full_name.ilike(pattern), StaffAccount.email.ilike(pattern))
        )
    return await paginate(
        session,
        statement,
        sort=sort,
        sort_columns=STAFF_SORTS,
        id_column=StaffAccount.id,
        params=params,
    )


def _staff(principal: Principal, staff_id: uuid.UUID) -> Select[StaffAccount]:
    return select(StaffAccount).where(StaffAccount.id == staff_id, staff_scope(principal))


async def get_staff(
    session: AsyncSession, principal: Principal, staff_id: uuid.UUID
) -> StaffAccount:
    return await one_or_404(session, _staff(principal, staff_id), "staff account")


async def create_staff(session: AsyncSession, data: schemas.StaffAccountCreate) -> StaffAccount:
    values = data.model_dump(exclude_none=True)
    account = StaffAccount(**values)
    session.add(account)
    await refresh_after_write(session, account)
    return account


async def update_staff(
    session: AsyncSession,
    principal: Principal,
    staff_id: uuid.UUID,
    changes: schemas.StaffAccountUpdate,
    if_match: str | None,
) -> StaffAccount:
    account = await lock_for_change(session, _staff(principal, staff_id), "staff account", if_match)
    apply_changes(account, changes)
    await refresh_after_write(session, account)
    return account


async def deactivate_staff(
    session: AsyncSession, principal: Principal, staff_id: uuid.UUID, if_match: str | None
) -> StaffAccount:
    """Staff are never deleted (bookings, tasks and audit point at them): deactivated."""
    account = await lock_for_change(session, _staff(principal, staff_id), "staff account", if_match)
    if account.id == principal.staff_id:
        raise Unprocessable("You cannot deactivate your own account.")
    account.is_active = False
    await refresh_after_write(session, account)
    return account


async def list_drivers(
    session: AsyncSession, principal: Principal, params: ListParams, sort: str, status: Any
) -> PageResult:
    statement = _drivers(principal)
    if status is not None:
        statement = statement.where(DriverProfile.status == status)
    page = await paginate(
        session,
        statement,
        sort=sort,
        sort_columns=DRIVER_SORTS,
        id_column=DriverProfile.id,
        params=params,
    )
    return PageResult(
        items=[_driver_read(profile, name) for profile, name in page.items],
        next_cursor=page.next_cursor,
        total=page.total,
    )


async def get_driver(
    session: AsyncSession, principal: Principal, driver_id: uuid.UUID
) -> schemas.DriverProfileRead:
    row = (await session.execute(_drivers(principal).where(DriverProfile.id == driver_id))).first()
    if row is None:
        raise not_found("driver profile")
    return _driver_read(*row)


async def create_driver(
    session: AsyncSession, principal: Principal, data: schemas.DriverProfileCreate
) -> schemas.DriverProfileRead:
    full_name = None
    if data.staff_account_id is not None:
        account = await session.get(StaffAccount, data.staff_account_id)
        if account is None or account.role is not RoleType.driver:
            raise Unprocessable("staff_account_id must name a staff account with role driver.")
        full_name = account.full_name
    profile = DriverProfile(**data.model_dump(exclude_none=True), last_status_at=func.now())
    session.add(profile)
    await refresh_after_write(session, profile)
    return _driver_read(profile, full_name)


async def update_driver(
    session: AsyncSession,
    principal: Principal,
    driver_id: uuid.UUID,
    changes: schemas.DriverProfileUpdate,
    if_match: str | None,
) -> schemas.DriverProfileRead:
    profile = await lock_for_change(
        session,
        select(DriverProfile).where(DriverProfile.id == driver_id, driver_profile_scope(principal)),
        "driver profile",
        if_match,
    )
    _set_driver_fields(profile, changes)
    await refresh_after_write(session, profile)
    return await get_driver(session, principal, driver_id)


async def delete_driver(
    session: AsyncSession, principal: Principal, driver_id: uuid.UUID, if_match: str | None
) -> None:
    profile = await lock_for_change(
        session,
        select(DriverProfile).where(DriverProfile.id == driver_id, driver_profile_scope(principal)),
        "driver profile",
        if_match,
    )
    await session.delete(profile)
    await session.flush()
