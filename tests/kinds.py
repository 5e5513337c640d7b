"""Per-kind test sizes, shared by the tests that build every registered kind."""

from __future__ import annotations

from typing import Any

from core.kinds import kind_def

# sizes that keep one build to milliseconds, for the tests that build every kind on many
# domains; a kind not listed uses its example without bandwidth and projection
SMALL: dict[str, dict[str, Any]] = {
    "gaussian_kde": {"features": 8}, "exponential_kde": {"features": 8},
    "laplace_kde": {"features": 8}, "rff_baseline": {"features": 8},
    "cauchy_kde": {"features": 4, "terms": 3},
    "l1_distance": {"grid_levels": 3}, "l2_distance": {"grid_levels": 3, "projection_dim": 4},
    "sq_l2_distance": {}, "inner_product": {},
    "relu_nngp": {"features": 8}, "relu_ntk": {"features": 4, "tangent_features": 4},
    "vmf_kde": {"kappa": 4.0, "features": 8},
}


def small_params(kind: str) -> dict[str, Any]:
    """The sizes above, or a kind's example without its bandwidth and projection (a
    projection narrows the bandwidths every domain accepts)."""
    if kind in SMALL:
        return dict(SMALL[kind])
    return {name: value for name, value in kind_def(kind).example_params.items()
            if name not in ("bandwidth", "projection_dim")}
