"""HTTP routes of staff accounts, driver profiles, `/me` and sign-in sessions."""

from __future__ import annotations

import enum
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from skyluxse_api.api.etag import IfMatch, set_etag
from skyluxse_api.api.pagination import Listing
from skyluxse_api.api.routing import API_PREFIX, errors
from skyluxse_api.api.schemas import Page, SearchText
from skyluxse_api.auth.dependencies import require
from skyluxse_api.auth.permissions import Permission as P
from skyluxse_api.auth.principal import Principal
from skyluxse_api.db.engine import DbSession
from skyluxse_api.identity import schemas, service
from skyluxse_api.models.enums import DriverStatus, RoleType

router = APIRouter(prefix=API_PREFIX)


class StaffSort(enum.StrEnum):
    full_name = "full_name"
    full_name_desc = "-full_name"
    created_at = "created_at"
    created_at_desc = "-created_at"


class DriverSort(enum.StrEnum):
    created_at = "created_at"
    created_at_desc = "-created_at"
    last_status_at = "last_status_at"
    last_status_at_desc = "-last_status_at"


class SessionSort(enum.StrEnum):
    signed_in_at = "signed_in_at"
    signed_in_at_desc = "-signed_in_at"


@router.get(
    "/me",
    tags=["me"],
    summary="The signed-in person, their role and permissions",
    responses=errors(),
)
async def me_get(session: DbSession, principal: Principal = require(P.ME)) -> schemas.MeRead:
    return await service.get_me(session, principal)


@router.patch(
    "/me/driver-status",
    tags=["me"],
    summary="A driver reports their status and location",
    responses=errors(404),
)
async def me_update_driver_status(
    body: schemas.DriverSelfUpdate,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.DRIVER_SELF_UPDATE),
) -> schemas.DriverProfileRead:
    driver = await service.update_own_driver_status(session, principal, body)
    set_etag(response, driver.id, driver.updated_at)
    return driver


@router.post(
    "/sessions",
    tags=["sessions"],
    status_code=status.HTTP_201_CREATED,
    summary="Record a sign-in (the app calls this after login)",
    responses=errors(),
)
async def sessions_create(
    body: schemas.StaffSessionCreate,
    request: Request,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.ME),
) -> schemas.StaffSessionRead:
    record = await service.record_session(
        session,
        principal,
        body,
        request.headers.get("user-agent"),
        request.client.host if request.client else None,
    )
    set_etag(response, record.id, record.updated_at)
    return schemas.StaffSessionRead.model_validate(record)


@router.get(
    "/sessions",
    tags=["sessions"],
    summary="Sign-in sessions: your own, or everyone's for the ceo",
    responses=errors(),
)
async def sessions_list(
    session: DbSession,
    listing: Listing,
    sort: SessionSort = SessionSort.signed_in_at_desc,
    staff_account_id: uuid.UUID | None = None,
    principal: Principal = require(P.ME),
) -> Page[schemas.StaffSessionRead]:
    page = await service.list_sessions(session, principal, listing, sort, staff_account_id)
    return page.to_page(schemas.StaffSessionRead)


@router.get("/staff", tags=["staff"], summary="List staff accounts", responses=errors())
async def staff_list(
    session: DbSession,
    listing: Listing,
    sort: StaffSort = StaffSort.full_name,
    role: RoleType | None = None,
    is_active: bool | None = None,
    q: Annotated[SearchText | None, Query(description="Name or email contains")] = None,
    principal: Principal = require(P.STAFF_READ),
) -> Page[schemas.StaffAccountRead]:
    page = await service.list_staff(session, principal, listing, sort, role, is_active, q)
    return page.to_page(schemas.StaffAccountRead)


@router.post(
    "/staff",
    tags=["staff"],
    status_code=status.HTTP_201_CREATED,
    summary="Create a staff account",
    responses=errors(409),
)
async def staff_create(
    body: schemas.StaffAccountCreate,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.STAFF_WRITE),
) -> schemas.StaffAccountRead:
    account = await service.create_staff(session, body)
    set_etag(response, account.id, account.updated_at)
    return schemas.StaffAccountRead.model_validate(account)


