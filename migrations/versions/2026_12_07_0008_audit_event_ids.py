"""Audit events written from a journal carry the id they were given when they happened.

Queries, predictions, expectations and exports are recorded in a per-process journal
file first and written to ``audit_events`` in batches (``app.db.audit_journal``). A
batch replayed after a crash must not be written twice: ``event_id`` (unique, null for
events written in the transaction of their action) says which are already in.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("event_id", sa.String(36), nullable=True))
        batch.create_unique_constraint("uq_audit_events_event_id", ["event_id"])


def downgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_constraint("uq_audit_events_event_id", type_="unique")
        batch.drop_column("event_id")
