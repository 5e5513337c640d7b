"""Solve jobs: a solver problem too large to answer synchronously runs as a job.

A solve job has no structure or dataset, so ``jobs.structure_id`` and
``jobs.dataset_id`` become nullable (every build job still sets both). Its problem and
result live in ``solve_data``, one row per solve job, deleted with the job.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.alter_column("structure_id", existing_type=sa.Uuid(), nullable=True)
        batch.alter_column("dataset_id", existing_type=sa.Uuid(), nullable=True)
    op.create_table(
        "solve_data",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("problem", sa.LargeBinary(), nullable=True),
        sa.Column("result", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("job_id"),
    )


def downgrade() -> None:
    # solve jobs cannot live in the older schema: they go, with their data
    op.drop_table("solve_data")
    op.execute(sa.text("DELETE FROM jobs WHERE structure_id IS NULL OR dataset_id IS NULL"))
    with op.batch_alter_table("jobs") as batch:
        batch.alter_column("dataset_id", existing_type=sa.Uuid(), nullable=False)
        batch.alter_column("structure_id", existing_type=sa.Uuid(), nullable=False)
