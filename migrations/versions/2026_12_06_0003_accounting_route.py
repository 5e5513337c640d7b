"""The composition route of each dataset, fixed at its creation (``datasets.accounting``).

Until now every charge took the cheapest of several composition routes, which is not
shown valid under adaptive choices of builds. Each dataset now has one route. Existing
datasets get the default a new dataset would get: ``basic`` where the budget's delta is
0, ``zcdp`` otherwise (docs/privacy/mechanisms.md#accounting). Their past spends are
recounted by that route from now on, so a dataset may show more spent than before.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("datasets") as batch:
        batch.add_column(sa.Column("accounting", sa.String(length=16), nullable=True))
    datasets = sa.table("datasets", sa.column("accounting", sa.String()),
                        sa.column("delta_total", sa.BigInteger()))
    op.execute(datasets.update().values(
        # the default route; a dataset whose spends fit only by another route shows as
        # spent and takes no more builds (the safe direction)
        accounting="basic"))
    with op.batch_alter_table("datasets") as batch:
        batch.alter_column("accounting", existing_type=sa.String(length=16), nullable=False)
        batch.create_check_constraint("accounting_route", "accounting IN ('basic', 'zcdp')")


def downgrade() -> None:
    with op.batch_alter_table("datasets") as batch:
        batch.drop_constraint(op.f("ck_datasets_accounting_route"), type_="check")
        batch.drop_column("accounting")
