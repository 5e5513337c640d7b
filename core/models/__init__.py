"""Models built on released structures: the DP classifier and regressor (labelled
datasets), the DP von Mises-Fisher fit, and what is computed from releases afterwards
(kernel expectations).

    spec = parse_model("classifier", {"rule": "sum", "structure": {"kind": "gaussian_kde",
                       "params": {"bandwidth": 0.5}}}, data, LabelSet(classes=(0, 1)))
    plan = noise_plan(spec, PrivacyBudget(1.0))
    release = build_model(spec, seed=seed, plan=plan, chunks=[(rows, labels)])
    labels, scores = release.predict(points)

A classifier or regressor reads labelled rows (``build_model``); the vMF fit reads rows
only, through ``core.structures.build_release`` like any structure. Each is one spend:
its statistics share one noise plan. Derivation: docs/privacy/models.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.errors import InvalidParameter
from core.models.classifier import RULES, ClassifierRelease, ClassifierSpec, Prediction
from core.models.composite import build_model
from core.models.labels import LabelSet
from core.models.regressor import RegressorRelease, RegressorSpec, ValuePrediction
from core.structures.base import DataSpec, Release

__all__ = ["LABELLED_MODELS", "MODEL_KINDS", "RULES", "ClassifierRelease", "ClassifierSpec",
           "LabelSet", "Prediction", "RegressorRelease", "RegressorSpec", "ValuePrediction",
           "build_model", "model_release_class", "parse_model"]

MODEL_KINDS = ("classifier", "regressor", "vmf")
LABELLED_MODELS = ("classifier", "regressor")  # built from labelled rows (build_model)


def parse_model(kind: str, params: Mapping[str, Any], data: DataSpec,
                labels: LabelSet | None) -> Any:
    """The spec of a model of ``kind`` on a dataset described by ``data`` and its
    declared ``labels`` (None: unlabelled)."""
    if not isinstance(params, Mapping):
        raise InvalidParameter("params", "must be an object")
    if kind == "classifier":
        return ClassifierSpec.parse(params, data, labels)
    if kind == "regressor":
        return RegressorSpec.parse(params, data, labels)
    if kind == "vmf":
        from core.models.vmf import VmfFitSpec

        return VmfFitSpec.parse(params, data)
    raise InvalidParameter("kind", "must be one of " + ", ".join(MODEL_KINDS))


def model_release_class(kind: str) -> type[Release] | None:
    """The class a stored model release of ``kind`` loads into (None: not a model)."""
    if kind == "classifier":
        return ClassifierRelease
    if kind == "regressor":
        return RegressorRelease
    if kind == "vmf":
        from core.models.vmf import VmfRelease

        release: type[Release] = VmfRelease
        return release
    return None
