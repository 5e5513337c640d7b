"""The DP classifier: one structure per declared class plus the noisy class counts, in
one build and one spend.

Every class gets the same structure (kind, parameters and public randomness, drawn from
one seed) built on its own rows. The classes are disjoint, so under add/remove a row
moves one class's statistics only: the concatenated statistics have the sensitivities
of one structure (parallel composition), and the spend is that of one structure.
Under replace-one a replacement is a removal plus an addition, which may land in two
different classes: within one class a statistic moves by at most twice its add/remove
sensitivity (the triangle inequality), across two classes each block moves by one
add/remove sensitivity, 2 in L1 and sqrt(2) in L2 times it. So every statistic takes
twice its add/remove sensitivity, except the class counts, which move only across
classes (L1 2, L2 sqrt 2). That is what it costs: the feature sums' sensitivities are
those of one replace-one structure, but the class counts, public in one replace-one
structure (n is), now carry noise, and their share of the budget is taken from the
sums. Derivation: docs/privacy/models.md.

Rules, all post-processing of the release:

- ``sum``: argmax_c F_c(y), Bayes with kernel-density class conditionals and the class
  frequencies as priors (F_c = n_c p_c);
- ``mean``: argmax_c F_c(y) / n_c, the paper's average similarity;
- ``cosine`` (``inner_product`` only): argmax_c of the cosine between y and the noisy
  class sum;
- ``vmf`` (``inner_product`` on unit-norm rows): a von Mises-Fisher density per class
  (mean direction from the noisy class sum, kappa from its debiased length), priors from
  the noisy counts.

Scores are probabilities over the classes: ``sum`` and ``mean`` normalise the answers
floored at their noise std (an answer below the noise says nothing more than the
noise); ``cosine`` and ``vmf`` are the softmax of the vMF log-likelihoods (one pooled
kappa for ``cosine``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, NamedTuple, Self

import numpy as np
from numpy.typing import NDArray

from core._array import Array, to_host
from core.errors import CorruptRelease, InvalidParameter
from core.models.composite import join_parts, part_arrays, part_plan, split_parts, structure_of
from core.models.labels import LabelSet
from core.models.reference import Reference
from core.privacy.mechanisms import Mechanism, NoisePlan, Statistic
from core.structures import parse_spec, release_class
from core.structures.base import (
    Cost,
    DataSpec,
    ErrorEstimate,
    ErrorModel,
    QueryResult,
    Reduce,
    Release,
    Spec,
    check_points,
    clamp_count,
)
from core.structures.moments import MomentRelease

__all__ = ["RULES", "ClassifierRelease", "ClassifierSpec", "Prediction", "default_rule",
           "rules_for"]

Rule = Literal["sum", "mean", "cosine", "vmf"]
RULES: tuple[Rule, ...] = ("sum", "mean", "cosine", "vmf")
DISTANCE_KINDS = ("l1_distance", "l2_distance", "sq_l2_distance")
_TINY = 1e-300  # the floor of a noiseless answer (a release at a huge epsilon)
COUNTLESS_RULES = ("sum", "cosine")  # their labels never read the noisy class counts
CALIBRATION_WEIGHT = 1e-3


def rules_for(kind: str) -> tuple[Rule, ...]:
    """The rules a structure kind can serve: a kernel (a similarity bounded below by 0)
    serves ``sum`` and ``mean``; ``inner_product`` serves ``cosine``, ``vmf`` and
    ``mean``; a distance serves none (larger is farther)."""
    if kind in DISTANCE_KINDS:
        return ()
    if kind == "inner_product":
        return ("cosine", "vmf", "mean")
    return ("sum", "mean")


def default_rule(kind: str) -> Rule:
    """The rule that did best in ``python -m bench.models`` (bench/results/models.md:
    mean accuracy over digits, breast_cancer and the sentence embeddings at epsilon
    0.5 to 4) for the kind's family: ``cosine`` for inner_product (the best overall),
    ``mean`` for the kernels (``sum`` follows the class frequencies, which on an
    unbalanced dataset outweigh a weak kernel signal)."""
    return "cosine" if kind == "inner_product" else "mean"


class Prediction(NamedTuple):
    labels: NDArray[np.int64]
    scores: NDArray[np.float64]  # (q, classes): probabilities, rows sum to 1


def _sensitivities(base: Statistic, neighbouring: str) -> tuple[float, float]:
    if neighbouring == "add_remove":
        return base.l1_sensitivity, base.l2_sensitivity
    if base.name == "count":  # moves only when a row changes class
        return 2.0 * base.l1_sensitivity, math.sqrt(2.0) * base.l2_sensitivity
    return 2.0 * base.l1_sensitivity, 2.0 * base.l2_sensitivity


@dataclass(frozen=True, slots=True)
class ClassifierSpec:
    """A classifier's public parameters: the structure every class gets (``base``,
    parsed under add/remove: a row's contribution to one class), the classes, the rule."""

    kind: ClassVar[str] = "classifier"
    data: DataSpec
    base: Spec
    classes: tuple[int, ...]
    rule: Rule
    reference: Reference | None = None

    @classmethod
    def parse(cls, params: Mapping[str, Any], data: DataSpec, labels: LabelSet | None) -> Self:
        if labels is None or labels.classes is None:
            raise InvalidParameter("dataset", "a classifier needs a dataset that declares "
                                   "its classes")
        kind, base_params = structure_of(params, extra=("reference",))
        allowed = rules_for(kind)
        if not allowed:
            raise InvalidParameter("structure.kind", "a classifier needs a similarity: a "
                                   "kernel kind or inner_product, not a distance")
        rule = params.get("rule") or default_rule(kind)
        if rule not in allowed:
            raise InvalidParameter("rule", f"{kind} serves the rules " + ", ".join(allowed))
        base = parse_spec(kind, base_params,
                          DataSpec(data.dim, data.domain, "add_remove"))
        reference = params.get("reference")
        if reference is not None and rule != "cosine":
            raise InvalidParameter("reference", "serves the cosine rule only")
        return cls(data, base, labels.classes, rule,
                   None if reference is None else Reference.parse(reference, data))

    @property
    def mechanism(self) -> Mechanism:
        return self.base.mechanism

    @property
    def parts(self) -> int:
        return len(self.classes)

    def public_params(self) -> dict[str, Any]:
        """The rule, the structure and (stored form) the public reference."""
        out = self.shown_params()
        if self.reference is not None:
            out["reference"] = self.reference.public_params()
        return out

    def shown_params(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.rule, "structure": {
            "kind": self.base.kind, "params": self.base.public_params()}}
        if self.reference is not None:
            out["reference"] = self.reference.summary()
        return out

    def statistics(self) -> list[Statistic]:
        """The base's statistics, one block per class. A rule whose labels do not read
        the class counts (``sum``, ``cosine``: only their scores' calibration does)
        weighs the counts' noise ``CALIBRATION_WEIGHT`` times less, which leaves them
        about 3% of the budget and the sums the rest."""
        out = []
        for s in self.base.statistics():
            l1, l2 = _sensitivities(s, self.data.neighbouring)
            weight = s.weight * (CALIBRATION_WEIGHT if s.name == "count"
                                 and self.rule in COUNTLESS_RULES else 1.0)
            out.append(Statistic(s.name, s.size * self.parts, l1, l2, weight))
        return out

    def builder(self, seed: int) -> ClassifierBuilder:
        return ClassifierBuilder(self, self.base.builder(seed))

    def release_bytes(self) -> int:
        return self.parts * self.base.release_bytes()

    def estimate(self, plan: NoisePlan, rows: int) -> ErrorEstimate:
        """One class's structure on an equal share of the rows."""
        return self.base.estimate(part_plan(plan, self.parts, 0), max(rows // self.parts, 1))

    def cost(self, rows: int, chunk_rows: int) -> Cost:
        """The base structure over all the rows, plus every other class's fixed work
        (its noise, its release) and its queries."""
        whole = self.base.cost(rows, chunk_rows)
        empty = self.base.cost(0, chunk_rows)
        extra = self.parts - 1
        return Cost(release_bytes=self.parts * whole.release_bytes,
                    build_memory_bytes=whole.build_memory_bytes
                    + extra * 2 * whole.release_bytes,
                    build_seconds=whole.build_seconds + extra * empty.build_seconds,
                    noise_values=self.parts * whole.noise_values,
                    query_seconds_per_point=self.parts * whole.query_seconds_per_point)


class ClassifierBuilder:
    def __init__(self, spec: ClassifierSpec, base: Any) -> None:
        self._spec = spec
        self._base = base

    def accumulate(self, rows: NDArray[np.float64], labels: NDArray[Any],
                   to_backend: Callable[[NDArray[np.float64]], Array]
                   ) -> dict[str, NDArray[np.float64]]:
        """Each class's exact sums on its own rows, concatenated class by class (a class
        with no rows in this chunk contributes the sums of an empty chunk: zeros)."""
        blocks: dict[str, list[NDArray[np.float64]]] = {}
        for c in self._spec.classes:
            mine = rows[labels == c]
            for name, partial in self._base.accumulate(to_backend(mine)).items():
                blocks.setdefault(name, []).append(
                    np.asarray(to_host(partial), dtype=np.float64).ravel())
        return {name: np.concatenate(parts) for name, parts in blocks.items()}

    def finish(self, noisy: Mapping[str, NDArray[np.float64]],
               plan: NoisePlan) -> ClassifierRelease:
        spec = self._spec
        parts = split_parts(noisy, spec.parts)
        releases = [self._base.finish(part, part_plan(plan, spec.parts, index))
                    for index, part in enumerate(parts)]
        return ClassifierRelease(dim=spec.data.dim, classes=spec.classes, rule=spec.rule,
                                 params=spec.shown_params(), plan=plan, parts=releases,
                                 reference=spec.reference)


@dataclass(frozen=True, slots=True)
class ClassifierRelease:
    """One release per class (the same kind, public randomness shared), the rule."""

    dim: int
    classes: tuple[int, ...]
    rule: Rule
    params: dict[str, Any]
    plan: NoisePlan
    parts: list[Release]
    reference: Reference | None = None  # cosine only: compare the sums where rows vary
    kind: str = "classifier"

    def predict(self, points: NDArray[np.float64]) -> Prediction:
        Y = check_points(points, self.dim)
        if self.rule in ("sum", "mean"):
            answers = [part.query(Y, self.rule) for part in self.parts]
            values = np.stack([a.values for a in answers], axis=1)
            floor = np.maximum(np.stack([a.std for a in answers], axis=1), _TINY)
            floored = np.maximum(values, floor)
            return Prediction(self._labels(values), floored / floored.sum(axis=1,
                                                                            keepdims=True))
        logits = self._vmf_logits(Y)
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        return Prediction(self._labels(logits), shifted / shifted.sum(axis=1, keepdims=True))

    def _labels(self, values: NDArray[np.float64]) -> NDArray[np.int64]:
        labels: NDArray[np.int64] = np.asarray(self.classes, dtype=np.int64)[
            np.argmax(values, axis=1)]
        return labels

    def _vmf_logits(self, Y: NDArray[np.float64]) -> NDArray[np.float64]:
        """Per class, kappa_c mu_c.y/|y| (+ log C_d(kappa_c) + log n_c for ``vmf``)."""
        from core.models.vmf import MAX_FIT_KAPPA, debiased_resultant, kappa_from_resultant
        from core.special import bessel_ratio, log_vmf_normaliser

        d = self.dim
        moments = [p for p in self.parts if isinstance(p, MomentRelease)]
        if len(moments) != len(self.parts):
            raise CorruptRelease("the cosine and vmf rules need inner_product parts")
        norms = np.linalg.norm(Y, axis=1)
        unit = Y / np.where(norms > 0, norms, 1.0)[:, None]
        sums = [p.sum + p.count * p.center for p in moments]
        counts = [clamp_count(p.count) for p in moments]
        stds = [p.plan.std("sum") for p in moments]
        rbar = [debiased_resultant(s, sd, n) for s, sd, n in zip(sums, stds, counts, strict=True)]
        cap = min(float(bessel_ratio(d, MAX_FIT_KAPPA)), math.nextafter(1.0, 0.0))
        kappas = [min(kappa_from_resultant(min(r, cap), d), MAX_FIT_KAPPA) for r in rbar]
        if self.reference is not None:
            projected = self.reference.project(np.stack(sums), stds[0], float(np.mean(counts)))
            sums = list(projected)
        directions = np.stack([s / max(float(np.linalg.norm(s)), _TINY) for s in sums], axis=1)
        cosines = unit @ directions
        if self.rule == "cosine":
            pooled = float(np.average(kappas, weights=counts))
            return np.asarray(pooled * cosines, dtype=np.float64)
        extra = np.array([log_vmf_normaliser(d, k) + math.log(n)
                          for k, n in zip(kappas, counts, strict=True)])
        return np.asarray(cosines * np.asarray(kappas)[None, :] + extra[None, :],
                          dtype=np.float64)

    def query(self, points: NDArray[np.float64], reduce: Reduce = "sum") -> QueryResult:
        """A classifier answers ``predict``; as a structure it answers the score of its
        most likely class (no noise std is claimed for a score)."""
        scores = self.predict(points).scores.max(axis=1)
        zeros = np.zeros_like(scores)
        return QueryResult(scores, zeros, zeros)

    def error_model(self, data: DataSpec) -> ErrorModel:
        """Every class's structure has the same noise: one class's error model, on the
        add/remove footing its statistics were calibrated for."""
        base = self.parts[0].error_model(DataSpec(data.dim, data.domain, "add_remove"))
        details = dict(base.details) | {"classes": float(len(self.classes))}
        return ErrorModel(base.noise_std_sum, base.count_noise_std,
                          base.approximation_std_mean, details)

    def header(self) -> dict[str, Any]:
        headers, _ = join_parts(self.parts)
        return {"kind": self.kind, "dim": self.dim, "classes": list(self.classes),
                "rule": self.rule, "params": self.params, "plan": self.plan.to_dict(),
                "parts": headers,
                "reference": None if self.reference is None else self.reference.header()}

    def arrays(self) -> dict[str, NDArray[np.float64]]:
        arrays = join_parts(self.parts)[1]
        return arrays if self.reference is None else arrays | self.reference.arrays()

    @classmethod
    def from_parts(cls, header: Mapping[str, Any],
                   arrays: Mapping[str, NDArray[np.float64]]) -> Self:
        try:
            classes = tuple(int(c) for c in header["classes"])
            headers = list(header["parts"])
            if len(headers) != len(classes) or not classes:
                raise CorruptRelease("model release has the wrong number of parts")
            parts = [release_class(str(h["kind"])).from_parts(h, part_arrays(arrays, i))
                     for i, h in enumerate(headers)]
            rule = str(header["rule"])
            if rule not in RULES:
                raise CorruptRelease("model release names an unknown rule")
            stored = header.get("reference")
            reference = None if stored is None else Reference.from_release(
                stored, arrays, int(header["dim"]))
            return cls(dim=int(header["dim"]), classes=classes, rule=rule,
                       params=dict(header["params"]),
                       plan=NoisePlan.from_dict(header["plan"]), parts=parts,
                       reference=reference)
        except (KeyError, TypeError, ValueError) as exc:
            raise CorruptRelease("classifier release is incomplete") from exc
