"""Every kind knows its cost before it runs (``Spec.cost``): the structure of the
estimate, never its timing (bench/cost.py measures that against real builds)."""

from __future__ import annotations

import tracemalloc
from typing import Any

import numpy as np
import pytest

from core.domain import Box, L2Ball
from core.errors import InvalidParameter
from core.kinds import kind_def
from core.privacy.budget import PrivacyBudget
from core.structures import KINDS, DataSpec, build_release, noise_plan, parse_spec
from core.structures.base import Cost

BALL = DataSpec(3, L2Ball(1.0), "add_remove")
# several small builds per kind where one does not exercise every branch of its cost; any
# other registered kind is covered by its example
SMALL: dict[str, list[dict[str, Any]]] = {
    "gaussian_kde": [{"bandwidth": 0.5, "features": 64},
                     {"bandwidth": 0.5, "features": 64, "projection_dim": 2}],
    "rff_baseline": [{"bandwidth": 0.5, "features": 64}],
    "exponential_kde": [{"bandwidth": 0.5, "features": 32, "precision": "float64"}],
    "laplace_kde": [{"bandwidth": 0.5, "features": 32}],
    "cauchy_kde": [{"bandwidth": 0.5, "features": 16, "terms": 3},
                   {"bandwidth": 0.5, "features": 16, "terms": 2, "projection_dim": 2}],
    "l1_distance": [{"grid_levels": 4}, {"grid_levels": 5, "estimator": "banded"}],
    "l2_distance": [{"grid_levels": 3, "projection_dim": 8},
                    {"grid_levels": 3, "projection_dim": 4, "estimator": "banded"}],
    "sq_l2_distance": [{}, {"mechanism": "gaussian"}],
    "inner_product": [{}],
    "relu_nngp": [{"features": 64}, {"features": 32, "clip": 0.1, "mechanism": "gaussian"}],
    "relu_ntk": [{"features": 32, "tangent_features": 16},
                 {"features": 16, "tangent_features": 32, "mechanism": "gaussian"}],
}
CASES = [(kind, params) for kind in KINDS
         for params in SMALL.get(kind, [dict(kind_def(kind).example_params)])]
REVIEW_BANDED = {"estimator": "banded", "alpha": 0.01, "grid_levels": 20}


def _cost(kind: str, params: dict[str, Any], data: DataSpec = BALL, rows: int = 1_000,
          chunk_rows: int = 65_536) -> Cost:
    return parse_spec(kind, params, data).cost(rows, chunk_rows)


@pytest.mark.parametrize(("kind", "params"), CASES)
def test_release_bytes_are_the_built_release_arrays(kind: str, params: dict[str, Any]) -> None:
    spec = parse_spec(kind, params, BALL)
    mechanism = params.get("mechanism", "laplace")
    plan = noise_plan(spec, PrivacyBudget(1.0, 1e-6 if mechanism == "gaussian" else 0.0))
    rows = L2Ball(1.0).clip(np.random.default_rng(0).standard_normal((20, 3)))
    release = build_release(spec, seed=3, plan=plan, chunks=[rows])
    cost = spec.cost(20, 65_536)
    stored = sum(a.nbytes for a in release.arrays().values())
    assert cost.release_bytes == spec.release_bytes() == stored
    # every noisy statistic's values, as the plan draws them
    assert cost.noise_values == sum(s.size for s in plan.specs if s.mechanism != "none")


@pytest.mark.parametrize(("kind", "params"), CASES)
def test_cost_is_positive_finite_and_serialisable(kind: str, params: dict[str, Any]) -> None:
    cost = _cost(kind, params)
    assert cost.build_seconds > 0 and cost.query_seconds_per_point > 0
    assert cost.build_memory_bytes >= cost.release_bytes > 0
    values = cost.to_dict()
    assert set(values) == {"release_bytes", "build_memory_bytes", "build_seconds",
                           "noise_values", "query_seconds_per_point"}
    assert all(np.isfinite(v) for v in values.values())
    assert isinstance(values["release_bytes"], int) and isinstance(values["noise_values"], int)


