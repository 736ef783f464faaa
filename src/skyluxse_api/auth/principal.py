"""Who is calling: a staff account (with its role) or the system (service_role)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from skyluxse_api.auth.permissions import ROLE_PERMISSIONS, SERVICE_PERMISSIONS, Permission
from skyluxse_api.models.enums import ActorType, RoleType


@dataclass(frozen=True)
class Principal:
    staff_id: uuid.UUID | None
    role: RoleType | None
    driver_id: uuid.UUID | None = None
    email: str | None = None
    auth_session_id: str | None = None

    @property
    def is_service(self) -> bool:
        return self.role is None

    @property
    def is_driver(self) -> bool:
        return self.role is RoleType.driver

    @property
    def permissions(self) -> frozenset[Permission]:
        return SERVICE_PERMISSIONS if self.role is None else ROLE_PERMISSIONS[self.role]

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def key(self) -> str:
        """Stable identity for per-principal records (idempotency keys)."""
        return "service" if self.staff_id is None else str(self.staff_id)

    @property
    def actor_type(self) -> ActorType:
        if self.is_service:
            return ActorType.system
        return ActorType.driver if self.is_driver else ActorType.staff


SERVICE_PRINCIPAL = Principal(staff_id=None, role=None)
