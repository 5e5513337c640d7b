"""Idempotent build requests: a job stores the ``Idempotency-Key`` it was requested with.

``requested_by`` (the API key that sent the request), ``idempotency_key``,
``request_sha256`` (of the request's canonical form) and ``response`` (the answer
given), unique per sender and key. Existing jobs have none.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("requested_by", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("idempotency_key", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("request_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("response", sa.JSON(), nullable=True))
        batch.create_unique_constraint("uq_jobs_idempotency",
                                       ["requested_by", "idempotency_key"])


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_constraint("uq_jobs_idempotency", type_="unique")
        batch.drop_column("response")
        batch.drop_column("request_sha256")
        batch.drop_column("idempotency_key")
        batch.drop_column("requested_by")
