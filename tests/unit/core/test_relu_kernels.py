"""relu_nngp and relu_ntk (core/structures/relu_features.py; derivation:
docs/privacy/relu_kernels.md): the closed forms against neural-tangents' values
(tests/fixtures/relu_kernels.json, made offline by make_relu_kernel_fixtures.py) and a
numerical integral, the random features against the closed forms as they grow, the
clip's bound on every row, and the audit's pairs at exactly the claimed sensitivity."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import integrate  # type: ignore[import-untyped]

from core.domain import Box, L2Ball
from core.errors import InvalidParameter
from core.kinds import kind_def
from core.kinds.audit_relu import relu_pair
from core.privacy.audit import AUDIT_SEED, exact_statistics
from core.privacy.budget import PrivacyBudget
from core.structures import DataSpec, build_release, noise_plan, parse_spec
from core.structures.relu_features import (
    CLIP_SHRINK,
    ReluFeatureSpec,
    clip_probability,
    relu_kernels,
)
from tests.helpers import unit_ball_rows

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "relu_kernels.json"
KINDS = ("relu_nngp", "relu_ntk")
TANGENT = {"relu_nngp": False, "relu_ntk": True}


BALL = L2Ball(1.0)


def _spec(kind: str, params: dict[str, Any], dim: int = 4, domain: L2Ball | Box = BALL,
          neighbouring: str = "add_remove") -> Any:
    """The kind's spec (a ReluFeatureSpec, typed Any: it is both that and a Spec)."""
    spec = parse_spec(kind, params, DataSpec(dim, domain, neighbouring))  # type: ignore[arg-type]
    assert isinstance(spec, ReluFeatureSpec)
    return spec


