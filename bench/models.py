"""Classifier benchmark: privsim's DP classifier (``core.models``) against the naive DP
baseline, diffprivlib and the non-private classifiers, accuracy and time per epsilon.

    python -m bench.models [--quick] [--draws N] [--out DIR]

Datasets (``bench.data``, all in the unit l2 ball, train/test split stratified and
fixed by ``DATA_SEED``): ``digits`` (10 classes, d = 64), ``breast_cancer`` (2 classes,
d = 30) and ``sentence_embeddings`` (a generated stand-in for sentence embeddings:
d = 384, 12 overlapping classes of 80 to 120 unit-norm rows sharing a common direction).

Methods, each built on the training rows and scored on the held-out rows:

- privsim: ``build_model`` of a ``classifier`` with every rule the core offers, on
  ``gaussian_kde`` (rules ``sum`` and ``mean``, at two public bandwidths) and on
  ``inner_product`` (rules ``cosine``, ``vmf`` and ``mean``), all with the Gaussian
  mechanism at (epsilon, ``DELTA``) and add/remove neighbouring; a rule the core does not
  build yet is reported as not available;
- ``naive``: the naive DP baseline: per-class sums of the (clipped) rows released with
  the Gaussian mechanism and the whole budget (one row moves one class sum by at most 1
  in l2, so the concatenated sums have l2 sensitivity 1), noise from
  ``core.privacy`` (OpenDP), predicting the class whose noisy sum is closest in cosine;
- diffprivlib's ``LogisticRegression(epsilon, data_norm=1)`` and
  ``GaussianNB(epsilon, bounds)``, bounds the declared domain's per-coordinate bounds
  (pure epsilon-DP: a slightly stronger guarantee than the others' delta = 1e-6);
  "not installed" where diffprivlib is missing (it needs scikit-learn < 1.7: ``make
  bench-models`` runs this in ``.venv-bench``);
- non-private references (once, no noise): the cosine-centroid classifier and the exact
  Gaussian-kernel classifiers (float64 brute force, argmax of the per-class kernel sum
  or mean, at each bandwidth): a privsim kernel rule at epsilon = infinity answers these.

Bandwidths (``BANDWIDTHS``) come from the declared domain only, never from the rows:
privsim's Gaussian kernel is exp(-||x - y||^2 / sigma^2) and every dataset is declared
in the unit ball, so sigma = 0.5 (a quarter of its diameter, ``bench.data``'s rule for
digits) and sigma = 1.0 (half of it). The narrow one resolves the classes better
without noise; the wide one gives larger kernel sums, which the noise hurts less.
Random features: ``FEATURES`` (orthogonal frequencies, the kind's default design).

For every dataset, epsilon in ``EPSILONS`` and method: the accuracy over ``draws``
independent builds (each a fresh build: new noise from the CSPRNG and, for privsim,
public seed ``STRUCTURE_SEED + draw``), mean, std, min and max; and the seconds of each
build + predict (diffprivlib: fit + predict), the median, min and max over the same
draws. The rules of one privsim structure are post-processing of the same release, so
each draw builds it once and every rule predicts from it (the rules are compared on
the same noise); a rule's time is that build plus its own predict. The noise plan is
fixed before the build, as the service does at reservation, and is not timed (its
seconds are in the JSON as ``plan_seconds``; OpenDP's zCDP conversion makes it about
0.3 s). The draws run round-robin over the methods after one warm-up each, so that the
shared machine's load hits every method alike; BLAS runs on one thread. Also, per
privsim method, the same build without noise (a plan that releases the exact sums):
its accuracy and how often it agrees with its exact counterpart, which separates the
random-feature approximation from the noise.

Time box: the full run is sized to about 10 minutes on 2 shared cores (5 draws,
1,024 features); most of it is diffprivlib's GaussianNB on the embeddings and the
OpenDP noise of the kernel releases (about 0.1 ms per released value).

The report checks the issue's goals per privsim method: beat the naive baseline and
diffprivlib at every epsilon >= 0.5, come within 5 points of the non-private cosine
centroid at epsilon = 4, and beat the naive baseline at epsilon = 1 on the sentence
embeddings; and names the privsim method with the best mean accuracy. It writes
``models.json`` (every raw figure and the machine) and ``models.md`` to ``--out``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bench.data import (
    DATA_SEED,
    DOMAIN,
    Labelled,
    breast_cancer,
    labelled_digits,
    sentence_embeddings,
)
from bench.kde import _load_average, _log, machine_info, spread
from core.models import ClassifierRelease, LabelSet, build_model, parse_model
from core.models.classifier import COUNTLESS_RULES, Rule, rules_for
from core.models.reference import Reference
from core.privacy.budget import PrivacyBudget
from core.privacy.mechanisms import NoisePlan, NoiseSpec, Statistic, plan_noise
from core.structures import DataSpec, noise_plan

__all__ = ["BANDWIDTHS", "EPSILONS", "FULL", "QUICK", "Config", "Method", "Runner",
           "exact_kernel", "main", "naive_baseline", "runners"]

EPSILONS = (0.25, 0.5, 1.0, 2.0, 4.0)
DELTA = 1e-6
STRUCTURE_SEED = 1234
BANDWIDTHS = (0.5, 1.0)  # a quarter and half of the unit ball's diameter (the domain)
FEATURES = 1024  # gaussian_kde's default without alpha
GOAL_MIN_EPSILON = 0.5  # beat the naive baseline and diffprivlib from here up
GOAL_EPSILON, GOAL_MARGIN = 4.0, 0.05  # within 5 points of the cosine centroid at 4
DEFAULT_GOAL = ("sentence_embeddings", 1.0)  # where the default must beat the baseline
SIGNIFICANCE = 2.0  # standard errors a difference must exceed to count as ahead or behind
NAIVE, DPL_LR, DPL_NB = "naive (noisy class sums, cosine)", "diffprivlib LR", \
    "diffprivlib GaussianNB"
CENTROID, INNER_MEAN = "cosine centroid", "inner product mean"
WITH_REFERENCE = "cosine + reference"  # the cosine rule given the public reference rows
DEFAULT_OUT = Path(__file__).resolve().parent / "results"

Labels = NDArray[np.int64]
Prepare = Callable[[Labelled, float], Any]  # (dataset, epsilon) -> what every build reuses
# an outcome per method answered by one build: its predictions and the seconds they took
# (the build, shared by every rule of a privsim release, plus its own predict)
Outcome = dict[str, tuple[Labels, float]]
Run = Callable[[Labelled, int, Any], Outcome]  # (dataset, draw, prepared) -> outcomes


@dataclass(frozen=True, slots=True)
class Config:
    mode: str
    datasets: tuple[Callable[[], Labelled], ...]
    epsilons: tuple[float, ...]
    draws: int
    features: int
    extra: dict[str, Any] = field(default_factory=dict)
    # the cheap methods (inner_product rules, the naive baseline: a build is a few
    # thousand noisy values) get more draws, so that their differences, often a point
    # or two, are measured to a standard error well below that
    cheap_draws: int = 0

    def draws_of(self, runner: Runner) -> int:
        return max(self.draws, self.cheap_draws) if runner.cheap else self.draws


FULL = Config("full", (labelled_digits, breast_cancer, sentence_embeddings), EPSILONS,
              draws=5, features=FEATURES, cheap_draws=40)
QUICK = Config("quick", (breast_cancer, partial(sentence_embeddings, classes=3)), (0.5, 4.0),
               draws=2, features=128)


@dataclass(frozen=True, slots=True)
class Method:
    """A classifier: its name, family, what it stands for, and (privsim) its model params
    and the name of the exact classifier it approximates."""

    name: str
    family: str  # privsim | baseline | diffprivlib
    description: str
    params: dict[str, Any] | None = None
    exact: str | None = None


@dataclass(frozen=True, slots=True)
class Runner:
    """One build per draw and the methods answered from it. A privsim release serves
    every rule its kind offers: the rules are post-processing of the same release, so
    one build per draw gives every rule's predictions (with the same noise: the rules
    are compared on paired draws)."""

    methods: tuple[Method, ...]
    prepare: Prepare
    run: Run
    noiseless: Callable[[Labelled, Any], Outcome] | None = None
    cheap: bool = False  # a build costs milliseconds: run ``Config.cheap_draws`` of them


# --- the methods ------------------------------------------------------------------------

def _data_spec(data: Labelled) -> DataSpec:
    return DataSpec(data.dim, DOMAIN, "add_remove")


def _budget(epsilon: float) -> PrivacyBudget:
    return PrivacyBudget(epsilon, DELTA)


def _privsim_name(rule: str, structure: Mapping[str, Any]) -> str:
    if structure["kind"] == "gaussian_kde":
        return f"privsim {rule} (gaussian_kde sigma={structure['params']['bandwidth']:g})"
    return f"privsim {rule} ({structure['kind']})"


def _predict_rules(data: Labelled, release: ClassifierRelease, rules: Sequence[Rule],
                   structure: Mapping[str, Any], build_seconds: float,
                   reference: Reference | None) -> Outcome:
    out: Outcome = {}
    variants: list[tuple[str, ClassifierRelease]] = [
        (rule, replace(release, rule=rule, params=release.params | {"rule": rule}))
        for rule in rules]
    if reference is not None:
        variants.append((WITH_REFERENCE, replace(release, rule="cosine", reference=reference,
                                                 params=release.params | {"rule": "cosine"})))
    for name, as_rule in variants:
        started = time.perf_counter()
        labels = as_rule.predict(data.test_rows).labels
        out[_privsim_name(name, structure)] = (labels, build_seconds
                                               + time.perf_counter() - started)
    return out


def _privsim_build(data: Labelled, spec: Any, plan: NoisePlan, seed: int
                   ) -> tuple[ClassifierRelease, float]:
    started = time.perf_counter()
    release = build_model(spec, seed=seed, plan=plan,
                          chunks=[(data.train_rows, data.train_labels)])
    if not isinstance(release, ClassifierRelease):
        raise TypeError("a classifier spec built something else")
    return release, time.perf_counter() - started


def privsim_runner(structure: dict[str, Any], rules: Sequence[Rule],
                   exact: Mapping[str, str]) -> Runner:
    """Every rule in ``rules`` on one ``structure`` ({kind, params}): one build per draw
    (public seed ``STRUCTURE_SEED + draw``), noise plan fixed per epsilon. Where the
    rules include ``cosine``, the same release also answers with the dataset's public
    reference (``Labelled.reference_rows``): post-processing, so on the same noise."""
    referenced = "cosine" in rules

    def prepare(data: Labelled, epsilon: float) -> tuple[Any, NoisePlan, Reference | None]:
        spec = parse_model("classifier", {"rule": rules[0], "structure": structure},
                           _data_spec(data), LabelSet(classes=data.classes))
        reference = (Reference.from_points(data.reference_rows, _data_spec(data))
                     if referenced else None)
        return spec, noise_plan(spec, _budget(epsilon)), reference

    def run(data: Labelled, draw: int,
            prepared: tuple[Any, NoisePlan, Reference | None]) -> Outcome:
        spec, plan, reference = prepared
        release, seconds = _privsim_build(data, spec, plan, STRUCTURE_SEED + draw)
        return _predict_rules(data, release, rules, structure, seconds, reference)

    def noiseless(data: Labelled,
                  prepared: tuple[Any, NoisePlan, Reference | None]) -> Outcome:
        """The same build with a plan that releases the exact sums (no noise, no
        privacy): what the rules answer at epsilon = infinity, features included."""
        spec, plan, reference = prepared
        exact_plan = NoisePlan(plan.mechanism, plan.budget,
                               tuple(NoiseSpec(s.statistic, s.size, "none", 0.0, 0.0)
                                     for s in plan.specs))
        release, seconds = _privsim_build(data, spec, exact_plan, STRUCTURE_SEED)
        return _predict_rules(data, release, rules, structure, seconds, reference)

    named = [*rules, WITH_REFERENCE] if referenced else list(rules)
    methods = tuple(Method(_privsim_name(name, structure), "privsim", "privsim classifier",
                           params={"rule": "cosine" if name == WITH_REFERENCE else name,
                                   "structure": structure}
                           | ({"reference": "public rows"} if name == WITH_REFERENCE else {}),
                           exact=exact.get("cosine" if name == WITH_REFERENCE else name))
                    for name in named)
    return Runner(methods, prepare, run, noiseless, cheap=structure["kind"] == "inner_product")


def _class_sums(data: Labelled) -> NDArray[np.float64]:
    rows = DOMAIN.clip(data.train_rows)
    return np.stack([rows[data.train_labels == c].sum(axis=0) for c in data.classes])


def _class_counts(data: Labelled) -> NDArray[np.float64]:
    return np.array([np.sum(data.train_labels == c) for c in data.classes], dtype=np.float64)


def _argmax(scores: NDArray[np.float64], classes: Sequence[int]) -> Labels:
    """The class of each row's largest score ((q, classes) -> (q,))."""
    labels: Labels = np.asarray(classes, dtype=np.int64)[np.argmax(scores, axis=1)]
    return labels