@pytest.mark.parametrize(("kind", "params"), CASES)
def test_cost_grows_with_rows_and_never_shrinks_with_smaller_chunks(
        kind: str, params: dict[str, Any]) -> None:
    costs = [_cost(kind, params, rows=n) for n in (0, 1_000, 100_000, 10**10)]
    seconds = [c.build_seconds for c in costs]
    assert seconds == sorted(seconds) and seconds[0] < seconds[-1]
    assert len({c.release_bytes for c in costs}) == 1  # the release does not grow with n
    assert len({c.query_seconds_per_point for c in costs}) == 1
    big, small = (_cost(kind, params, rows=1_000_000, chunk_rows=c) for c in (65_536, 1_024))
    assert small.build_seconds >= big.build_seconds
    assert small.build_memory_bytes <= big.build_memory_bytes  # smaller chunks, less held


@pytest.mark.parametrize("kind", ["gaussian_kde", "exponential_kde", "laplace_kde",
                                  "rff_baseline", "cauchy_kde"])
def test_cost_grows_with_features(kind: str) -> None:
    costs = [_cost(kind, {"bandwidth": 0.5, "features": m}) for m in (64, 1_024, 16_384)]
    for field in ("release_bytes", "build_memory_bytes", "build_seconds", "noise_values",
                  "query_seconds_per_point"):
        values = [getattr(c, field) for c in costs]
        assert values == sorted(values) and values[0] < values[-1], field


def test_cost_grows_with_terms_and_projection_dim() -> None:
    terms = [_cost("cauchy_kde", {"bandwidth": 0.5, "features": 256, "terms": t})
             for t in (1, 4, 16)]
    assert [c.build_seconds for c in terms] == sorted(c.build_seconds for c in terms)
    assert terms[0].noise_values < terms[1].noise_values < terms[2].noise_values
    wide = DataSpec(512, L2Ball(1.0), "add_remove")
    k = [_cost("gaussian_kde", {"bandwidth": 0.5, "projection_dim": p}, wide)
         for p in (4, 64, 256)]
    assert k[0].query_seconds_per_point < k[1].query_seconds_per_point \
        < k[2].query_seconds_per_point
    l2 = [_cost("l2_distance", {"projection_dim": p}) for p in (16, 128, 1024)]
    assert l2[0].build_seconds < l2[1].build_seconds < l2[2].build_seconds
    assert l2[0].release_bytes < l2[1].release_bytes < l2[2].release_bytes


@pytest.mark.parametrize("estimator", ["prefix", "banded"])
@pytest.mark.parametrize("kind", ["l1_distance", "l2_distance"])
def test_cost_grows_with_grid_levels(kind: str, estimator: str) -> None:
    costs = [_cost(kind, {"grid_levels": g, "estimator": estimator}, rows=100)
             for g in (4, 10, 16)]
    for field in ("release_bytes", "build_memory_bytes", "build_seconds", "noise_values",
                  "query_seconds_per_point"):
        values = [getattr(c, field) for c in costs]
        assert values[0] < values[1] < values[2], field


def test_cost_grows_as_alpha_shrinks() -> None:
    """1/alpha drives the sizes: features (kernels), levels and bands (banded l1),
    projection_dim (l2_distance)."""
    for kind, extra in (("gaussian_kde", {"bandwidth": 0.5}), ("rff_baseline", {"bandwidth": 0.5}),
                        ("cauchy_kde", {"bandwidth": 0.5}), ("l1_distance", {}),
                        ("l2_distance", {}), ("l1_distance", {"estimator": "banded"})):
        costs = [_cost(kind, {"alpha": a, **extra}) for a in (0.5, 0.1, 0.02)]
        seconds = [c.build_seconds for c in costs]
        queries = [c.query_seconds_per_point for c in costs]
        assert seconds[0] < seconds[2] and seconds == sorted(seconds), (kind, extra)
        assert queries[0] < queries[2] and queries == sorted(queries), (kind, extra)
    # on a fixed grid the banded estimator's alpha sets its bands: the query's cost
    fixed = [_cost("l1_distance", {"estimator": "banded", "grid_levels": 12, "alpha": a})
             for a in (0.5, 0.1, 0.02, 0.001)]
    assert len({c.build_seconds for c in fixed}) == 1
    queries = [c.query_seconds_per_point for c in fixed]
    assert queries == sorted(queries) and queries[-1] > 10 * queries[0]