def _sizes(kind: str, m: int) -> dict[str, int]:
    """m features in all: split evenly between the two terms of the NTK."""
    return {"features": m} if kind == "relu_nngp" else {"features": m // 2,
                                                        "tangent_features": m // 2}


# --- the closed forms -------------------------------------------------------------------

def test_closed_forms_match_neural_tangents() -> None:
    """Every fixture pair (d from 1 to 256; random pairs, theta = 0, pi/2, pi, a zero
    vector) to 1e-13 of sqrt(q_xx q_yy): neural-tangents ran in float64."""
    cases = json.loads(FIXTURES.read_text())["cases"]
    assert len(cases) >= 30 and {c["d"] for c in cases} >= {1, 2, 8, 256}
    for case in cases:
        x, y = np.array([case["x"]]), np.array([case["y"]])
        nngp, ntk = relu_kernels(x, y)
        scale = float(np.linalg.norm(x) * np.linalg.norm(y)) / case["d"]
        for got, want in ((nngp[0, 0], case["nngp"]), (ntk[0, 0], case["ntk"])):
            assert abs(got - want) <= 1e-13 * scale + 1e-300, (case["d"], case["label"])


@pytest.mark.parametrize("theta", [0.0, 0.3, math.pi / 2, 2.0, 3.0, math.pi])
def test_closed_forms_match_the_integral_over_the_plane(theta: float) -> None:
    """An independent check: w . x and w . y are the projections of a 2-d Gaussian on
    two directions theta apart, so E[relu relu] = sqrt(q_xx q_yy) (1/pi) integral of
    relu(cos phi) relu(cos(phi - theta)) over phi (E r^3 = 2 in the radial part), and
    P[both gates open] is the measure of the arc where both cosines are positive."""
    x = np.array([[1.7, 0.0, 0.0]])
    y = 0.6 * np.array([[math.cos(theta), math.sin(theta), 0.0]])
    q = float(np.linalg.norm(x) * np.linalg.norm(y)) / 3
    both, _ = integrate.quad(lambda p: max(math.cos(p), 0.0) * max(math.cos(p - theta), 0.0),
                             -math.pi, math.pi, points=[-math.pi / 2, math.pi / 2,
                                                        theta - math.pi / 2,
                                                        theta + math.pi / 2], limit=200)
    gates = max(0.0, math.pi - theta) / (2 * math.pi)  # the arc's length / 2 pi
    nngp, ntk = relu_kernels(x, y)
    assert nngp[0, 0] == pytest.approx(q * both / math.pi, rel=1e-10, abs=1e-15)
    qxy = float(x[0] @ y[0]) / 3
    assert ntk[0, 0] - nngp[0, 0] == pytest.approx(qxy * gates, rel=1e-10, abs=1e-15)


def test_the_reference_sums_the_closed_form() -> None:
    rows, points = unit_ball_rows(50, 5, seed=3), unit_ball_rows(7, 5, seed=4)
    nngp, ntk = relu_kernels(rows, points)
    for kind, matrix in (("relu_nngp", nngp), ("relu_ntk", ntk)):
        spec = _spec(kind, {}, dim=5)
        np.testing.assert_allclose(kind_def(kind).reference(spec, rows, points),
                                   matrix.sum(axis=1), rtol=1e-14)
    assert np.all(nngp >= 0)
    # the NTK's extra term q_xy (pi - theta) / (2 pi) has the sign of x . y
    assert np.all((ntk - nngp) * (points @ rows.T) >= 0)


# --- the random features ----------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_random_features_converge_to_the_closed_form(kind: str) -> None:
    """Without noise, the mean answer f(y) . S / n of several seeds against exact brute
    force: within 4 of the reported approximation std everywhere, and its rms error
    falls like 1/sqrt(M) (16 times the features: about 4 times less error)."""
    dim = 6
    rows, points = unit_ball_rows(200, dim, seed=5), unit_ball_rows(20, dim, seed=6, radius=1.0)
    rms = []
    for m in (128, 2048):
        spec = _spec(kind, _sizes(kind, m), dim=dim)
        exact = kind_def(kind).reference(spec, rows, points) / len(rows)
        plan = noise_plan(spec, PrivacyBudget(1.0))
        errors = []
        for seed in range(6):
            builder = spec.builder(seed)
            sums = builder.accumulate(spec.data.domain.clip(rows))
            assert float(sums["count"][0]) == len(rows)
            values, _, approx = builder.finish(sums, plan).query(points, "mean")
            assert np.all(np.abs(values - exact) <= 4 * approx)
            errors.append(values - exact)
        rms.append(float(np.sqrt(np.mean(np.square(errors)))))
    assert 2.5 < rms[0] / rms[1] < 6.5, rms


@pytest.mark.parametrize("kind", KINDS)
def test_the_release_matches_brute_force_at_large_epsilon(kind: str) -> None:
    rows, points = unit_ball_rows(400, 8, seed=7), unit_ball_rows(10, 8, seed=8, radius=1.0)
    spec = _spec(kind, _sizes(kind, 1024) | {"mechanism": "gaussian"}, dim=8)
    release = build_release(spec, seed=1, plan=noise_plan(spec, PrivacyBudget(1e3, 1e-6)),
                            chunks=[rows[:150], rows[150:]])
    exact = kind_def(kind).reference(spec, rows, points)
    values, std, approx = release.query(points)
    assert np.all(np.abs(values - exact) <= 4 * np.sqrt(std**2 + approx**2))
    assert np.all(std < 0.01 * approx)  # the noise is negligible here


def test_gaussian_query_noise_does_not_grow_with_features() -> None:
    """sigma is proportional to C, and ||f(y)|| does not grow with M."""
    point = unit_ball_rows(1, 8, seed=9, radius=1.0)
    stds = []
    for m in (128, 2048):
        spec = _spec("relu_nngp", {"features": m, "mechanism": "gaussian"}, dim=8)
        release = build_release(spec, seed=2, plan=noise_plan(spec, PrivacyBudget(1.0, 1e-6)),
                                chunks=[np.zeros((1, 8))])
        stds.append(float(release.query(point).std[0]))
    assert stds[1] == pytest.approx(stds[0], rel=0.1)


# --- the clip ---------------------------------------------------------------------------

def test_default_clip_is_twice_the_rms_feature_norm_on_the_boundary() -> None:
    """NNGP: E||r(x)||^2 = q_xx / 2; NTK: q_xx (both terms); at ||x|| = R."""
    for d, domain, radius in ((4, L2Ball(3.0), 3.0), (2, Box((1.0, -2.0), (2.0, 0.0)),
                                                      math.sqrt(8.0))):
        assert _spec("relu_nngp", {}, d, domain).clip == pytest.approx(
            2 * radius / math.sqrt(2 * d), rel=1e-12)
        assert _spec("relu_ntk", {}, d, domain).clip == pytest.approx(
            2 * radius / math.sqrt(d), rel=1e-12)
    assert _spec("relu_nngp", {"clip": 0.25}).clip == 0.25
    for bad in (0.0, -1.0, 1e30, "big"):
        with pytest.raises(InvalidParameter, match=r"params\.clip"):
            _spec("relu_nngp", {"clip": bad})
    with pytest.raises(InvalidParameter, match="unknown parameter"):
        _spec("relu_nngp", {"tangent_features": 4})


@pytest.mark.parametrize("kind", KINDS)
def test_every_row_contributes_at_most_the_clip(kind: str) -> None:
    """Rows anywhere (outside the domain too: the build clips them into it first),
    under a clip far below and far above their feature norms: each row's contribution
    has l2 norm <= C (then exactly C * CLIP_SHRINK) and l1 norm <= C sqrt(M)."""
    rng = np.random.default_rng(11)
    rows = np.vstack([rng.standard_normal((200, 5)) * 10.0 ** rng.uniform(-3, 3, (200, 1)),
                      np.zeros((1, 5))])
    for clip in (1e-3, 1e3):
        spec = _spec(kind, _sizes(kind, 16) | {"clip": clip}, dim=5, domain=L2Ball(50.0))
        builder = spec.builder(4)
        clipped = spec.data.domain.clip(rows)
        each = np.vstack([np.asarray(builder.accumulate(clipped[i:i + 1])["features"])
                          for i in range(clipped.shape[0])])
        norms = np.linalg.norm(each, axis=1)
        assert np.all(norms <= clip)
        assert np.all(np.sum(np.abs(each), axis=1) <= clip * math.sqrt(spec.size))
        if kind == "relu_nngp":
            assert np.all(each >= 0)
        unclipped = np.linalg.norm(builder.feature_map.transform(clipped), axis=1)
        over = unclipped > clip  # scaled to C, the others kept as they are
        assert over.any() == (clip < 1) and not over.all()
        np.testing.assert_allclose(norms[over], clip * CLIP_SHRINK, rtol=1e-12)
        np.testing.assert_allclose(norms[~over], unclipped[~over], rtol=1e-12)
        # the sum is the sum of the rows' contributions, whatever the chunking
        total = np.asarray(builder.accumulate(clipped)["features"])
        np.testing.assert_allclose(total, each.sum(axis=0), rtol=1e-12, atol=1e-12 * clip)


def test_clip_probability_bounds_the_frequency_of_clipped_rows() -> None:
    """The Chernoff bound against the simulated share of rows (one fixed x on the
    boundary, fresh weights each time) whose squared feature norm reaches the
    default clip's 4 times its mean."""
    rng = np.random.default_rng(12)
    for m, mt in ((4, 0), (16, 0), (4, 4)):
        g = np.maximum(rng.standard_normal((200_000, m + mt)), 0.0) ** 2
        ratio = g[:, :m].mean(axis=1) + (g[:, m:].mean(axis=1) if mt else 0.0)
        limit = 2.0 if mt == 0 else 4.0  # C^2 / q_xx for the default clip
        seen = float(np.mean(ratio >= limit))
        bound = clip_probability(m, mt, limit)
        assert seen <= bound < 1.0, (m, mt, seen, bound)
    assert clip_probability(1024, 0, 2.0) < 1e-100
    assert clip_probability(64, 0, 2.0) < 1e-9
    assert clip_probability(512, 512, 4.0) < 1e-100


def test_the_error_model_reports_the_clip_and_its_probability() -> None:
    spec = _spec("relu_ntk", {"features": 8, "tangent_features": 8})
    release = build_release(spec, seed=3, plan=noise_plan(spec, PrivacyBudget(1.0)),
                            chunks=[unit_ball_rows(20, 4, seed=1)])
    model = release.error_model(spec.data)
    assert model.details["clip"] == spec.clip
    assert model.details["clip_probability"] == pytest.approx(clip_probability(8, 8, 4.0))
    estimate = spec.estimate(noise_plan(spec, PrivacyBudget(1.0)), 20)
    assert estimate.approximation_mean == pytest.approx(model.approximation_std_mean)
    assert estimate.noise_std_sum == pytest.approx(model.noise_std_sum)
    assert estimate.typical_mean == pytest.approx(1.0 / 4)  # k(y, y) = q = R^2 / d


# --- sensitivities and the audit's pairs -----------------------------------------------

@pytest.mark.parametrize("mechanism", ["laplace", "gaussian"])
@pytest.mark.parametrize("relation", ["add_remove", "replace_one"])
@pytest.mark.parametrize("kind", KINDS)
def test_the_audit_pair_attains_the_claimed_sensitivity(kind: str, relation: str,
                                                        mechanism: str) -> None:
    """In the audit's setting the pair's feature sums differ by the claimed L1
    sensitivity (Laplace) or L2 sensitivity (Gaussian), up to the clip's shrink, and
    never by more in either norm."""
    definition = kind_def(kind)
    data = DataSpec(definition.audit.dim, L2Ball(1.0), relation)  # type: ignore[arg-type]
    spec = definition.spec.parse(definition.audit.params(mechanism), data)  # type: ignore[arg-type]
    plan = noise_plan(spec, PrivacyBudget(1.0, 1e-6 if mechanism == "gaussian" else 0.0))
    pair = relu_pair(spec, AUDIT_SEED, plan)
    a = exact_statistics(spec, AUDIT_SEED, pair.rows_a)["features"]
    b = exact_statistics(spec, AUDIT_SEED, pair.rows_b)["features"]
    claim = next(s for s in spec.statistics() if s.name == "features")
    l1, l2 = float(np.sum(np.abs(a - b))), float(np.linalg.norm(a - b))
    assert l1 <= claim.l1_sensitivity and l2 <= claim.l2_sensitivity
    attained = l1 / claim.l1_sensitivity if mechanism == "laplace" else l2 / claim.l2_sensitivity
    assert attained == pytest.approx(1.0, abs=1e-8)


def test_replace_one_bounds_are_the_derived_ones() -> None:
    """NNGP: sqrt(2) C in L2 (nonnegative features), C sqrt(2m) in L1; NTK: 2C and
    C sqrt(2m + 4m'); add/remove: C and C sqrt(M)."""
    for kind, params, l1, l2 in (
            ("relu_nngp", {"features": 8, "clip": 0.5}, 0.5 * 4.0, 0.5 * math.sqrt(2.0)),
            ("relu_ntk", {"features": 8, "tangent_features": 2, "clip": 0.5},
             0.5 * math.sqrt(24.0), 1.0)):
        replace = _spec(kind, params, neighbouring="replace_one").statistics()[0]
        assert (replace.l1_sensitivity, replace.l2_sensitivity) == pytest.approx((l1, l2))
        add = _spec(kind, params).statistics()[0]
        size = sum(v for k, v in params.items() if k.endswith("features"))
        assert (add.l1_sensitivity, add.l2_sensitivity) == pytest.approx(
            (0.5 * math.sqrt(size), 0.5))


@pytest.mark.parametrize("kind", KINDS)
def test_neighbouring_datasets_move_the_sum_within_the_claims(kind: str) -> None:
    """Random and adversarial rows (boundary, opposite pairs, far outside), replaced
    one by one: every change of the exact sums is within the claimed sensitivities."""
    rng = np.random.default_rng(13)
    base = unit_ball_rows(30, 3, seed=14)
    candidates = np.vstack([rng.standard_normal((40, 3)) * 3, -base[:10], base[:10] * 5])
    spec = _spec(kind, _sizes(kind, 6) | {"clip": 0.05}, dim=3, neighbouring="replace_one")
    claim = spec.statistics()[0]
    before = exact_statistics(spec, 21, base)["features"]
    for row in candidates:
        after = exact_statistics(spec, 21, np.vstack([base[:-1], row]))["features"]
        diff = after - before
        assert np.sum(np.abs(diff)) <= claim.l1_sensitivity * (1 + 1e-9)
        assert np.linalg.norm(diff) <= claim.l2_sensitivity * (1 + 1e-9)


# --- cost -----------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_cost_grows_with_features_and_dimension(kind: str) -> None:
    costs = [_spec(kind, _sizes(kind, m), dim=d).cost(1_000, 65_536)
             for m, d in ((64, 8), (1_024, 8), (1_024, 512))]
    for field in ("release_bytes", "build_memory_bytes", "build_seconds",
                  "query_seconds_per_point"):
        values = [getattr(c, field) for c in costs]
        assert values == sorted(values) and values[0] < values[-1], field
    assert costs[1].noise_values == 1_025  # M features and the count
