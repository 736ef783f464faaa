"""The FastAPI application: middleware, problem+json handlers, routers, lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from skyluxse_api.api.idempotency import IdempotencyMiddleware
from skyluxse_api.api.openapi import build_openapi, operation_id
from skyluxse_api.api.problems import install_problem_handlers
from skyluxse_api.api.request_id import RequestIdMiddleware
from skyluxse_api.auth.tokens import TokenVerifier
from skyluxse_api.db.embedded import resolve_database_url
from skyluxse_api.db.engine import create_engine, create_sessionmaker
from skyluxse_api.db.migrations import migration_head
from skyluxse_api.documents.storage import build_storage
from skyluxse_api.health.router import router as health_router
from skyluxse_api.integrations.worker import OutboxWorker
from skyluxse_api.routers import API_ROUTERS
from skyluxse_api.settings import Settings, get_settings

API_DESCRIPTION = """
JSON REST API of SkyLuxse, luxury car rental with chauffeured delivery in Dubai.

Every `/api/v1` call needs `Authorization: Bearer <Supabase access token>`.
Errors are RFC 9457 problem details (`application/problem+json`).
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Starting the embedded server blocks for about a second: keep it off the loop.
        database_url = await asyncio.to_thread(resolve_database_url, settings)
        engine = create_engine(database_url, settings)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        # Zero-config default: the outbox worker runs in this process (production: `worker`).
        worker = OutboxWorker(settings, engine) if settings.run_worker_in_app else None
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                await worker.stop()
            await app.state.token_verifier.aclose()
            await app.state.storage.aclose()
            await engine.dispose()

    app = FastAPI(
        title="SkyLuxse API",
        version="1.0.0",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.token_verifier = TokenVerifier(settings)
    app.state.storage = build_storage(settings)
    app.state.migration_head = migration_head()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["ETag", "X-Request-ID", "Location"],
    )
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(RequestIdMiddleware)
    install_problem_handlers(app)
    app.include_router(health_router)
    for router in API_ROUTERS:
        app.include_router(router)
    app.openapi = lambda: build_openapi(app)  # type: ignore[method-assign]
    return app
