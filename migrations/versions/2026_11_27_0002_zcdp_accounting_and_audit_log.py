"""zCDP accounting counters on datasets and ledger entries; the audit log.

The spent <= total check constraints go: with zCDP accounting the summed epsilons may
exceed the total while the converted cost fits, so the check is made in code under a
row lock. Existing ledger entries get their zCDP counters from the mechanism each one
recorded (Laplace: its epsilon, and epsilon^2 / 2 as rho; Gaussian: the sum of its
statistics' rho), refunds the negation of their spend's, and datasets the sums.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COUNTERS = ("pure_epsilon", "rho", "pure_rho")


def upgrade() -> None:
    with op.batch_alter_table("datasets") as batch:
        batch.drop_constraint(op.f("ck_datasets_epsilon_within_budget"), type_="check")
        batch.drop_constraint(op.f("ck_datasets_delta_within_budget"), type_="check")
        for name in _COUNTERS:
            batch.add_column(sa.Column(f"{name}_spent", sa.BigInteger(), nullable=False,
                                       server_default="0"))
        batch.create_check_constraint(
            "spent_not_negative",
            "epsilon_spent >= 0 AND delta_spent >= 0 AND pure_epsilon_spent >= 0 "
            "AND rho_spent >= 0 AND pure_rho_spent >= 0")
    with op.batch_alter_table("ledger_entries") as batch:
        for name in _COUNTERS:
            batch.add_column(sa.Column(name, sa.BigInteger(), nullable=False,
                                       server_default="0"))
    _backfill()
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=True, nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.id"],
                                name=op.f("fk_audit_events_dataset_id_datasets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_dataset", "audit_events", ["dataset_id", "id"])


def _ceil(value: Decimal, unit: str) -> int:
    return int((value / Decimal(unit)).to_integral_value(rounding=ROUND_CEILING))


def _counters(epsilon: int, mechanism: dict[str, Any]) -> tuple[int, int, int]:
    """(pure_epsilon, rho, pure_rho) of one spend, from what its ledger entry recorded."""
    if mechanism.get("mechanism") == "gaussian":
        rho = sum(Decimal(repr(float(s.get("rho", 0.0)))) for s in mechanism["statistics"])
        return 0, _ceil(rho, "1e-12"), 0
    eps = Decimal(epsilon) * Decimal("1e-9")
    return epsilon, 0, _ceil(eps * eps / 2, "1e-12")


def _backfill() -> None:
    bind = op.get_bind()
    ledger = sa.table("ledger_entries", sa.column("id"), sa.column("dataset_id"),
                      sa.column("structure_id"), sa.column("entry"), sa.column("epsilon"),
                      sa.column("mechanism"), *(sa.column(n) for n in _COUNTERS))
    datasets = sa.table("datasets", sa.column("id"),
                        *(sa.column(f"{n}_spent") for n in _COUNTERS))
    rows = bind.execute(sa.select(ledger.c.id, ledger.c.dataset_id, ledger.c.structure_id,
                                  ledger.c.entry, ledger.c.epsilon, ledger.c.mechanism)
                        .order_by(ledger.c.id)).all()
    by_structure: dict[Any, tuple[int, int, int]] = {}
    totals: dict[Any, list[int]] = {}
    for row in rows:
        mechanism = row.mechanism if isinstance(row.mechanism, dict) else json.loads(
            row.mechanism)
        if row.entry == "spend":
            counters = _counters(row.epsilon, mechanism)
            by_structure[row.structure_id] = counters
        else:
            counters = tuple(-c for c in by_structure.get(row.structure_id, (0, 0, 0)))
        bind.execute(ledger.update().where(ledger.c.id == row.id).values(
            dict(zip(_COUNTERS, counters, strict=True))))
        sums = totals.setdefault(row.dataset_id, [0, 0, 0])
        for i, value in enumerate(counters):
            sums[i] += value
    for dataset_id, sums in totals.items():
        bind.execute(datasets.update().where(datasets.c.id == dataset_id).values(
            {f"{n}_spent": v for n, v in zip(_COUNTERS, sums, strict=True)}))


def downgrade() -> None:
    op.drop_index("ix_audit_events_dataset", table_name="audit_events")
    op.drop_table("audit_events")
    with op.batch_alter_table("ledger_entries") as batch:
        for name in _COUNTERS:
            batch.drop_column(name)
    with op.batch_alter_table("datasets") as batch:
        batch.drop_constraint(op.f("ck_datasets_spent_not_negative"), type_="check")
        for name in _COUNTERS:
            batch.drop_column(f"{name}_spent")
        batch.create_check_constraint("epsilon_within_budget",
                                      "epsilon_spent >= 0 AND epsilon_spent <= epsilon_total")
        batch.create_check_constraint("delta_within_budget",
                                      "delta_spent >= 0 AND delta_spent <= delta_total")