def _cosine_argmax(points: NDArray[np.float64], sums: NDArray[np.float64],
                   classes: Sequence[int]) -> Labels:
    norms = np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-300)
    return _argmax(points @ (sums / norms).T, classes)


def naive_plan(data: Labelled, epsilon: float) -> NoisePlan:
    """The naive baseline's noise: the concatenated class sums, Gaussian mechanism with
    the whole budget, l2 sensitivity 1 (a row of the unit ball moves one class's sum by
    at most its norm; add/remove)."""
    d, k = data.dim, len(data.classes)
    stat = Statistic("class_sums", k * d, DOMAIN.max_l1(d), DOMAIN.max_l2(d))
    return plan_noise([stat], "gaussian", _budget(epsilon))


def naive_baseline(data: Labelled, plan: NoisePlan) -> Labels:
    """Per-class sums of the rows released by ``naive_plan`` (noise: OpenDP through
    ``core.privacy``), then the class whose noisy sum is closest in cosine."""
    k = len(data.classes)
    noisy = plan.apply({"class_sums": _class_sums(data).ravel()})["class_sums"]
    return _cosine_argmax(data.test_rows, noisy.reshape(k, data.dim), data.classes)


def _timed(name: str, run: Callable[[], Labels]) -> Outcome:
    started = time.perf_counter()
    labels = run()
    return {name: (labels, time.perf_counter() - started)}


