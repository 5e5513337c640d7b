"""Every allowed input gives a finite answer or a clean refusal.

The outside review's findings, one regression each (every one failed before the
ranges below existed), then a property test: on domains at the extremes of the allowed
range (core.domain: scale 1e-12 to 1e12), every kind and mechanism answers queries at
the extremes of the allowed query range (core.structures.base.MAX_QUERY_MAGNITUDE) with
finite values, std and approximation_std.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.domain import MAX_DOMAIN_SCALE, MIN_DOMAIN_SCALE, Box, Domain, L2Ball, domain_from_dict
from core.errors import IncompatibleArrays, InvalidParameter
from core.kinds import kind_def
from core.privacy.budget import PrivacyBudget
from core.structures import KINDS, DataSpec, build_release, noise_plan, parse_spec
from core.structures.base import MAX_DIM, MAX_QUERY_MAGNITUDE
from core.structures.params import MAX_BANDWIDTH, MIN_ALPHA, MIN_BANDWIDTH
from tests.kinds import small_params

KERNEL_KINDS = tuple(kind for kind in KINDS  # every registered kind with a bandwidth
                     if "bandwidth" in {p.name for p in kind_def(kind).param_defs})
ALPHA_KINDS = tuple(kind for kind in KINDS
                    if "alpha" in {p.name for p in kind_def(kind).param_defs})
BALL3 = DataSpec(3, L2Ball(1.0), "add_remove")


def _params(kind: str, **extra: Any) -> dict[str, Any]:
    params = small_params(kind)
    if kind in KERNEL_KINDS:
        params["bandwidth"] = 0.5
    return params | extra


def _budget(mechanism: str, epsilon: float = 1.0) -> PrivacyBudget:
    return PrivacyBudget(epsilon, 1e-6 if mechanism == "gaussian" else 0.0)


def _build(kind: str, params: dict[str, Any], data: DataSpec, rows: np.ndarray,
           epsilon: float = 1.0) -> Any:
    spec = parse_spec(kind, params, data)
    plan = noise_plan(spec, _budget(spec.mechanism, epsilon))
    return build_release(spec, seed=5, plan=plan, chunks=[rows])


def _assert_finite(release: Any, points: np.ndarray) -> None:
    for reduce in ("sum", "mean"):
        values, std, approx = release.query(points, reduce)
        for name, array in (("values", values), ("std", std), ("approximation_std", approx)):
            assert np.all(np.isfinite(array)), (release.kind, reduce, name, array)


# --- the review's findings ----------------------------------------------------------------

@pytest.mark.parametrize("alpha", [1e300, 1.5, 0.0, -1.0, 1e-200, math.inf, math.nan])
@pytest.mark.parametrize("kind", ALPHA_KINDS)
def test_alpha_outside_its_range_is_refused(kind: str, alpha: float) -> None:
    """alpha 1e300 gave a 500 (1/alpha^2 overflowed in the kernels' sizes; cauchy_kde
    built 0 features), alpha 1e-200 divided by zero; alpha > 1 asked for nothing."""
    with pytest.raises(InvalidParameter, match=r"params\.alpha"):
        parse_spec(kind, _params(kind, alpha=alpha), BALL3)


@pytest.mark.parametrize("kind", ALPHA_KINDS)
def test_alpha_at_the_ends_of_its_range_is_accepted(kind: str) -> None:
    for alpha in (MIN_ALPHA, 1.0):
        params = {k: v for k, v in _params(kind).items() if k in ("bandwidth", "kappa")}
        parse_spec(kind, params | {"alpha": alpha}, BALL3)


def test_banded_alpha_below_its_floor_is_refused() -> None:
    with pytest.raises(InvalidParameter, match=r"params\.alpha"):
        parse_spec("l1_distance", {"estimator": "banded", "alpha": 1e-4}, BALL3)
    parse_spec("l1_distance", {"estimator": "banded", "alpha": 1e-3}, BALL3)


@pytest.mark.parametrize("bandwidth", [1e19, 1e60, 1e300, 1e-19, 1e-250, 5e-324])
@pytest.mark.parametrize("kind", KERNEL_KINDS)
def test_bandwidth_outside_its_range_is_refused(kind: str, bandwidth: float) -> None:
    """A bandwidth of 1e60 queried at 1e50 answered NaN (float32 queries overflowed);
    such bandwidths are a constant kernel on every allowed domain."""
    with pytest.raises(InvalidParameter, match=r"params\.bandwidth"):
        parse_spec(kind, _params(kind, bandwidth=bandwidth), BALL3)


@pytest.mark.parametrize("domain", [
    {"type": "l2_ball", "radius": 1e100}, {"type": "l2_ball", "radius": 1e-300},
    {"type": "l2_ball", "radius": 2e12}, {"type": "l2_ball", "radius": 5e-13},
    {"type": "box", "low": -1e100, "high": 1e100}, {"type": "box", "low": 0, "high": 2e12},
    {"type": "box", "low": 1.0, "high": 1.0 + 1e-13},
    {"type": "box", "low": [0, -2e12, 0], "high": 1},
])
def test_domains_where_arithmetic_could_overflow_are_refused(domain: dict[str, Any]) -> None:
    """sq_l2_distance and inner_product on a ball of radius 1e100 or a box of +-1e100
    overflowed (500); radius 1e-300 divided by zero (500). The detail gives the range."""
    with pytest.raises(InvalidParameter, match="1e-12") as refused:
        domain_from_dict(domain, 3)
    assert "1e+12" in str(refused.value)


@pytest.mark.parametrize("domain", [L2Ball(MAX_DOMAIN_SCALE), L2Ball(MIN_DOMAIN_SCALE),
                                    Box.uniform(-MAX_DOMAIN_SCALE, MAX_DOMAIN_SCALE, 3),
                                    Box.uniform(5.0, 5.0 + MIN_DOMAIN_SCALE * 4, 3)])
@pytest.mark.parametrize("kind", ["sq_l2_distance", "inner_product"])
def test_moments_on_the_extreme_domains_are_finite(kind: str, domain: Domain) -> None:
    data = DataSpec(3, domain, "add_remove")
    far = np.array([[1e300, -1e300, 0.0], [0.0, 0.0, 0.0], [5e-324, 1.0, -1.0]])
    release = _build(kind, {}, data, far)
    assert all(np.all(np.isfinite(a)) for a in release.arrays().values())
    _assert_finite(release, np.array([[MAX_QUERY_MAGNITUDE] * 3, [-MAX_QUERY_MAGNITUDE] * 3,
                                      [0.0, 0.0, 0.0]]))


def test_sq_l2_at_the_widest_dataset_and_the_smallest_epsilon_is_finite() -> None:
    """The tightest case of the derivation in core.domain: ||y - c||^2 <= d (Q + D)^2
    with d = 65,536, times the count's noise std at epsilon 1e-9."""
    data = DataSpec(MAX_DIM, Box.uniform(-MAX_DOMAIN_SCALE, MAX_DOMAIN_SCALE, MAX_DIM),
                    "add_remove")
    release = _build("sq_l2_distance", {}, data, np.full((2, MAX_DIM), 1e300), epsilon=1e-9)
    _assert_finite(release, np.stack([np.full(MAX_DIM, MAX_QUERY_MAGNITUDE),
                                      np.full(MAX_DIM, -MAX_QUERY_MAGNITUDE)]))


