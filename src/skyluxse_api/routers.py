"""Every `/api/v1` router, in the order they appear in the docs."""

from __future__ import annotations

from fastapi import APIRouter

from skyluxse_api.bookings.router import router as bookings_router
from skyluxse_api.calendar.router import router as calendar_router
from skyluxse_api.clients.router import router as clients_router
from skyluxse_api.documents.router import router as documents_router
from skyluxse_api.fleet.router import router as fleet_router
from skyluxse_api.identity.router import router as identity_router
from skyluxse_api.integrations.router import router as integrations_router
from skyluxse_api.knowledge.router import router as knowledge_router
from skyluxse_api.tasks.router import router as tasks_router

API_ROUTERS: list[APIRouter] = [
    identity_router,
    clients_router,
    tasks_router,
    fleet_router,
    bookings_router,
    calendar_router,
    documents_router,
    knowledge_router,
    integrations_router,
]
