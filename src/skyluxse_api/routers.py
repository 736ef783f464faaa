"""Every `/api/v1` router, in the order they appear in the docs."""

from __future__ import annotations

from fastapi import APIRouter

from skyluxse_api.clients.router import router as clients_router
from skyluxse_api.identity.router import router as identity_router

API_ROUTERS: list[APIRouter] = [
    identity_router,
    clients_router,
]