def naive_runner() -> Runner:
    method = Method(NAIVE, "baseline", "per-class sums, Gaussian mechanism with the whole "
                    "budget (l2 sensitivity 1), cosine to the noisy sums")

    def run(data: Labelled, draw: int, plan: NoisePlan) -> Outcome:
        del draw  # the noise comes from the CSPRNG
        return _timed(NAIVE, lambda: naive_baseline(data, plan))
    return Runner((method,), naive_plan, run, cheap=True)


def cosine_centroid(data: Labelled) -> Labels:
    """Non-private: the class whose exact sum is closest in cosine."""
    return _cosine_argmax(data.test_rows, _class_sums(data), data.classes)


def exact_kernel(data: Labelled, bandwidth: float, rule: str) -> Labels:
    """Non-private: argmax over classes of the exact kernel sum (``sum``) or mean
    (``mean``) of exp(-||x - y||^2 / sigma^2), float64 brute force."""
    X, Y = DOMAIN.clip(data.train_rows), data.test_rows
    sq = (np.einsum("ij,ij->i", Y, Y)[:, None] + np.einsum("ij,ij->i", X, X)[None, :]
          - 2.0 * Y @ X.T)
    K = np.exp(-np.maximum(sq, 0.0) / bandwidth**2)
    scores = np.stack([K[:, data.train_labels == c].sum(axis=1) for c in data.classes], 1)
    if rule == "mean":
        scores = scores / _class_counts(data)
    return _argmax(scores, data.classes)


