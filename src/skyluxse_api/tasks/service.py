"""Tasks: the operations board and each driver's delivery/pickup cards."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from skyluxse_api.api.crud import apply_changes, lock_for_change, one_or_404, refresh_after_write
from skyluxse_api.api.pagination import ListParams, PageResult, paginate
from skyluxse_api.api.problems import Conflict
from skyluxse_api.auth.principal import Principal
from skyluxse_api.auth.scopes import task_scope
from skyluxse_api.models import Task
from skyluxse_api.models.enums import TaskStatus, TaskType
from skyluxse_api.tasks import schemas

TASK_SORTS = {
    "created_at": Task.created_at,
    # Tasks without a deadline sort after every dated one.
    "deadline_at": func.coalesce(Task.deadline_at, literal_column("'infinity'::timestamptz")),
}
# A task moves forward; reopening a done task is an office decision (PATCH by ops).
NEXT_STATUS = {
    TaskStatus.todo: {TaskStatus.inprogress, TaskStatus.done},
    TaskStatus.inprogress: {TaskStatus.done, TaskStatus.todo},
    TaskStatus.done: set(),
}


def _task(principal: Principal, task_id: uuid.UUID) -> Select[Task]:
    return select(Task).where(Task.id == task_id, task_scope(principal))


async def list_tasks(
    session: AsyncSession,
    principal: Principal,
    params: ListParams,
    sort: str,
    status: TaskStatus | None,
    task_type: TaskType | None,
    assignee_driver_id: uuid.UUID | None,
    booking_id: uuid.UUID | None,
) -> PageResult:
    statement = select(Task).where(task_scope(principal))
    for column, value in (
        (Task.status, status),
        (Task.task_type, task_type),
        (Task.assignee_driver_id, assignee_driver_id),
        (Task.booking_id, booking_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    return await paginate(
        session, statement, sort=sort, sort_columns=TASK_SORTS, id_column=Task.id, params=params
    )


async def get_task(session: AsyncSession, principal: Principal, task_id: uuid.UUID) -> Task:
    return await one_or_404(session, _task(principal, task_id), "task")


async def create_task(
    session: AsyncSession, principal: Principal, data: schemas.TaskCreate
) -> Task:
    task = Task(**data.model_dump(exclude_none=True), created_by=principal.staff_id)
    session.add(task)
    await refresh_after_write(session, task)
    return task


async def update_task(
    session: AsyncSession,
    principal: Principal,
    task_id: uuid.UUID,
    changes: schemas.TaskUpdate,
    if_match: str | None,
) -> Task:
    task = await lock_for_change(session, _task(principal, task_id), "task", if_match)
    apply_changes(task, changes)
    await refresh_after_write(session, task)
    return task


async def report_progress(
    session: AsyncSession,
    principal: Principal,
    task_id: uuid.UUID,
    progress: schemas.TaskProgress,
    if_match: str | None,
) -> Task:
    """The assignee moves the task along; the server stamps when it started and ended."""
    task = await lock_for_change(session, _task(principal, task_id), "task", if_match)
    if progress.status != task.status:
        allowed = NEXT_STATUS[task.status]
        if progress.status not in allowed:
            raise Conflict(
                f"A {task.status} task cannot become {progress.status}.",
                extra={"allowed": sorted(allowed)},
            )
        task.status = progress.status
        if progress.status is TaskStatus.inprogress and task.started_at is None:
            task.started_at = func.now()
        if progress.status is TaskStatus.done:
            task.completed_at = func.now()
    if progress.completion_notes is not None:
        task.completion_notes = progress.completion_notes
    await refresh_after_write(session, task)
    return task


async def delete_task(
    session: AsyncSession, principal: Principal, task_id: uuid.UUID, if_match: str | None
) -> None:
    task = await lock_for_change(session, _task(principal, task_id), "task", if_match)
    await session.delete(task)
    await session.flush()
