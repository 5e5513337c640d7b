"""Expectations: the private rows' mean of a public function, by kernel quadrature on a
ready kernel structure (core/models/expectation.py, docs/expectation.md).

Post-processing of the release: nothing is spent. Read like a query (the structure must
be ready, the key an admin, the dataset's owner or an analyst granted it), priced like
one (413 above ``max_seconds`` of estimated CPU), and audit-recorded like one.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import numpy as np
from numpy.typing import NDArray

from app.errors import PayloadTooLarge
from app.services import audit
from app.services.access import Principal, readable_dataset
from app.services.ports import UnitOfWorkPort
from app.services.structures import ReleaseCache, data_spec, load_for_query
from core.errors import InvalidParameter
from core.models.expectation import (
    Expectation,
    check_kind,
    expectation_seconds,
    kernel_expectation,
)
from core.structures import parse_spec
from core.structures.base import Spec

__all__ = ["expectation"]


def expectation(uow: UnitOfWorkPort, principal: Principal, structure_id: UUID,
                nodes: NDArray[np.float64], values: NDArray[np.float64],
                ridge: float | None, *, cache: ReleaseCache,
                max_seconds: float) -> Expectation:
    """E_P[g] from the values of g at public nodes. A kind whose f is not a kernel is
    refused (core.errors.InvalidParameter, 422) before any work, and so is a request
    estimated above ``max_seconds`` (413)."""
    structure, loaded = load_for_query(uow, principal, structure_id, cache)
    check_kind(structure.kind)
    count = int(nodes.shape[0]) if nodes.ndim == 2 else 0
    seconds = (expectation_seconds(loaded.release, count)
               + count * loaded.seconds_per_point)  # the exact kernel also queries
    if seconds > max_seconds:
        raise PayloadTooLarge(
            f"this expectation would cost about {seconds:.3g} s of CPU, above the limit of "
            f"{max_seconds:g} s (PRIVSIM_MAX_QUERY_SECONDS): send fewer nodes",
            estimated_seconds=seconds, limit_seconds=max_seconds)
    result = kernel_expectation(loaded.release, _spec(uow, principal, structure.dataset_id,
                                                      structure.kind, structure.params),
                                nodes, values, ridge)
    audit.record_later(uow, structure.dataset_id, principal.key_id, "expectation",
                     structure_id=str(structure_id), nodes=count, kernel=result.kernel)
    return result


def _spec(uow: UnitOfWorkPort, principal: Principal, dataset_id: UUID, kind: str,
          params: dict[str, Any]) -> Spec | None:
    """The structure's spec (its exact kernel), or None for parameters that no longer
    parse (a structure built under older ranges: its release's own kernel serves)."""
    with uow() as tx:
        dataset = readable_dataset(tx, principal, dataset_id)
        data = data_spec(dataset)
    try:
        return parse_spec(kind, params, data)
    except InvalidParameter:
        return None