def exact_inner_mean(data: Labelled) -> Labels:
    """Non-private: argmax over classes of the mean inner product <y, S_c / n_c>."""
    means = _class_sums(data) / _class_counts(data)[:, None]
    return _argmax(data.test_rows @ means.T, data.classes)


def references(data: Labelled) -> dict[str, Labels]:
    """Every non-private reference's predictions on the held-out rows."""
    out = {CENTROID: cosine_centroid(data), INNER_MEAN: exact_inner_mean(data)}
    for sigma in BANDWIDTHS:
        for rule in ("sum", "mean"):
            out[f"kernel {rule} sigma={sigma:g}"] = exact_kernel(data, sigma, rule)
    return out


def diffprivlib_models() -> ModuleType | None:
    """diffprivlib's models, or None where it is not installed (or does not import,
    e.g. with a scikit-learn it does not support)."""
    try:
        return importlib.import_module("diffprivlib.models")
    except ImportError:
        return None


def diffprivlib_runner(models: ModuleType, name: str) -> Runner:
    """diffprivlib's LogisticRegression(epsilon, data_norm=1) or GaussianNB(epsilon,
    bounds), fit + predict; it draws its own noise (random_state=None, its default)."""
    lr = name == DPL_LR
    description = ("LogisticRegression(epsilon, data_norm=1)" if lr else
                   "GaussianNB(epsilon, bounds=the domain's per-coordinate bounds)")

    def fit_predict(data: Labelled, epsilon: float) -> Labels:
        if lr:
            model = models.LogisticRegression(epsilon=epsilon, data_norm=1.0)
        else:
            lo, hi = data.feature_bounds
            model = models.GaussianNB(epsilon=epsilon, bounds=(np.full(data.dim, lo),
                                                               np.full(data.dim, hi)))
        with warnings.catch_warnings():  # its convergence and compatibility notes
            warnings.simplefilter("ignore")
            model.fit(data.train_rows, data.train_labels)
            labels: Labels = np.asarray(model.predict(data.test_rows), dtype=np.int64)
        return labels

    def run(data: Labelled, draw: int, epsilon: float) -> Outcome:
        del draw
        return _timed(name, lambda: fit_predict(data, epsilon))
    return Runner((Method(name, "diffprivlib", description),),
                  lambda data, epsilon: epsilon, run)


def _same_plan(rules: Sequence[Rule]) -> list[tuple[Rule, ...]]:
    """The rules in groups that share one noise plan, so one build serves a group: the
    rules whose labels ignore the class counts give them little budget
    (``COUNTLESS_RULES``), the others an even share."""
    countless = tuple(r for r in rules if r in COUNTLESS_RULES)
    counted = tuple(r for r in rules if r not in COUNTLESS_RULES)
    return [group for group in (countless, counted) if group]