@pytest.mark.parametrize("magnitude", [1e16, 1e50, 1e100, 1e300])
@pytest.mark.parametrize("kind", KINDS)
def test_queries_beyond_the_allowed_magnitude_are_refused(kind: str, magnitude: float) -> None:
    """sq_l2_distance at 1e100 answered std inf; gaussian_kde at 1e50-1e100 answered
    NaN (a float32 cast of the coordinates overflowed)."""
    release = _build(kind, _params(kind), BALL3, np.zeros((3, 3)))
    with pytest.raises(IncompatibleArrays, match="1e\\+15"):
        release.query(np.array([[magnitude, 0.0, 0.0]]))
    _assert_finite(release, np.array([[MAX_QUERY_MAGNITUDE, -MAX_QUERY_MAGNITUDE, 0.0]]))


def test_the_constants_are_consistent() -> None:
    assert MIN_DOMAIN_SCALE < 1 < MAX_DOMAIN_SCALE < MAX_QUERY_MAGNITUDE
    assert math.isclose(MIN_BANDWIDTH, 1e-6 * MIN_DOMAIN_SCALE)
    assert math.isclose(MAX_BANDWIDTH, 1e6 * MAX_DOMAIN_SCALE)


def test_dim_beyond_the_widest_dataset_is_refused() -> None:
    with pytest.raises(InvalidParameter, match="dim"):
        DataSpec(MAX_DIM + 1, L2Ball(1.0), "add_remove")


