"""The error model is a claim, so it is tested: over many independent builds of every
kind on one fixed dataset (fresh public randomness and fresh noise each time), the
observed errors against exact brute force must agree with the std each answer reports.

With the total std s = sqrt(std^2 + approximation_std^2), a Gaussian error lies within
2 s with probability 0.954; the answers here are sums of many independent noise terms,
so the fraction within 2 s must land in [0.9, 0.99]. A reported std that is too small
(a privacy-noise or sensitivity bug, a missing term) pushes the fraction below 0.9; a
std that is far too large (a useless error bar) pushes it above 0.99. The settings put
each kind where the privacy noise dominates its approximation error, whose reported
value is a bound rather than an exact std (and is checked on its own at very large
epsilon in test_structures.py).

40 builds x 10 queries = 400 answers per kind: with about 18 expected misses, a correct
model falls outside [0.9, 0.99] with probability below 1e-4 even allowing for the
correlation of the answers of one build.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from core.domain import L2Ball
from core.privacy.budget import PrivacyBudget
from core.structures import KINDS, DataSpec, build_release, noise_plan, parse_spec
from tests.helpers import exact_answers, unit_ball_rows

BUILDS = 40
DIM = 4
ROWS = unit_ball_rows(1500, DIM, seed=21)
# inside the domain, and for the distances two points outside it as well
POINTS = np.vstack([unit_ball_rows(8, DIM, seed=22, radius=1.0),
                    np.full((1, DIM), 1.5), np.full((1, DIM), -3.0)])
BANDWIDTH = 0.6

# kind -> (params, epsilon with laplace, epsilon with gaussian): epsilons chosen so that
# the privacy noise dominates (the Gaussian mechanism adds far less noise to many
# features, hence its smaller epsilons for the kernels)
CASES: dict[str, tuple[dict[str, Any], float, float]] = {
    "gaussian_kde": ({"bandwidth": BANDWIDTH, "features": 2048}, 0.3, 0.05),
    "rff_baseline": ({"bandwidth": BANDWIDTH, "features": 2048}, 0.3, 0.0),
    "exponential_kde": ({"bandwidth": BANDWIDTH, "features": 2048}, 0.3, 0.05),
    "laplace_kde": ({"bandwidth": BANDWIDTH, "features": 2048}, 0.3, 0.05),
    "cauchy_kde": ({"bandwidth": BANDWIDTH, "features": 512, "terms": 6}, 0.3, 0.02),
    "l1_distance": ({"grid_levels": 6}, 1.0, 1.0),
    "l2_distance": ({"grid_levels": 6, "projection_dim": 64}, 1.0, 0.3),
    "sq_l2_distance": ({}, 1.0, 1.0),
    "inner_product": ({}, 1.0, 1.0),
}
GAUSSIAN = ["gaussian_kde", "exponential_kde", "cauchy_kde", "l1_distance", "l2_distance",
            "inner_product"]


def _coverage(kind: str, mechanism: str) -> tuple[float, float]:
    params, eps_laplace, eps_gaussian = CASES[kind]
    epsilon = eps_gaussian if mechanism == "gaussian" else eps_laplace
    if kind != "rff_baseline":
        params = params | {"mechanism": mechanism}
    spec = parse_spec(kind, params, DataSpec(DIM, L2Ball(1.0), "add_remove"))
    plan = noise_plan(spec, PrivacyBudget(epsilon, 1e-6 if mechanism == "gaussian" else 0.0))
    extra = {"metric_input": "sq_l2"} if kind == "cauchy_kde" else {}
    exact = exact_answers(kind, ROWS, POINTS, BANDWIDTH, **extra)
    z = []
    for build in range(BUILDS):
        release = build_release(spec, seed=1000 + build, plan=plan, chunks=[ROWS])
        values, std, approx = release.query(POINTS, "sum")
        z.append(np.abs(values - exact) / np.sqrt(std**2 + approx**2))
    scores = np.concatenate(z)
    noise_share = float(np.mean(std**2 / (std**2 + approx**2)))
    return float(np.mean(scores <= 2.0)), noise_share


def test_every_kind_has_a_case() -> None:
    assert set(CASES) == set(KINDS)


@pytest.mark.parametrize(("kind", "mechanism"),
                         [(k, "laplace") for k in KINDS] + [(k, "gaussian") for k in GAUSSIAN])
def test_errors_agree_with_the_reported_std(kind: str, mechanism: str) -> None:
    within, noise_share = _coverage(kind, mechanism)
    assert noise_share > 0.7, f"the case does not test the noise model ({noise_share:.2f})"
    assert 0.9 <= within <= 0.99, f"{kind}/{mechanism}: {within:.3f} within 2 std"
