# syntax=docker/dockerfile:1
# Production image: migrations, then uvicorn. DATABASE_URL must be set (no embedded DB).

FROM python:3.11-slim AS build
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY pyproject.toml constraints.txt README.md ./
COPY src ./src
RUN /opt/venv/bin/pip install -c constraints.txt .

FROM python:3.11-slim AS runtime
RUN useradd --create-home --uid 10001 skyluxse
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY alembic.ini ./
COPY alembic ./alembic
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 HOST=0.0.0.0 PORT=8000 \
    RUN_WORKER_IN_APP=false SEED_DEMO_DATA=false
USER skyluxse
EXPOSE 8000
CMD ["sh", "-c", "skyluxse-api migrate && exec uvicorn skyluxse_api.app:create_app --factory --host \"$HOST\" --port \"$PORT\" --proxy-headers"]
