"""Tasks: the board's CRUD and a driver's progress reports on their own cards."""

from __future__ import annotations

import httpx

from tests.conftest import StaffFactory


async def test_ops_creates_and_driver_progresses_own_task(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    ops, driver = await make_staff("operations"), await make_staff("driver")
    created = await client.post(
        "/api/v1/tasks",
        json={
            "task_type": "delivery",
            "title": "Deliver the Ghost",
            "sla_minutes": 30,
            "assignee_driver_id": str(driver["driver_id"]),
            "deadline_at": "2026-11-26T18:00:00+04:00",
        },
        headers=ops["headers"],
    )
    assert created.status_code == 201, created.text
    task_id = created.json()["id"]

    mine = (await client.get("/api/v1/tasks", headers=driver["headers"])).json()["items"]
    assert [task["id"] for task in mine] == [task_id]

    started = await client.post(
        f"/api/v1/tasks/{task_id}/progress",
        json={"status": "inprogress"},
        headers=driver["headers"],
    )
    assert started.status_code == 200
    assert started.json()["started_at"] is not None
    done = await client.post(
        f"/api/v1/tasks/{task_id}/progress",
        json={"status": "done", "completion_notes": "Handed over, client signed"},
        headers=driver["headers"],
    )
    assert done.json()["status"] == "done"
    assert done.json()["completed_at"] is not None
    reopened = await client.post(
        f"/api/v1/tasks/{task_id}/progress", json={"status": "todo"}, headers=driver["headers"]
    )
    assert reopened.status_code == 409
    assert reopened.json()["allowed"] == []


async def test_driver_cannot_edit_or_see_other_tasks(
    client: httpx.AsyncClient, make_staff: StaffFactory
) -> None:
    ops, driver, other = (
        await make_staff("operations"),
        await make_staff("driver"),
        await make_staff("driver"),
    )
    theirs = (
        await client.post(
            "/api/v1/tasks",
            json={
                "task_type": "pickup",
                "title": "Theirs",
                "assignee_driver_id": str(other["driver_id"]),
            },
            headers=ops["headers"],
        )
    ).json()["id"]
    assert (
        await client.get(f"/api/v1/tasks/{theirs}", headers=driver["headers"])
    ).status_code == 404
    progress = await client.post(
        f"/api/v1/tasks/{theirs}/progress", json={"status": "done"}, headers=driver["headers"]
    )
    assert progress.status_code == 404
    edit = await client.patch(
        f"/api/v1/tasks/{theirs}", json={"title": "x"}, headers=other["headers"]
    )
    assert edit.status_code == 403
    sales = await make_staff("sales")
    assert (
        await client.get(f"/api/v1/tasks/{theirs}", headers=sales["headers"])
    ).status_code == 200