@router.get("/staff/{staff_id}", tags=["staff"], summary="One staff account", responses=errors(404))
async def staff_get(
    staff_id: uuid.UUID,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.STAFF_READ),
) -> schemas.StaffAccountRead:
    account = await service.get_staff(session, principal, staff_id)
    set_etag(response, account.id, account.updated_at)
    return schemas.StaffAccountRead.model_validate(account)


@router.patch(
    "/staff/{staff_id}",
    tags=["staff"],
    summary="Change a staff account",
    responses=errors(404, 409, 412),
)
async def staff_update(
    staff_id: uuid.UUID,
    body: schemas.StaffAccountUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
    principal: Principal = require(P.STAFF_WRITE),
) -> schemas.StaffAccountRead:
    account = await service.update_staff(session, principal, staff_id, body, if_match)
    set_etag(response, account.id, account.updated_at)
    return schemas.StaffAccountRead.model_validate(account)


@router.delete(
    "/staff/{staff_id}",
    tags=["staff"],
    summary="Deactivate a staff account (never deleted: history points at it)",
    responses=errors(404, 412),
)
async def staff_deactivate(
    staff_id: uuid.UUID,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
    principal: Principal = require(P.STAFF_WRITE),
) -> schemas.StaffAccountRead:
    account = await service.deactivate_staff(session, principal, staff_id, if_match)
    set_etag(response, account.id, account.updated_at)
    return schemas.StaffAccountRead.model_validate(account)


@router.get("/drivers", tags=["drivers"], summary="List driver profiles", responses=errors())
async def drivers_list(
    session: DbSession,
    listing: Listing,
    sort: DriverSort = DriverSort.created_at,
    status: DriverStatus | None = None,
    principal: Principal = require(P.DRIVERS_READ),
) -> Page[schemas.DriverProfileRead]:
    page = await service.list_drivers(session, principal, listing, sort, status)
    return Page(items=page.items, next_cursor=page.next_cursor, total=page.total)


@router.post(
    "/drivers",
    tags=["drivers"],
    status_code=status.HTTP_201_CREATED,
    summary="Create a driver profile",
    responses=errors(409),
)
async def drivers_create(
    body: schemas.DriverProfileCreate,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.DRIVERS_WRITE),
) -> schemas.DriverProfileRead:
    driver = await service.create_driver(session, principal, body)
    set_etag(response, driver.id, driver.updated_at)
    return driver


@router.get(
    "/drivers/{driver_id}", tags=["drivers"], summary="One driver profile", responses=errors(404)
)
async def drivers_get(
    driver_id: uuid.UUID,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.DRIVERS_READ),
) -> schemas.DriverProfileRead:
    driver = await service.get_driver(session, principal, driver_id)
    set_etag(response, driver.id, driver.updated_at)
    return driver


@router.patch(
    "/drivers/{driver_id}",
    tags=["drivers"],
    summary="Change a driver profile (status changes stamp last_status_at)",
    responses=errors(404, 412),
)
async def drivers_update(
    driver_id: uuid.UUID,
    body: schemas.DriverProfileUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
    principal: Principal = require(P.DRIVERS_WRITE),
) -> schemas.DriverProfileRead:
    driver = await service.update_driver(session, principal, driver_id, body, if_match)
    set_etag(response, driver.id, driver.updated_at)
    return driver


@router.delete(
    "/drivers/{driver_id}",
    tags=["drivers"],
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a driver profile",
    responses=errors(404, 409, 412),
)
async def drivers_delete(
    driver_id: uuid.UUID,
    session: DbSession,
    if_match: IfMatch = None,
    principal: Principal = require(P.DRIVERS_WRITE),
) -> Response:
    await service.delete_driver(session, principal, driver_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
