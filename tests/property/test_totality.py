"""Every build is total: whether it succeeds never depends on the rows.

A build that fails for some rows and not for others tells, through its status, whether
one row was there (issue 8: a row at 1e39 made float32 angles overflow and the build
fail). The rule this checks, over every kind, both mechanisms and both neighbouring
relations: for every parameter set the kind accepts at parse time, on domains across
the whole allowed range (core.domain: scale 1e-12 to 1e12, balls and boxes), with rows
on the boundary, denormals, zeros and rows far outside the domain (clipped, as the
build does), the build succeeds and every value it releases, and every answer to an
in-domain query, is finite. (Queries anywhere in the allowed range: test_finite.py.)

Parameters a kind refuses at parse time (``InvalidParameter``) are fine: that is
decided before any row is read, from public facts only.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.domain import MAX_DOMAIN_SCALE, Box, Domain, L2Ball
from core.errors import InvalidParameter
from core.kinds import kind_def
from core.privacy.budget import PrivacyBudget
from core.structures import KINDS, DataSpec, build_release, noise_plan, parse_spec
from tests.kinds import small_params

KERNEL_KINDS = tuple(kind for kind in KINDS  # every registered kind with a bandwidth
                     if "bandwidth" in {p.name for p in kind_def(kind).param_defs})
CASES = [(kind, mech, rel) for kind in KINDS for mech in kind_def(kind).mechanisms
         for rel in ("add_remove", "replace_one")]

scales = st.floats(-12, 12).map(lambda e: 10.0**e)  # the allowed domain sizes
# bandwidths across the accepted range (every positive float); tiny ones may be refused
bandwidths = st.one_of(st.floats(-320, 300).map(lambda e: 10.0**e),
                       st.sampled_from([5e-324, 1e-308, 1.0, 1e308]))


@st.composite
def domains(draw: st.DrawFn, dim: int) -> Domain:
    size = draw(scales)
    if draw(st.booleans()):
        return L2Ball(size)
    offset = draw(st.sampled_from([0.0, -0.5, 0.5, 3.0])) * size
    low, high = offset - size, offset + size
    shrink = min(1.0, MAX_DOMAIN_SCALE / max(abs(low), abs(high)))  # stay in range
    low, high = (max(-MAX_DOMAIN_SCALE, min(v * shrink, MAX_DOMAIN_SCALE)) for v in (low, high))
    return Box.uniform(low, high, dim)


@st.composite
def hostile_rows(draw: st.DrawFn, domain: Domain, dim: int) -> np.ndarray:
    """Rows a careless or hostile owner might upload: boundary rows, denormals, zeros,
    rows far outside the domain (up to 1e300), ordinary rows."""
    center = domain.center(dim)
    reach = domain.max_l2(dim)
    out = []
    for _ in range(draw(st.integers(1, 6))):
        shape = draw(st.sampled_from(["boundary", "denormal", "zero", "far", "inside"]))
        direction = np.asarray(draw(st.lists(st.floats(-1, 1, allow_subnormal=False),
                                             min_size=dim, max_size=dim)))
        if np.linalg.norm(direction) < 1e-3:
            direction = np.eye(dim)[0]
        direction = direction / np.linalg.norm(direction)
        if shape == "boundary":
            row = center + direction * reach
        elif shape == "denormal":
            row = direction * 5e-324
        elif shape == "zero":
            row = np.zeros(dim)
        elif shape == "far":
            row = direction * 10.0 ** draw(st.floats(0, 300))
        else:
            row = center + direction * reach * draw(st.floats(0, 1))
        out.append(row)
    return np.vstack(out)


def _params(kind: str, mechanism: str, bandwidth: float, metric: str) -> dict[str, Any]:
    params: dict[str, Any] = small_params(kind)
    if kind in KERNEL_KINDS:
        params["bandwidth"] = bandwidth
    if kind == "cauchy_kde":
        params["metric_input"] = metric
    if kind != "rff_baseline":
        params["mechanism"] = mechanism
    return params


def _all_finite(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_all_finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(_all_finite(v) for v in value)
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return bool(np.all(np.isfinite(value)))
    return True


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "mechanism", "relation"), CASES,
                         ids=["-".join(c) for c in CASES])
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_every_accepted_build_succeeds_with_finite_releases(kind, mechanism, relation, data):
    dim = data.draw(st.integers(1, 4), label="dim")
    domain = data.draw(domains(dim), label="domain")
    bandwidth = data.draw(bandwidths, label="bandwidth")
    metric = data.draw(st.sampled_from(["sq_l2", "l2", "l1"]), label="metric_input")
    try:
        spec = parse_spec(kind, _params(kind, mechanism, bandwidth, metric),
                          DataSpec(dim, domain, relation))
    except InvalidParameter:
        return  # refused from public facts alone, before any row: allowed
    budget = PrivacyBudget(1.0, 1e-6 if mechanism == "gaussian" else 0.0)
    plan = noise_plan(spec, budget)
    rows = data.draw(hostile_rows(domain, dim), label="rows")
    seed = data.draw(st.integers(0, 2**64 - 1), label="seed")
    release = build_release(spec, seed=seed, plan=plan, chunks=[rows])
    for name, array in release.arrays().items():
        assert np.all(np.isfinite(array)), f"{name} has a non-finite value"
    assert _all_finite(release.header()), "the header has a non-finite value"
    assert _all_finite(release.error_model(spec.data).to_dict())
    inside = domain.clip(np.vstack([domain.center(dim), rows]))
    for reduce in ("sum", "mean"):
        values, std, approx = release.query(inside, reduce)
        assert np.all(np.isfinite(values)) and np.all(np.isfinite(std))
        assert np.all(np.isfinite(approx))


def test_the_reported_overflow_rows_build():
    """The review's probes (issue 8: radius 1e40 with a row at 1e39, bandwidth 1e-36 on
    radius 1e3), at the ends of today's ranges: the largest domain with a row near its
    boundary (bandwidth 1), and the narrowest bandwidth on radius 1e3, for both float32
    kinds: D and D plus the row both build."""
    from core.structures.params import MIN_BANDWIDTH

    for kind in ("gaussian_kde", "cauchy_kde"):
        for radius, bandwidth, extra in ((MAX_DOMAIN_SCALE, 1.0, [MAX_DOMAIN_SCALE / 10, 0.0]),
                                         (1e3, MIN_BANDWIDTH, [999.0, 0.0])):
            spec = parse_spec(kind, {"bandwidth": bandwidth, "features": 64},
                              DataSpec(2, L2Ball(radius), "add_remove"))
            plan = noise_plan(spec, PrivacyBudget(1.0))
            base = np.array([[0.1, 0.2], [0.0, -0.3]])
            for rows in (base, np.vstack([base, extra])):
                release = build_release(spec, seed=7, plan=plan, chunks=[rows])
                assert all(np.all(np.isfinite(a)) for a in release.arrays().values())
                assert math.isfinite(release.header()["count"])


def test_bandwidths_that_could_overflow_are_refused_at_parse_time():
    """A bandwidth so small that an angle over the domain could overflow float64 is
    refused before anything is spent, with the parameter named."""
    with pytest.raises(InvalidParameter, match=r"params\.bandwidth"):
        parse_spec("exponential_kde", {"bandwidth": 1e-250},
                   DataSpec(2, L2Ball(MAX_DOMAIN_SCALE), "add_remove"))
    with pytest.raises(InvalidParameter, match=r"params\.bandwidth"):
        parse_spec("gaussian_kde", {"bandwidth": 5e-324}, DataSpec(2, L2Ball(1.0),
                                                                   "add_remove"))


@pytest.mark.parametrize("namespace", ["numpy", "array_api_strict"])
def test_only_frequencies_float32_cannot_hold_get_float64_angles(namespace):
    """A map whose heaviest frequencies pass the float32 angle limit over the domain
    forms just those angles in float64 (reduced mod 2 pi): the features match the
    float64 map's within float32 rounding, in frequency order, on any namespace."""
    import array_api_strict as xps

    from core.structures.feature_maps import F32_SHRINK, FLOAT32_ANGLE_LIMIT, FeatureMap

    rng = np.random.default_rng(3)
    frequencies = rng.standard_normal((6, 3))
    frequencies[[1, 4]] *= 10 * FLOAT32_ANGLE_LIMIT  # beyond the limit on the unit ball
    fast = FeatureMap("paired", frequencies, None, None, "exponential", "float32", 1.0)
    exact = FeatureMap("paired", frequencies, None, None, "exponential", "float64", 1.0)
    assert fast._wide is not None and list(fast._wide[1]) == [1, 4]
    rows = L2Ball(1.0).clip(rng.standard_normal((5, 3)))
    chunk = xps.asarray(rows) if namespace == "array_api_strict" else rows
    got = np.asarray(fast.features(chunk))
    want = exact.features(rows) * F32_SHRINK
    assert got.shape == want.shape == (5, 12)
    assert np.all(np.isfinite(got))
    # float32 cos/sin of angles reduced in float64: within a few float32 ulps of 2 pi
    assert np.max(np.abs(got - want)) < 1e-5
