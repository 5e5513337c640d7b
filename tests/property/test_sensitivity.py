"""Sensitivity claims, checked on neighbouring datasets.

For every kind and both neighbouring relations, the exact statistics of X and of a
neighbour X' (one row added or removed, or one row replaced, including rows pushed to
the domain boundary) differ by at most the L1 and L2 sensitivities the mechanism is
calibrated to. The build clips rows into the domain first, so the check does too.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core.domain import Box, Domain, L2Ball
from core.kinds import KINDS, kind_def
from core.structures import DataSpec, parse_spec
from core.structures.base import Spec

DIM = 4
DOMAINS: list[Domain] = [L2Ball(1.5), Box((-1.0, 0.0, 2.0, -0.5), (1.0, 1.0, 3.0, 0.5))]
PARAMS = {kind: kind_def(kind).example_params for kind in KINDS}  # every registered kind

row = arrays(np.float64, DIM, elements=st.floats(-4, 4, allow_nan=False))
rows = arrays(np.float64, st.tuples(st.integers(1, 12), st.just(DIM)),
              elements=st.floats(-4, 4, allow_nan=False))
to_boundary = st.booleans()


def _stats(spec: Spec, data: np.ndarray) -> dict[str, np.ndarray]:
    clipped = spec.data.domain.clip(data)
    sums = spec.builder(seed=5).accumulate(clipped)
    return {k: np.asarray(v, dtype=np.float64) for k, v in sums.items()}


def _push_to_boundary(domain: Domain, x: np.ndarray) -> np.ndarray:
    """A worst-case row: on the domain's boundary (ball surface or a box corner)."""
    if isinstance(domain, L2Ball):
        norm = np.linalg.norm(x)
        return x * (domain.radius / norm) if norm > 0 else np.r_[domain.radius, np.zeros(DIM - 1)]
    low, high = np.asarray(domain.low), np.asarray(domain.high)
    return np.where(x >= domain.center(DIM), high, low)


def _check(spec: Spec, a: np.ndarray, b: np.ndarray) -> None:
    sa, sb = _stats(spec, a), _stats(spec, b)
    for stat in spec.statistics():
        diff = sa[stat.name] - sb[stat.name]
        assert np.sum(np.abs(diff)) <= stat.l1_sensitivity * (1 + 1e-9) + 1e-9, stat.name
        assert np.linalg.norm(diff) <= stat.l2_sensitivity * (1 + 1e-9) + 1e-9, stat.name


def _specs(neighbouring: str) -> list[Spec]:
    return [parse_spec(kind, params, DataSpec(DIM, domain, neighbouring))  # type: ignore[arg-type]
            for kind, params in PARAMS.items() for domain in DOMAINS]


ADD_REMOVE = _specs("add_remove")
REPLACE_ONE = _specs("replace_one")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=rows, extra=row, boundary=to_boundary, which=st.integers(0, len(ADD_REMOVE) - 1))
def test_adding_or_removing_one_row(data, extra, boundary, which) -> None:
    spec = ADD_REMOVE[which]
    if boundary:
        extra = _push_to_boundary(spec.data.domain, extra)
    _check(spec, np.vstack([data, extra]), data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=rows, new=row, boundary=to_boundary, position=st.integers(0, 11),
       which=st.integers(0, len(REPLACE_ONE) - 1))
def test_replacing_one_row(data, new, boundary, position, which) -> None:
    spec = REPLACE_ONE[which]
    domain = spec.data.domain
    i = position % data.shape[0]
    neighbour = data.copy()
    if boundary:  # opposite corners / antipodal points: the largest possible change
        neighbour[i] = _push_to_boundary(domain, new)
        data = data.copy()
        data[i] = _push_to_boundary(domain, 2 * domain.center(DIM) - new)
    else:
        neighbour[i] = new
    _check(spec, data, neighbour)


def test_the_bounds_are_attained_for_moments() -> None:
    """The moment sensitivities are tight: a boundary row reaches them (so they are not
    loose guesses that a test could never contradict)."""
    spec = parse_spec("sq_l2_distance", {}, DataSpec(DIM, DOMAINS[0], "add_remove"))
    corner = _push_to_boundary(DOMAINS[0], np.ones(DIM))
    sums = _stats(spec, corner[None, :])
    by_name = {s.name: s for s in spec.statistics()}
    assert np.linalg.norm(sums["sum"]) == pytest.approx(by_name["sum"].l2_sensitivity)
    assert sums["sum_sq"][0] == pytest.approx(by_name["sum_sq"].l1_sensitivity)