def test_gaussian_noise_costs_more_than_laplace_and_replace_one_draws_no_count() -> None:
    laplace, gaussian = (_cost("l1_distance", {"grid_levels": 8, "mechanism": m})
                         for m in ("laplace", "gaussian"))
    assert laplace.noise_values == gaussian.noise_values
    assert gaussian.build_seconds > laplace.build_seconds
    replace = DataSpec(3, L2Ball(1.0), "replace_one")
    assert (_cost("sq_l2_distance", {}, replace).noise_values
            == _cost("sq_l2_distance", {}).noise_values - 1)


def test_the_reviews_banded_l1_case_is_known_to_be_expensive() -> None:
    """The review's request: 51 rows at d = 3, banded, alpha 0.01, 20 levels: built for
    130 s, used 2 GB and wrote 50 MB; the cost says so before anything runs. (Its 6.3
    million noise values now draw several times faster, on the lattice and on every core:
    still over a minute by the cost.)"""
    cost = parse_spec("l1_distance", REVIEW_BANDED, BALL).cost(51, 65_536)
    assert cost.noise_values == 3 * (2**21 - 1)
    assert cost.release_bytes > 40e6
    assert cost.build_seconds > 60
    assert cost.build_memory_bytes > 1e9  # the noise alone: hundreds of bytes a value
    assert cost.query_seconds_per_point > 1e-3  # ~1,000 bands x 20 levels x 3 coordinates


@pytest.mark.parametrize(("kind", "params", "dim"), [
    ("gaussian_kde", {"bandwidth": 1.0, "features": 65_536}, 65_536),
    ("rff_baseline", {"bandwidth": 1.0, "features": 65_536}, 65_536),
    ("cauchy_kde", {"bandwidth": 1.0, "features": 8_192, "terms": 32}, 65_536),
    ("l1_distance", {"grid_levels": 20}, 15),
    ("l2_distance", {"grid_levels": 20, "projection_dim": 15}, 65_536),
    ("l2_distance", {"grid_levels": 10, "projection_dim": 4_000}, 8_192),
])
def test_cost_allocates_nothing_of_the_structure(kind: str, params: dict[str, Any],
                                                 dim: int) -> None:
    """The largest structures (terabytes) are costed from their parameters alone."""
    spec = parse_spec(kind, params, DataSpec(dim, L2Ball(1.0), "add_remove"))
    tracemalloc.start()
    try:
        cost = spec.cost(10**10, 65_536)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20
    assert cost.build_memory_bytes > 2**30 and cost.build_seconds > 3600


def test_a_projection_to_thousands_of_dimensions_counts_its_qr() -> None:
    """Orthogonal frequencies draw one k x k QR per k frequencies however few are used:
    at d = 4096 without projection that is the build's largest fixed cost."""
    small, large = (_cost("gaussian_kde", {"bandwidth": 1.0, "features": 64},
                          DataSpec(d, L2Ball(1.0), "add_remove"), rows=1) for d in (64, 4_096))
    assert large.build_seconds > 10 * small.build_seconds
    assert large.build_memory_bytes > 3 * 8 * 4_096**2


def test_cost_refuses_negative_rows_and_empty_chunks() -> None:
    spec = parse_spec("sq_l2_distance", {}, BALL)
    for rows, chunk in ((-1, 10), (10, 0)):
        with pytest.raises(InvalidParameter):
            spec.cost(rows, chunk)


def test_cost_on_a_box() -> None:
    box = DataSpec(2, Box((0.0, -1.0), (1.0, 3.0)), "add_remove")
    for kind in KINDS:
        params = {"bandwidth": 0.5} if kind in ("gaussian_kde", "rff_baseline",
                                                 "exponential_kde", "laplace_kde",
                                                 "cauchy_kde") else {}
        if kind == "vmf_kde":  # its one required parameter
            params = {"kappa": 4.0}
        assert parse_spec(kind, params, box).cost(100, 10).build_seconds > 0