def runners(features: int) -> tuple[list[Runner], dict[str, str]]:
    """The runners of every method, and the methods that cannot run here with the
    reason. privsim: each rule the core offers (``rules_for``) on ``gaussian_kde`` at
    each bandwidth and on ``inner_product``, Gaussian mechanism."""
    out: list[Runner] = []
    for sigma in BANDWIDTHS:
        structure = {"kind": "gaussian_kde", "params": {
            "bandwidth": sigma, "features": features, "mechanism": "gaussian"}}
        exact = {rule: f"kernel {rule} sigma={sigma:g}" for rule in ("sum", "mean")}
        out.extend(privsim_runner(structure, rules, exact)
                   for rules in _same_plan(rules_for("gaussian_kde")))
    inner = {"kind": "inner_product", "params": {"mechanism": "gaussian"}}
    out.extend(privsim_runner(inner, rules, {"cosine": CENTROID, "mean": INNER_MEAN})
               for rules in _same_plan(rules_for("inner_product")))
    out.append(naive_runner())
    models = diffprivlib_models()
    if models is None:
        return out, {DPL_LR: "not installed", DPL_NB: "not installed"}
    return [*out, diffprivlib_runner(models, DPL_LR), diffprivlib_runner(models, DPL_NB)], {}


# --- measuring --------------------------------------------------------------------------

def _accuracy(predicted: Labels, data: Labelled) -> float:
    return float(np.mean(predicted == data.test_labels))


def _timing(samples: list[float]) -> dict[str, Any]:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "samples": samples}


def _without(outcome: Callable[[], Outcome], names: Sequence[str],
             unavailable: dict[str, str]) -> Outcome:
    """``outcome()``, or nothing with every name marked unavailable where the core does
    not build it yet (an import it lacks, a rule it does not implement)."""
    try:
        return outcome()
    except (ImportError, NotImplementedError) as exc:
        unavailable.update((name, f"not available: {exc}") for name in names)
        return {}


