"""Structure kinds: parse params into a spec, build a release, query it.

    spec = parse_spec("gaussian_kde", {"bandwidth": 0.5}, DataSpec(32, L2Ball(1.0), "add_remove"))
    cost = spec.cost(rows=n, chunk_rows=65_536)  # before anything runs: Cost
    release = build_release(spec, seed=seed, budget=PrivacyBudget(1.0), chunks=[rows])
    values, std, approx = release.query(points, reduce="mean")

The kinds themselves live in ``core.kinds`` (one folder each, listed by its
``REGISTRY``); this package holds what they share: the build pipeline and protocols
(``base``), the release file format (``serialization``) and the machinery modules
(``feature_maps``, ``phase_form``, ``feature_sums``, ``quadrature``, ``dyadic_trees``,
``banded``, ``moments``). ``parse_spec``, ``release_class`` and ``KINDS`` read the
registry lazily: the kinds import this package's modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from core.errors import CorruptRelease
from core.structures.base import (
    MAX_QUERY_MAGNITUDE,
    Cost,
    DataSpec,
    ErrorModel,
    QueryResult,
    Release,
    Spec,
    build_release,
    noise_plan,
    upgrade_error_model,
)
from core.structures.serialization import dump_release, load_release

__all__ = [
    "KINDS", "MAX_QUERY_MAGNITUDE", "Cost", "DataSpec", "ErrorModel", "QueryResult",
    "Release", "Spec", "build_release", "dump_release", "load_release", "noise_plan",
    "parse_spec", "release_class", "upgrade_error_model",
]

if TYPE_CHECKING:
    KINDS: tuple[str, ...]


def __getattr__(name: str) -> Any:
    if name == "KINDS":  # core.kinds imports this package: read it on first use
        from core.kinds import KINDS

        return KINDS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse_spec(kind: str, params: Mapping[str, Any], data: DataSpec) -> Spec:
    """Validate ``params`` for ``kind`` on a dataset described by ``data``."""
    from core.kinds import kind_def

    spec: Spec = kind_def(kind).spec.parse(params, data)
    return spec


def release_class(kind: str) -> type[Release]:
    """The class a stored release of ``kind`` loads into."""
    from core.kinds import REGISTRY
    from core.models import model_release_class

    definition = REGISTRY.get(kind)
    if definition is not None:
        return definition.release
    model = model_release_class(kind)  # a model's release (core.models) is a file too
    if model is None:
        raise CorruptRelease("release of an unknown kind")
    return model
