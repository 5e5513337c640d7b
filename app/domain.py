"""Names shared by every layer: roles and statuses. No ORM, no web, no services, so the
API schemas, the services and the tables can all use them."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    ADMIN = "admin"
    OWNER = "owner"
    ANALYST = "analyst"


class StructureStatus(enum.StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
