"""Every setting of the service, read from the environment or `.env` (environment wins)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def to_asyncpg_url(url: str) -> str:
    """Accept the `postgresql://` form hosting providers print and use the asyncpg driver."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError("DATABASE_URL must start with postgresql:// or postgresql+asyncpg://")


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # --- database ---------------------------------------------------------------
    database_url: str | None = None
    data_dir: Path = Path(".data")
    db_pool_size: int = 10
    db_max_overflow: int = 10

    # --- HTTP ---------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 8000
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://localhost:5173", "http://127.0.0.1:5173"]
    )
    log_level: str = "INFO"
    seed_demo_data: bool = True

    # --- Supabase Auth tokens -------------------------------------------------------
    supabase_url: str | None = None
    supabase_jwt_secret: str = "dev-only-secret-change-me-0123456789abcdef"
    supabase_service_key: str | None = None
    jwt_audience: str = "authenticated"
    jwt_issuer: str | None = None
    jwt_leeway_seconds: int = 30
    jwks_cache_seconds: int = 600

    # --- documents ---------------------------------------------------------------
    storage_backend: Literal["local", "supabase"] = "local"
    storage_bucket: str = "documents"
    max_upload_bytes: int = 25 * 1024 * 1024
    allowed_upload_types: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: [
            "application/pdf",
            "image/jpeg",
            "image/png",
            "image/heic",
            "image/webp",
            "video/mp4",
            "video/quicktime",
            "text/plain",
        ]
    )

    # --- bookings ------------------------------------------------------------------
    turnaround_buffer_minutes: int = 60
    sla_due_soon_minutes: int = 15

    # --- integrations outbox ------------------------------------------------------
    run_worker_in_app: bool = True
    outbox_batch_size: int = 10
    outbox_max_attempts: int = 10
    outbox_lease_seconds: int = 60
    outbox_poll_seconds: float = 5.0
    outbox_backoff_base_seconds: float = 2.0
    outbox_backoff_max_seconds: float = 3600.0
    # On shutdown, deliveries in flight get this long to finish before their rows are released.
    outbox_shutdown_grace_seconds: float = 5.0
    # How often the worker refreshes client segments and vehicle utilization; 0 turns it off.
    metrics_refresh_hours: float = 24.0

    zoho_accounts_url: str = "https://accounts.zoho.com"
    zoho_client_id: str | None = None
    zoho_client_secret: str | None = None
    zoho_refresh_token: str | None = None
    zoho_api_version: int = 8
    zoho_timeout_seconds: float = 10.0
    # Zoho product every sales order line names (Zoho line items must reference a product).
    zoho_default_product_id: str | None = None
    # Send the booking's currency with its sales order (Zoho orgs with multi-currency only).
    zoho_multi_currency: bool = False

    kommo_subdomain: str | None = None
    kommo_base_url: str | None = None
    kommo_access_token: str | None = None
    # OAuth 2.0 instead of a long-lived token (used only while KOMMO_ACCESS_TOKEN is unset).
    # The refresh token is the one from authorizing the integration; Kommo rotates it on each
    # refresh, and the live pair is then kept in the `integration_credentials` table.
    kommo_client_id: str | None = None
    kommo_client_secret: str | None = None
    kommo_refresh_token: str | None = None
    kommo_redirect_uri: str | None = None
    kommo_rate_limit_per_second: float = 7.0
    kommo_timeout_seconds: float = 10.0
    kommo_webhook_secret: str | None = None
    kommo_status_map: dict[str, str] = Field(default_factory=dict)
    # Kommo lead custom field id -> the booking field it fills on import.
    kommo_lead_field_map: dict[str, Literal["vehicle", "start_at", "end_at"]] = Field(
        default_factory=dict
    )

    @field_validator("cors_origins", "allowed_upload_types", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str | None) -> str | None:
        return to_asyncpg_url(value) if value else None

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "storage"

    @property
    def zoho_configured(self) -> bool:
        return bool(self.zoho_client_id and self.zoho_client_secret and self.zoho_refresh_token)

    @property
    def kommo_api_base(self) -> str | None:
        account = self._kommo_account_url
        return f"{account}/api/v4/" if account else None

    @property
    def kommo_token_url(self) -> str | None:
        account = self._kommo_account_url
        return f"{account}/oauth2/access_token" if account else None

    @property
    def kommo_oauth_configured(self) -> bool:
        return bool(
            self.kommo_client_id
            and self.kommo_client_secret
            and self.kommo_refresh_token
            and self.kommo_redirect_uri
        )

    @property
    def _kommo_account_url(self) -> str | None:
        if self.kommo_base_url:
            return self.kommo_base_url.rstrip("/")
        if self.kommo_subdomain:
            return f"https://{self.kommo_subdomain}.kommo.com"
        return None


@lru_cache
def get_settings() -> Settings:
    return Settings()
