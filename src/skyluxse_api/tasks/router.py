"""HTTP routes of tasks."""

from __future__ import annotations

import enum
import uuid

from fastapi import APIRouter, Response, status

from skyluxse_api.api.etag import IfMatch, set_etag
from skyluxse_api.api.pagination import Listing
from skyluxse_api.api.routing import API_PREFIX, errors
from skyluxse_api.api.schemas import Page
from skyluxse_api.auth.dependencies import require
from skyluxse_api.auth.permissions import Permission as P
from skyluxse_api.auth.principal import Principal
from skyluxse_api.db.engine import DbSession
from skyluxse_api.models.enums import TaskStatus, TaskType
from skyluxse_api.tasks import schemas, service

router = APIRouter(prefix=f"{API_PREFIX}/tasks", tags=["tasks"])


class TaskSort(enum.StrEnum):
    deadline_at = "deadline_at"
    deadline_at_desc = "-deadline_at"
    created_at = "created_at"
    created_at_desc = "-created_at"


@router.get("", summary="List tasks (a driver sees only their own)", responses=errors())
async def tasks_list(
    session: DbSession,
    listing: Listing,
    sort: TaskSort = TaskSort.deadline_at,
    status: TaskStatus | None = None,
    task_type: TaskType | None = None,
    assignee_driver_id: uuid.UUID | None = None,
    booking_id: uuid.UUID | None = None,
    principal: Principal = require(P.TASKS_READ),
) -> Page[schemas.TaskRead]:
    page = await service.list_tasks(
        session, principal, listing, sort, status, task_type, assignee_driver_id, booking_id
    )
    return page.to_page(schemas.TaskRead)


@router.post(
    "", status_code=status.HTTP_201_CREATED, summary="Create a task", responses=errors(409)
)
async def tasks_create(
    body: schemas.TaskCreate,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.TASKS_WRITE),
) -> schemas.TaskRead:
    task = await service.create_task(session, principal, body)
    set_etag(response, task.id, task.updated_at)
    return schemas.TaskRead.model_validate(task)


@router.get("/{task_id}", summary="One task", responses=errors(404))
async def tasks_get(
    task_id: uuid.UUID,
    session: DbSession,
    response: Response,
    principal: Principal = require(P.TASKS_READ),
) -> schemas.TaskRead:
    task = await service.get_task(session, principal, task_id)
    set_etag(response, task.id, task.updated_at)
    return schemas.TaskRead.model_validate(task)


@router.patch("/{task_id}", summary="Change a task", responses=errors(404, 409, 412))
async def tasks_update(
    task_id: uuid.UUID,
    body: schemas.TaskUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
    principal: Principal = require(P.TASKS_WRITE),
) -> schemas.TaskRead:
    task = await service.update_task(session, principal, task_id, body, if_match)
    set_etag(response, task.id, task.updated_at)
    return schemas.TaskRead.model_validate(task)


@router.post(
    "/{task_id}/progress",
    summary="Report progress from the field (start, finish, notes)",
    responses=errors(404, 409, 412),
)
async def tasks_progress(
    task_id: uuid.UUID,
    body: schemas.TaskProgress,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
    principal: Principal = require(P.TASKS_PROGRESS),
) -> schemas.TaskRead:
    task = await service.report_progress(session, principal, task_id, body, if_match)
    set_etag(response, task.id, task.updated_at)
    return schemas.TaskRead.model_validate(task)


@router.delete(
    "/{task_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a task",
    responses=errors(404, 412),
)
async def tasks_delete(
    task_id: uuid.UUID,
    session: DbSession,
    if_match: IfMatch = None,
    principal: Principal = require(P.TASKS_WRITE),
) -> Response:
    await service.delete_task(session, principal, task_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
