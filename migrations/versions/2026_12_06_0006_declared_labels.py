"""A labelled dataset's public label set: ``classes`` (a classifier's integer labels) or
``label_range`` ([lo, hi], a regressor's), declared at creation like the domain, so
which classes exist never depends on the data. Both nullable: unlabelled datasets have
neither, and labelled datasets created before this revision have neither until they
are recreated (a model build on one is refused with the reason).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("datasets") as batch:
        batch.add_column(sa.Column("classes", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("label_range", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("datasets") as batch:
        batch.drop_column("label_range")
        batch.drop_column("classes")
