"""Fingerprints of what every kind builds, to show a refactor changed nothing.

For each configuration below (every kind, mechanism and relation, on a ball and a box,
with default, alpha-derived and explicit sizes) it hashes the release built from the
exact sums at a fixed seed (no noise, so the bytes are reproducible), the public
parameters, the noise plan, the answers of a few queries (values, std,
approximation_std), the cost and the error estimate; it prints one JSON object. Run
this file against two checkouts and compare:

    PYTHONPATH=<old tree> python bench/release_hashes.py > old.json
    PYTHONPATH=<new tree> python bench/release_hashes.py > new.json

Only ``core.structures``' public entry points are used, so older trees run it too.
"""

from __future__ import annotations

import hashlib
import json
import sys
from typing import Any

import numpy as np

from core.domain import Box, L2Ball
from core.privacy.budget import PrivacyBudget
from core.structures import DataSpec, dump_release, noise_plan, parse_spec

CASES: dict[str, list[dict[str, Any]]] = {
    "gaussian_kde": [{"bandwidth": 0.8, "features": 64, "projection_dim": 2},
                     {"bandwidth": 0.5, "alpha": 0.1},
                     {"bandwidth": 0.5, "features": 32, "frequencies": "iid",
                      "precision": "float64"}],
    "rff_baseline": [{"bandwidth": 0.8, "features": 64}, {"bandwidth": 0.5, "alpha": 0.2}],
    "sq_l2_distance": [{}],
    "inner_product": [{}],
    "exponential_kde": [{"bandwidth": 0.8, "features": 64, "projection_dim": 2},
                        {"bandwidth": 0.5, "alpha": 0.1}],
    "laplace_kde": [{"bandwidth": 0.8, "features": 64}, {"bandwidth": 0.3, "alpha": 0.2}],
    "cauchy_kde": [{"bandwidth": 0.8, "features": 16, "terms": 3, "projection_dim": 2},
                   {"bandwidth": 0.5, "alpha": 0.1, "metric_input": "l1"},
                   {"bandwidth": 0.5, "metric_input": "l2", "features": 32}],
    "l1_distance": [{"grid_levels": 3}, {"estimator": "banded", "alpha": 0.05},
                    {"alpha": 0.01}],
    "l2_distance": [{"grid_levels": 3, "projection_dim": 16}, {"alpha": 0.2},
                    {"estimator": "banded", "projection_dim": 8, "grid_levels": 4}],
}
DIM, ROWS, SEED = 4, 300, 12345


def fingerprint(kind: str, params: dict[str, Any], data: DataSpec,
                rows: np.ndarray) -> str:
    spec = parse_spec(kind, params, data)
    gaussian = spec.mechanism == "gaussian"
    plan = noise_plan(spec, PrivacyBudget(1.0, 1e-6 if gaussian else 0.0))
    builder = spec.builder(SEED)
    sums = {name: np.asarray(v)
            for name, v in builder.accumulate(data.domain.clip(rows)).items()}
    release = builder.finish(sums, plan)
    answers = release.query(rows[:5] * 0.9, "mean")
    digest = hashlib.sha256(dump_release(release))
    digest.update(json.dumps(spec.public_params(), sort_keys=True).encode())
    digest.update(json.dumps(plan.to_dict(), sort_keys=True).encode())
    for values in answers:
        digest.update(np.asarray(values).tobytes())
    digest.update(repr(spec.cost(ROWS, 65_536)).encode())
    digest.update(repr(spec.estimate(plan, ROWS)).encode())
    return digest.hexdigest()[:16]


def fingerprints() -> dict[str, str]:
    """Configuration name -> the first 16 hex digits of its hash."""
    rows = np.random.default_rng(5).normal(size=(ROWS, DIM)) * 0.4
    out = {}
    for kind, cases in CASES.items():
        mechanisms = ["laplace"] if kind == "rff_baseline" else ["laplace", "gaussian"]
        for index, params in enumerate(cases):
            for mechanism in mechanisms:
                given = params if kind == "rff_baseline" else params | {"mechanism": mechanism}
                for relation in ("add_remove", "replace_one"):
                    for domain in (L2Ball(1.0), Box.uniform(-1.0, 2.0, DIM)):
                        name = f"{kind}-{index}-{mechanism}-{relation}-{type(domain).__name__}"
                        data = DataSpec(DIM, domain, relation)  # type: ignore[arg-type]
                        out[name] = fingerprint(kind, given, data, rows)
    return out


if __name__ == "__main__":
    json.dump(fingerprints(), sys.stdout, indent=0, sort_keys=True)