# --- every kind, every mechanism, extreme domains and queries ------------------------

CASES = [(kind, mech) for kind in KINDS for mech in kind_def(kind).mechanisms]


@st.composite
def extreme_domains(draw: st.DrawFn, dim: int) -> Domain:
    """Balls and boxes at the ends of the allowed range and in between."""
    scale = draw(st.one_of(st.sampled_from([MIN_DOMAIN_SCALE, 1.0, MAX_DOMAIN_SCALE]),
                           st.floats(-12, 12).map(lambda e: 10.0**e)))
    if draw(st.booleans()):
        return L2Ball(min(max(scale, MIN_DOMAIN_SCALE), MAX_DOMAIN_SCALE))
    where = draw(st.sampled_from(["centred", "low corner", "high corner", "offset"]))
    width = min(max(scale, MIN_DOMAIN_SCALE), MAX_DOMAIN_SCALE)
    if where == "centred":
        low, high = -width, width
    elif where == "low corner":
        low, high = -MAX_DOMAIN_SCALE, -MAX_DOMAIN_SCALE + max(width, 1e-3)
    elif where == "high corner":
        low, high = MAX_DOMAIN_SCALE - max(width, 1e-3), MAX_DOMAIN_SCALE
    else:
        low = draw(st.floats(-1e6, 1e6))
        high = low + max(width, 1e-9 * max(abs(low), 1.0))
        high = min(high, MAX_DOMAIN_SCALE)
    return Box.uniform(low, high, dim)


@st.composite
def extreme_points(draw: st.DrawFn, domain: Domain, dim: int) -> np.ndarray:
    """0, the centre, the boundary, the largest allowed magnitude (all coordinates, one
    coordinate, mixed signs), denormals, and points drawn across the allowed range."""
    q = MAX_QUERY_MAGNITUDE
    center = domain.center(dim)
    signs = np.asarray(draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=dim,
                                     max_size=dim)))
    points = [np.zeros(dim), center, domain.clip(center[None, :] + signs * 1e300)[0],
              np.full(dim, q), np.full(dim, -q), signs * q, np.eye(dim)[0] * q,
              np.full(dim, 5e-324), signs * 5e-324]
    exponents = draw(st.lists(st.floats(-320, 15), min_size=dim, max_size=dim))
    points.append(signs * np.power(10.0, exponents))
    return np.clip(np.vstack(points), -q, q)


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "mechanism"), CASES, ids=["-".join(c) for c in CASES])
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_every_allowed_query_is_finite_on_extreme_domains(kind, mechanism, data):
    dim = data.draw(st.integers(1, 3), label="dim")
    domain = data.draw(extreme_domains(dim), label="domain")
    relation = data.draw(st.sampled_from(["add_remove", "replace_one"]), label="relation")
    params = small_params(kind)
    if kind in KERNEL_KINDS:
        params["bandwidth"] = data.draw(st.one_of(
            st.sampled_from([MIN_BANDWIDTH, MAX_BANDWIDTH, 1.0]),
            st.floats(-18, 18).map(lambda e: 10.0**e)), label="bandwidth")
    if kind == "cauchy_kde":
        params["metric_input"] = data.draw(st.sampled_from(["sq_l2", "l2", "l1"]))
    if kind != "rff_baseline":
        params["mechanism"] = mechanism
    if kind in KERNEL_KINDS and kind != "rff_baseline" and data.draw(st.booleans()):
        params["precision"] = "float64"
    spec = parse_spec(kind, params, DataSpec(dim, domain, relation))  # every one allowed
    epsilon = data.draw(st.sampled_from([1e-9, 1.0, 1e3]), label="epsilon")
    plan = noise_plan(spec, _budget(mechanism, epsilon))
    reach = domain.center(dim) + domain.max_l2(dim)
    rows = np.vstack([domain.clip(np.vstack([reach, -reach, np.full(dim, 1e300)])),
                      np.zeros((1, dim))])
    release = build_release(spec, seed=data.draw(st.integers(0, 2**32), label="seed"),
                            plan=plan, chunks=[rows])
    _assert_finite(release, data.draw(extreme_points(domain, dim), label="points"))