def bench_dataset(data: Labelled, runnable: list[Runner], config: Config,
                  unavailable: dict[str, str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Every method at every epsilon, ``config.draws`` builds each (the cheap ones
    ``config.cheap_draws``), round-robin."""
    refs = references(data)
    summary: dict[str, Any] = {
        "label": data.label, "name": data.name, "dim": data.dim,
        "classes": len(data.classes), "train_rows": int(data.train_rows.shape[0]),
        "test_rows": int(data.test_rows.shape[0]), "domain_rule": data.domain_rule,
        "feature_bounds": list(data.feature_bounds), "public_reference": data.public_rule,
        "references": {name: _accuracy(p, data) for name, p in refs.items()},
        "noiseless": {}, "unavailable": dict(unavailable),
    }
    prepared: dict[tuple[int, float], Any] = {}
    plan_seconds: dict[tuple[int, float], float] = {}

    def prepare(index: int, epsilon: float) -> Any:
        """The noise plan, fixed before any build (as the service does at reservation):
        once per runner and epsilon, and not part of the build's time."""
        if (index, epsilon) not in prepared:
            started = time.perf_counter()
            prepared[index, epsilon] = runnable[index].prepare(data, epsilon)
            plan_seconds[index, epsilon] = time.perf_counter() - started
        return prepared[index, epsilon]

    first = config.epsilons[0]
    methods = {m.name: m for runner in runnable for m in runner.methods}
    for index, runner in enumerate(runnable):  # warm-up; the noiseless builds
        names = [m.name for m in runner.methods]
        _without(partial(runner.run, data, 0, prepare(index, first)), names,
                 summary["unavailable"])
        if runner.noiseless is not None:
            noiseless = _without(partial(runner.noiseless, data, prepare(index, first)),
                                 names, summary["unavailable"])
            for name, (labels, _) in noiseless.items():
                exact = methods[name].exact
                summary["noiseless"][name] = {"accuracy": _accuracy(labels, data)} | (
                    {"exact": exact, "agreement": float(np.mean(labels == refs[exact]))}
                    if exact else {})
    results: list[dict[str, Any]] = []
    for epsilon in config.epsilons:
        accuracy: dict[str, list[float]] = {}
        seconds: dict[str, list[float]] = {}
        owner: dict[str, int] = {}
        for draw in range(max(config.draws_of(r) for r in runnable)):
            for index, runner in enumerate(runnable):
                names = [m.name for m in runner.methods]
                if (draw >= config.draws_of(runner)
                        or all(name in summary["unavailable"] for name in names)):
                    continue
                outcome = _without(partial(runner.run, data, draw, prepare(index, epsilon)),
                                   names, summary["unavailable"])
                for name, (labels, spent) in outcome.items():
                    accuracy.setdefault(name, []).append(_accuracy(labels, data))
                    seconds.setdefault(name, []).append(spent)
                    owner[name] = index
        results.extend({"dataset": data.label, "dataset_name": data.name, "method": name,
                        "family": methods[name].family, "epsilon": epsilon,
                        "accuracy": spread(values), "seconds": _timing(seconds[name]),
                        "plan_seconds": plan_seconds[owner[name], epsilon]}
                       for name, values in accuracy.items())
        _log(f"  eps={epsilon:g}: " + ", ".join(
            f"{name} {statistics.fmean(values):.3f}" for name, values in accuracy.items()))
    return summary, results


# --- goals ------------------------------------------------------------------------------

def _cell(results: list[dict[str, Any]], dataset: str, method: str,
          epsilon: float) -> dict[str, Any] | None:
    for r in results:
        if r["dataset_name"] == dataset and r["method"] == method and r["epsilon"] == epsilon:
            return r
    return None


def _mean_acc(results: list[dict[str, Any]], dataset: str, method: str,
              epsilon: float) -> float | None:
    cell = _cell(results, dataset, method, epsilon)
    return None if cell is None else float(cell["accuracy"]["mean"])


def _standard_error(cell: Mapping[str, Any]) -> float:
    samples = cell["accuracy"]["samples"]
    return statistics.stdev(samples) / math.sqrt(len(samples)) if len(samples) > 1 else math.inf


def compare(results: list[dict[str, Any]], dataset: str, mine: str, theirs: str,
            epsilon: float) -> dict[str, Any] | None:
    """``mine`` against ``theirs`` on one cell: the difference of mean accuracies, its
    standard error (independent draws) and the verdict: ``ahead`` or ``behind`` where
    the difference exceeds ``SIGNIFICANCE`` standard errors, else ``tied``."""
    a, b = _cell(results, dataset, mine, epsilon), _cell(results, dataset, theirs, epsilon)
    if a is None or b is None:
        return None
    margin = float(a["accuracy"]["mean"] - b["accuracy"]["mean"])
    se = math.hypot(_standard_error(a), _standard_error(b))
    verdict = ("ahead" if margin > SIGNIFICANCE * se else
               "behind" if margin < -SIGNIFICANCE * se else "tied")
    return {"epsilon": epsilon, "rival": theirs, "margin": margin, "se": se,
            "verdict": verdict}


def goals(datasets: list[dict[str, Any]], results: list[dict[str, Any]],
          epsilons: Sequence[float]) -> dict[str, Any]:
    """The issue's goals, per privsim method and dataset, and the best privsim method.
    A goal to beat a rival is met where the method is ahead by more than
    ``SIGNIFICANCE`` standard errors; a tie within them is reported as such."""
    privsim = sorted({r["method"] for r in results if r["family"] == "privsim"},
                     key=[r["method"] for r in results].index)
    rivals = [NAIVE, DPL_LR, DPL_NB]
    rows = []
    for method in privsim:
        for ds in datasets:
            name = ds["name"]
            compared = [c for epsilon in epsilons if epsilon >= GOAL_MIN_EPSILON
                        for rival in rivals
                        if (c := compare(results, name, method, rival, epsilon)) is not None]
            at_goal = _mean_acc(results, name, method, GOAL_EPSILON)
            centroid = ds["references"][CENTROID]
            rows.append({
                "method": method, "dataset": name,
                "beats_baselines": all(c["verdict"] == "ahead" for c in compared),
                "not_behind": all(c["verdict"] != "behind" for c in compared),
                "losses": [c for c in compared if c["verdict"] != "ahead"],
                "accuracy_at_goal_epsilon": at_goal, "centroid": centroid,
                "within_margin_of_centroid": (at_goal is not None
                                              and at_goal >= centroid - GOAL_MARGIN),
            })
    dataset, epsilon = DEFAULT_GOAL
    naive = _mean_acc(results, dataset, NAIVE, epsilon)
    overall = []
    for method in privsim:
        values = [r["accuracy"]["mean"] for r in results
                  if r["method"] == method and r["epsilon"] >= GOAL_MIN_EPSILON]
        against = compare(results, dataset, method, NAIVE, epsilon)
        overall.append({
            "method": method,
            "mean_accuracy_eps_ge_min": statistics.fmean(values) if values else None,
            "goals_met": sum(int(r["beats_baselines"]) + int(r["within_margin_of_centroid"])
                             for r in rows if r["method"] == method),
            "goals_total": 2 * len(datasets),
            "embeddings_eps1": _mean_acc(results, dataset, method, epsilon),
            "embeddings_eps1_against_naive": against,
            "beats_naive_on_embeddings_eps1": (against is not None
                                               and against["verdict"] == "ahead"),
        })
    ranked = sorted((o for o in overall if o["mean_accuracy_eps_ge_min"] is not None),
                    key=lambda o: -o["mean_accuracy_eps_ge_min"])
    return {"per_dataset": rows, "overall": overall, "naive_embeddings_eps1": naive,
            "significance": SIGNIFICANCE,
            "best": ranked[0]["method"] if ranked else None}


# --- report -----------------------------------------------------------------------------

def _separator(columns: int) -> str:
    return "|" + " --- |" * columns


def _ms(stats: Mapping[str, float]) -> str:
    return f"{1e3 * stats['median']:.1f} [{1e3 * stats['min']:.1f}, {1e3 * stats['max']:.1f}]"


def render_markdown(report: Mapping[str, Any]) -> str:
    settings, machine = report["settings"], report["machine"]
    blas = ", ".join(sorted({f"{b['internal_api']} {b.get('version')} "
                             f"({b.get('architecture', '?')}, {b['num_threads']} threads)"
                             for b in machine["blas"] if b["user_api"] == "blas"}))
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items())
    epsilons = settings["epsilons"]
    heads = " | ".join(f"eps={e:g}" for e in epsilons)
    lines = [
        f"# Classifier benchmark ({report['mode']})", "",
        f"Command: `{report['command']}`; total {report['total_seconds']:.0f} s.",
        f"Machine: {machine['cpu_model']}, {machine['cpu_count']} CPUs "
        f"({machine['cpus_usable']} usable), BLAS {blas} (limited to "
        f"{settings['blas_threads']} thread); {versions}; "
        f"OPENBLAS_CORETYPE={machine['OPENBLAS_CORETYPE']}; load average at the start "
        f"{machine['load_average_start']}, at the end {machine.get('load_average_end')}.",
        f"Settings: Gaussian mechanism at (eps, delta = {settings['delta']}) for privsim "
        "and the naive baseline, pure eps for diffprivlib; add/remove neighbouring; "
        f"{settings['features']} random features; bandwidths sigma in "
        f"{settings['bandwidths']} (a quarter and half of the unit ball's diameter: "
        "the declared domain, never the rows); kernel exp(-|x-y|^2/sigma^2); "
        f"{settings['draws']} independent builds per cell, "
        f"{settings.get('cheap_draws', settings['draws'])} for the cheap methods "
        "(inner_product's rules and the naive baseline) (fresh noise, privsim public "
        f"seed {settings['structure_seed']} + draw); data seed {settings['data_seed']}.",
        "",
        "## Accuracy on the held-out rows: mean ± std over builds", "",
    ]
    for ds in report["datasets"]:
        lines += [f"### {ds['label']}", "",
                  f"Domain: {ds['domain_rule']}. Public reference of `{WITH_REFERENCE}`: "
                  f"{ds['public_reference']}. Non-private references: " + ", ".join(
                      f"{k} {v:.3f}" for k, v in ds["references"].items()) + ".", "",
                  f"| method | {heads} |", _separator(1 + len(epsilons))]
        for method in report["method_order"]:
            cells = []
            for e in epsilons:
                r = next((r for r in report["results"] if r["dataset"] == ds["label"]
                          and r["method"] == method and r["epsilon"] == e), None)
                cells.append("-" if r is None else
                             f"{r['accuracy']['mean']:.3f} ± {r['accuracy']['std']:.3f}")
            if all(c == "-" for c in cells):
                cells = [ds["unavailable"].get(method, "-")] + [""] * (len(epsilons) - 1)
            lines.append(f"| {method} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["## Without noise (privsim, a plan that releases the exact sums)", "",
              "Agreement: the fraction of held-out rows on which the noiseless release "
              "predicts what its exact counterpart does (the random features' share of "
              "the error).", "",
              "| dataset | method | accuracy | exact counterpart | its accuracy | agreement |",
              _separator(6)]
    for ds in report["datasets"]:
        for method, entry in ds["noiseless"].items():
            exact = entry.get("exact")
            lines.append(
                f"| {ds['name']} | {method} | {entry['accuracy']:.3f} | {exact or '-'} | "
                + (f"{ds['references'][exact]:.3f} | {entry['agreement']:.3f} |" if exact
                   else "- | - |"))
    ref_eps = settings["timing_epsilon"]
    lines += ["", f"## Time: build + predict (diffprivlib: fit + predict), eps = {ref_eps:g}",
              "", "Milliseconds, median [min, max] over the builds of the accuracy runs "
              "(round-robin with the other methods); ratio: the diffprivlib method's "
              "median / this one's.", "",
              f"| dataset | method | ms | vs {DPL_LR} | vs {DPL_NB} |", _separator(5)]
    for ds in report["datasets"]:
        cell = {r["method"]: r["seconds"] for r in report["results"]
                if r["dataset"] == ds["label"] and r["epsilon"] == ref_eps}
        for method in report["method_order"]:
            if method not in cell:
                continue
            ratios = [f"{cell[d]['median'] / cell[method]['median']:.2f}x" if d in cell
                      else "not installed" for d in (DPL_LR, DPL_NB)]
            lines.append(f"| {ds['name']} | {method} | {_ms(cell[method])} | "
                         + " | ".join(ratios) + " |")
    g = report["goals"]
    lines += ["", "## Goals", "",
              f"Beat the naive baseline and diffprivlib (mean accuracy) at every eps >= "
              f"{GOAL_MIN_EPSILON:g}; within {100 * GOAL_MARGIN:.0f} points of the "
              f"non-private cosine centroid at eps = {GOAL_EPSILON:g}. A difference "
              f"counts as ahead or behind where it exceeds {g['significance']:g} standard "
              "errors (independent draws), else as tied; each comparison not ahead is "
              "listed as difference ± standard error.", "",
              "| method | dataset | beats baselines at eps >= 0.5 | acc at eps=4 / centroid "
              "| within 5 points |", _separator(5)]
    for row in g["per_dataset"]:
        losses = ", ".join(f"{loss['rival'].split(' (')[0]} at {loss['epsilon']:g} "
                           f"({loss['margin']:+.3f} ± {loss['se']:.3f}, {loss['verdict']})"
                           for loss in row["losses"])
        at = row["accuracy_at_goal_epsilon"]
        lines.append(f"| {row['method']} | {row['dataset']} | "
                     + ("yes" if row["beats_baselines"] else
                        ("not behind; " if row["not_behind"] else "no: ") + losses)
                     + " | "
                     f"{'-' if at is None else f'{at:.3f}'} / {row['centroid']:.3f} | "
                     f"{'yes' if row['within_margin_of_centroid'] else 'no'} |")
    lines += ["", f"Overall (mean accuracy over datasets and eps >= {GOAL_MIN_EPSILON:g}); "
              f"the naive baseline on the sentence embeddings at eps = 1: "
              + (f"{g['naive_embeddings_eps1']:.3f}" if g["naive_embeddings_eps1"] is not None
                 else "-") + ".", "",
              "| method | mean accuracy | goals met | embeddings eps=1 | against naive there |",
              _separator(5)]
    for o in sorted(g["overall"], key=lambda o: -(o["mean_accuracy_eps_ge_min"] or 0.0)):
        mean, e1 = o["mean_accuracy_eps_ge_min"], o["embeddings_eps1"]
        lines.append(f"| {o['method']} | {'-' if mean is None else f'{mean:.3f}'} | "
                     f"{o['goals_met']} / {o['goals_total']} | "
                     f"{'-' if e1 is None else f'{e1:.3f}'} | "
                     + _against(o["embeddings_eps1_against_naive"]) + " |")
    lines += ["", f"Best privsim method overall: {g['best']}."]
    return "\n".join(lines) + "\n"


def _against(comparison: Mapping[str, Any] | None) -> str:
    if comparison is None:
        return "-"
    return f"{comparison['verdict']} ({comparison['margin']:+.3f} ± {comparison['se']:.3f})"


def _versions() -> dict[str, str]:
    out = {}
    for name in ("diffprivlib",):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.models", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="two datasets, two epsilons, two builds, few features")
    parser.add_argument("--draws", type=int, default=None,
                        help="builds per dataset, epsilon and method (default: 5; quick 2)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="directory for models.json and models.md (default: "
                        "bench/results)")
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(arguments)
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    config = QUICK if args.quick else FULL
    draws = args.draws or config.draws
    config = replace(config, draws=draws)
    started = time.perf_counter()
    machine = machine_info()
    machine["versions"] |= _versions()
    runnable, missing = runners(config.features)
    listed = [m for runner in runnable for m in runner.methods]
    datasets, results = [], []
    with threadpool_limits(1):
        for make in config.datasets:
            data = make()
            _log(f"{data.label} ...")
            summary, rows = bench_dataset(data, runnable, config, missing)
            datasets.append(summary)
            results += rows
    machine["load_average_end"] = _load_average()
    order = [m.name for m in listed] + [name for name in (DPL_LR, DPL_NB)
                                           if name in missing]
    report = {
        "benchmark": "models", "mode": config.mode,
        "command": " ".join(["python -m bench.models", *arguments]), "machine": machine,
        "settings": {"epsilons": list(config.epsilons), "delta": DELTA,
                     "draws": config.draws, "cheap_draws": max(config.draws,
                                                               config.cheap_draws),
                     "features": config.features,
                     "bandwidths": list(BANDWIDTHS), "structure_seed": STRUCTURE_SEED,
                     "data_seed": DATA_SEED, "blas_threads": 1, "neighbouring": "add_remove",
                     "domain": "l2_ball radius 1",
                     "timing_epsilon": 1.0 if 1.0 in config.epsilons else config.epsilons[0]},
        "methods": [{"name": m.name, "family": m.family, "description": m.description,
                     "params": m.params, "exact": m.exact} for m in listed]
        + [{"name": name, "family": "diffprivlib", "description": reason}
           for name, reason in missing.items()],
        "method_order": order,
        "datasets": datasets, "results": results,
        "goals": goals(datasets, results, config.epsilons),
        "total_seconds": time.perf_counter() - started,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "models.json").write_text(json.dumps(report, indent=2, allow_nan=False) + "\n")
    table = render_markdown(report)
    (args.out / "models.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
