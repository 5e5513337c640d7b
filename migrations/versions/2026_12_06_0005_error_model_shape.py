"""Every structure's ``error_model`` in the shape shared by all kinds.

Builds until now stored one flat mapping whose keys depended on the kind (the moment
kinds had ``sum_noise_std`` and no ``noise_std_sum``). Each stored model is rewritten
to ``{noise_std_sum, count_noise_std, approximation_std_mean, details}`` by
``core.structures.base.upgrade_error_model``, with the numbers a fresh build of the same
structure reports (the moment kinds' ``noise_std_sum`` from their stored stds and the
dataset's public dim, domain and neighbouring relation). No column changes.

The downgrade flattens the details back into the mapping, leaving out the
``noise_std_sum`` that the moment kinds did not store.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from core.domain import domain_from_dict
from core.structures.base import DataSpec, upgrade_error_model

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENT_KINDS = ("sq_l2_distance", "inner_product")

structures = sa.table("structures", sa.column("id", sa.Uuid()), sa.column("kind", sa.String()),
                      sa.column("dataset_id", sa.Uuid()), sa.column("error_model", sa.JSON()))
datasets = sa.table("datasets", sa.column("id", sa.Uuid()), sa.column("dim", sa.Integer()),
                    sa.column("domain", sa.JSON()), sa.column("neighbouring", sa.String()))


def _stored() -> list[Any]:
    query = (sa.select(structures.c.id, structures.c.kind, structures.c.error_model,
                       datasets.c.dim, datasets.c.domain, datasets.c.neighbouring)
             .join(datasets, datasets.c.id == structures.c.dataset_id)
             .where(structures.c.error_model.is_not(None)))
    return list(op.get_bind().execute(query))


def _store(structure_id: Any, model: dict[str, Any]) -> None:
    op.get_bind().execute(structures.update().where(structures.c.id == structure_id)
                          .values(error_model=model))


def upgrade() -> None:
    for row in _stored():
        stored = row.error_model
        if not isinstance(stored, dict) or "details" in stored:
            continue
        data = DataSpec(row.dim, domain_from_dict(row.domain, row.dim), row.neighbouring)
        _store(row.id, upgrade_error_model(row.kind, stored, data))


def downgrade() -> None:
    for row in _stored():
        model = row.error_model
        if not isinstance(model, dict) or "details" not in model:
            continue
        flat = {key: value for key, value in model.items() if key != "details"}
        if row.kind in _MOMENT_KINDS:
            flat.pop("noise_std_sum", None)
        _store(row.id, {**flat, **model["details"]})
