"""Structure kinds: parse params into a spec, build a release, query it.

    spec = parse_spec("gaussian_kde", {"bandwidth": 0.5}, DataSpec(32, L2Ball(1.0), "add_remove"))
    cost = spec.cost(rows=n, chunk_rows=65_536)  # before anything runs: Cost
    release = build_release(spec, seed=seed, budget=PrivacyBudget(1.0), chunks=[rows])
    values, std, approx = release.query(points, reduce="mean")
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.errors import CorruptRelease, InvalidParameter
from core.structures.base import (
    MAX_QUERY_MAGNITUDE,
    Cost,
    DataSpec,
    QueryResult,
    Release,
    Spec,
    build_release,
    noise_plan,
)
from core.structures.distance import (
    L1DistanceRelease,
    L1DistanceSpec,
    L2DistanceRelease,
    L2DistanceSpec,
)
from core.structures.kde import (
    ExponentialKDESpec,
    GaussianKDESpec,
    LaplaceKDESpec,
    RandomFeatureRelease,
    RFFBaselineSpec,
)
from core.structures.moments import InnerProductSpec, MomentRelease, SqL2DistanceSpec
from core.structures.serialization import dump_release, load_release
from core.structures.smooth import CauchyKDERelease, CauchyKDESpec

__all__ = [
    "KINDS", "MAX_QUERY_MAGNITUDE", "Cost", "DataSpec", "QueryResult", "Release", "Spec",
    "build_release", "dump_release", "load_release", "noise_plan", "parse_spec",
    "release_class",
]

_SPECS: dict[str, Any] = {
    spec.kind: spec
    for spec in (GaussianKDESpec, RFFBaselineSpec, SqL2DistanceSpec, InnerProductSpec,
                 ExponentialKDESpec, LaplaceKDESpec, CauchyKDESpec, L1DistanceSpec,
                 L2DistanceSpec)
}
_RELEASES: dict[str, Any] = {
    "gaussian_kde": RandomFeatureRelease,
    "rff_baseline": RandomFeatureRelease,
    "sq_l2_distance": MomentRelease,
    "inner_product": MomentRelease,
    "l1_distance": L1DistanceRelease,
    "l2_distance": L2DistanceRelease,
    "exponential_kde": RandomFeatureRelease,
    "laplace_kde": RandomFeatureRelease,
    "cauchy_kde": CauchyKDERelease,
}
KINDS: tuple[str, ...] = tuple(_SPECS)


def parse_spec(kind: str, params: Mapping[str, Any], data: DataSpec) -> Spec:
    """Validate ``params`` for ``kind`` on a dataset described by ``data``."""
    cls = _SPECS.get(kind)
    if cls is None:
        raise InvalidParameter("kind", "must be one of " + ", ".join(KINDS))
    spec: Spec = cls.parse(params, data)
    return spec


def release_class(kind: str) -> Any:
    cls = _RELEASES.get(kind)
    if cls is None:
        raise CorruptRelease("release of an unknown kind")
    return cls
