"""Response shapes of the outbox admin endpoints and the Kommo webhook."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from skyluxse_api.api.schemas import ReadModel, Timestamped
from skyluxse_api.models.enums import (
    OutboxEntityType,
    OutboxEventType,
    OutboxStatus,
    OutboxTarget,
)


class OutboxRowRead(Timestamped):
    id: uuid.UUID
    entity_type: OutboxEntityType
    entity_id: uuid.UUID = Field(description="The client or booking to sync.")
    target_system: OutboxTarget
    event_type: OutboxEventType
    payload: dict[str, Any] = Field(
        description="What the enqueuer noted; the data sent is read from the entity at delivery."
    )
    status: OutboxStatus
    attempts: int = Field(description="Deliveries started so far.")
    last_error: str | None = Field(examples=["Zoho HTTP 503: INTERNAL_ERROR: internal error"])
    next_run_at: datetime = Field(description="When a pending row is due (backoff).")
    locked_until: datetime | None = Field(description="End of the worker's lease while processing.")
    locked_by: str | None = Field(examples=["api-7f9c:4121:a1b2c3"])


class OutboxStats(ReadModel):
    by_status: dict[OutboxStatus, int] = Field(examples=[{"pending": 2, "failed": 1}])
    by_target: dict[OutboxTarget, dict[OutboxStatus, int]] = Field(
        examples=[{"zoho": {"pending": 2, "succeeded": 40}, "kommo": {"failed": 1}}]
    )
    oldest_pending_created_at: datetime | None = Field(
        description="Creation time of the oldest pending row: how far behind delivery is."
    )


class KommoWebhookAck(ReadModel):
    delivery_id: uuid.UUID = Field(description="The stored delivery (kommo_webhook_deliveries).")
    status: Literal["processed", "duplicate", "failed"] = Field(
        description="`duplicate`: the same body was processed before and changed nothing now; "
        "`failed`: stored, but importing it failed (see the delivery's error)."
    )
