"""The classifier and regressor of core.models against exact brute force (and
scikit-learn's kernel density as the anchor), at a huge epsilon where the noise is
negligible and at ordinary ones."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.neighbors import KernelDensity

from core.domain import L2Ball
from core.errors import InvalidParameter
from core.kinds import kind_def
from core.models import LabelSet, build_model, parse_model
from core.privacy.budget import PrivacyBudget
from core.structures import DataSpec, dump_release, load_release, noise_plan

DIM = 6
CLASSES = (3, 5, 7)
# an epsilon at which the noise is far below almost every margin tested (planning the
# Gaussian mechanism slows down as epsilon grows: 1e3 keeps it under a second)
HUGE = 1e3


def labelled(n: int, seed: int, spread: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """Overlapping Gaussian classes in the unit ball, unequal sizes (priors matter)."""
    rng = np.random.default_rng(seed)
    centres = np.random.default_rng(99).normal(size=(3, DIM)) * 0.3
    labels = rng.choice(np.array(CLASSES), size=n, p=[0.5, 0.3, 0.2])
    rows = centres[np.searchsorted(CLASSES, labels)] + spread * rng.normal(size=(n, DIM))
    rows /= np.maximum(1.0, np.linalg.norm(rows, axis=1, keepdims=True))
    return rows, labels


def build(params: dict, rows: np.ndarray, labels: np.ndarray, epsilon: float,
          neighbouring: str = "add_remove", kind: str = "classifier",
          label_set: LabelSet | None = None, delta: float = 0.0):
    data = DataSpec(DIM, L2Ball(1.0), neighbouring)  # type: ignore[arg-type]
    spec = parse_model(kind, params, data, label_set or LabelSet(classes=CLASSES))
    plan = noise_plan(spec, PrivacyBudget(epsilon, delta))
    return spec, build_model(spec, seed=11, plan=plan, chunks=[(rows[:700], labels[:700]),
                                                                (rows[700:], labels[700:])])


def exact_class_sums(kind: str, spec, rows, labels, points) -> np.ndarray:
    """(q, classes) exact sum_x f(x, y) over each class's rows (the kind's reference)."""
    definition = kind_def(kind)
    return np.stack([definition.reference(spec.base, rows[labels == c], points)
                     for c in CLASSES], axis=1)


@pytest.mark.parametrize("rule", ["sum", "mean"])
def test_at_a_huge_epsilon_the_argmax_is_the_exact_kernel_classifiers(rule: str) -> None:
    rows, labels = labelled(1500, seed=1)
    points, _ = labelled(300, seed=2)
    params = {"rule": rule, "structure": {"kind": "gaussian_kde", "params": {
        "bandwidth": 0.6, "features": 2048, "mechanism": "gaussian"}}}
    spec, release = build(params, rows, labels, HUGE, delta=1e-6)
    exact = exact_class_sums("gaussian_kde", spec, rows, labels, points)
    if rule == "mean":
        exact = exact / np.array([np.sum(labels == c) for c in CLASSES])
    predicted = release.predict(points)
    truth = np.array(CLASSES)[np.argmax(exact, axis=1)]
    # the same classifier without noise (the exact feature sums, same public frequencies,
    # i.e. epsilon = infinity): the identical argmax wherever its margin is above the noise
    builder = spec.builder(11)
    exact_sums = builder.accumulate(spec.data.domain.clip(rows), labels, lambda x: x)
    noiseless = builder.finish(exact_sums, release.plan)
    answers = np.stack([p.query(points, rule).values for p in noiseless.parts], axis=1)
    noise = release.parts[0].query(points[:1], rule).std[0]
    gaps = np.diff(np.sort(answers, axis=1)[:, -2:], axis=1)[:, 0]
    above = gaps > 12 * noise
    assert above.mean() > 0.98
    assert np.array_equal(predicted.labels[above], noiseless.predict(points).labels[above])
    # random features approximate the kernel: the exact kernel classifier's argmax
    # wherever its margin is wider than four times the reported approximation bound
    approx = release.parts[0].query(points[:1], rule).approximation_std[0]
    top2 = np.sort(exact, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 4 * approx
    assert clear.mean() > 0.6 and np.mean(predicted.labels == truth) > 0.97
    assert np.array_equal(predicted.labels[clear], truth[clear])
    # the anchor: scikit-learn's per-class KDE with log priors (exp(-|u|^2/sigma^2) is
    # its Gaussian kernel at h = sigma / sqrt 2) picks the exact sum rule's class
    if rule == "sum":
        h = 0.6 / math.sqrt(2)
        logp = np.stack([KernelDensity(bandwidth=h).fit(rows[labels == c]).score_samples(points)
                         + math.log(np.mean(labels == c)) for c in CLASSES], axis=1)
        assert np.array_equal(np.array(CLASSES)[np.argmax(logp, axis=1)], truth)


def test_cosine_rule_at_a_huge_epsilon_is_the_cosine_centroid_classifier() -> None:
    rows, labels = labelled(1500, seed=3)
    points, _ = labelled(300, seed=4)
    params = {"rule": "cosine",
              "structure": {"kind": "inner_product", "params": {"mechanism": "gaussian"}}}
    _, release = build(params, rows, labels, HUGE, delta=1e-6)
    centroids = np.stack([rows[labels == c].sum(axis=0) for c in CLASSES])
    cos = (points / np.linalg.norm(points, axis=1, keepdims=True)) @ (
        centroids / np.linalg.norm(centroids, axis=1, keepdims=True)).T
    assert np.array_equal(release.predict(points).labels, np.array(CLASSES)[cos.argmax(1)])


def test_vmf_rule_recovers_each_class_concentration() -> None:
    from scipy.stats import vonmises_fisher

    mus = np.eye(DIM)[:3]
    kappas = (20.0, 60.0, 150.0)
    rows = np.concatenate([vonmises_fisher(mu, k).rvs(2000, random_state=i)
                           for i, (mu, k) in enumerate(zip(mus, kappas, strict=True))])
    labels = np.repeat(np.array(CLASSES), 2000)
    params = {"rule": "vmf",
              "structure": {"kind": "inner_product", "params": {"mechanism": "gaussian"}}}
    _, release = build(params, rows, labels, 4.0, delta=1e-6)
    points = np.concatenate([vonmises_fisher(mu, k).rvs(100, random_state=10 + i)
                             for i, (mu, k) in enumerate(zip(mus, kappas, strict=True))])
    truth = np.repeat(np.array(CLASSES), 100)
    prediction = release.predict(points)
    assert np.mean(prediction.labels == truth) > 0.97
    assert np.allclose(prediction.scores.sum(axis=1), 1.0)


def test_replace_one_costs_noise_on_the_class_counts() -> None:
    rows, labels = labelled(1500, seed=5)
    params = {"structure": {"kind": "gaussian_kde", "params": {"bandwidth": 0.6,
                                                               "features": 64}}}
    spec_ar, _ = build(params, rows, labels, 1.0)
    spec_ro, _ = build(params, rows, labels, 1.0, neighbouring="replace_one")
    ar = {s.name: s for s in spec_ar.statistics()}
    ro = {s.name: s for s in spec_ro.statistics()}
    assert ar["count"].l1_sensitivity == 1 and ar["count"].size == 3
    # n is public under replace-one, but a replacement can move a row between classes
    assert ro["count"].l1_sensitivity == 2 and ro["count"].l2_sensitivity == pytest.approx(
        math.sqrt(2))
    assert ro["features"].l2_sensitivity == pytest.approx(2 * ar["features"].l2_sensitivity)


def test_a_class_with_no_rows_still_releases_its_block() -> None:
    rows, labels = labelled(600, seed=6)
    labels = np.where(labels == 7, 5, labels)  # class 7 is declared but empty
    params = {"structure": {"kind": "gaussian_kde", "params": {"bandwidth": 0.6,
                                                               "features": 64}}}
    _, release = build(params, rows, labels, 1.0)
    assert len(release.parts) == 3
    prediction = release.predict(rows[:50])
    assert np.all(prediction.scores > 0) and np.allclose(prediction.scores.sum(axis=1), 1)


def test_release_round_trips_with_shared_frequencies_stored_once() -> None:
    rows, labels = labelled(600, seed=7)
    params = {"rule": "mean", "structure": {"kind": "gaussian_kde", "params": {
        "bandwidth": 0.6, "features": 512, "projection_dim": 4}}}
    _, release = build(params, rows, labels, 1.0)
    blob = dump_release(release)
    loaded = load_release(blob)
    points = rows[:20]
    a, b = release.predict(points), loaded.predict(points)  # type: ignore[attr-defined]
    assert np.array_equal(a.labels, b.labels) and np.allclose(a.scores, b.scores)
    one_class = sum(v.nbytes for v in release.parts[0].arrays().values())
    sums = release.parts[0].arrays()["feature_sum"].nbytes
    # the frequencies and projection are stored once, the three feature sums each
    assert len(blob) < one_class + 2 * sums + 8192  # (headers: about 3 kB)


def test_regressor_at_a_huge_epsilon_is_nadaraya_watson() -> None:
    rng = np.random.default_rng(8)
    rows = rng.uniform(-0.4, 0.4, size=(3000, DIM))
    values = 2.0 + np.sin(4 * rows[:, 0]) + rows[:, 1]
    label_set = LabelSet(label_range=(0.0, 4.0))
    params = {"structure": {"kind": "gaussian_kde", "params": {
        "bandwidth": 0.4, "features": 8192, "mechanism": "gaussian"}}}
    _, release = build(params, rows, values, HUGE, kind="regressor", label_set=label_set,
                       delta=1e-6)
    points = rng.uniform(-0.3, 0.3, size=(50, DIM))
    weights = np.exp(-((points[:, None, :] - rows[None]) ** 2).sum(-1) / 0.4**2)
    exact = weights @ values / weights.sum(axis=1)
    predicted = release.predict(points)
    assert np.max(np.abs(predicted.values - exact)) < 0.05
    assert np.all(predicted.std < 1e-3)


def test_regressor_std_covers_its_error_at_an_ordinary_epsilon() -> None:
    rng = np.random.default_rng(9)
    rows = rng.uniform(-0.4, 0.4, size=(4000, DIM))
    values = 1.0 + rows[:, 0]
    label_set = LabelSet(label_range=(0.0, 2.0))
    params = {"structure": {"kind": "gaussian_kde", "params": {
        "bandwidth": 0.5, "features": 2048, "mechanism": "gaussian"}}}
    points = rng.uniform(-0.2, 0.2, size=(30, DIM))
    weights = np.exp(-((points[:, None, :] - rows[None]) ** 2).sum(-1) / 0.5**2)
    exact = weights @ values / weights.sum(axis=1)
    z = []
    for _ in range(4):
        _, release = build(params, rows, values, 1.0, kind="regressor", label_set=label_set,
                           delta=1e-6)
        predicted = release.predict(points)
        z.append((predicted.values - exact) / predicted.std)
    z_all = np.concatenate(z)
    assert np.mean(np.abs(z_all) < 3) > 0.9  # the reported std is the error's scale


@pytest.mark.parametrize(("kind", "params", "labels", "where"), [
    ("classifier", {"structure": {"kind": "gaussian_kde", "params": {"bandwidth": 0.5}}},
     None, "classes"),
    ("classifier", {"structure": {"kind": "sq_l2_distance", "params": {}}},
     LabelSet(classes=(0, 1)), "distance"),
    ("classifier", {"rule": "vmf", "structure": {"kind": "gaussian_kde",
                                                 "params": {"bandwidth": 0.5}}},
     LabelSet(classes=(0, 1)), "rules"),
    ("classifier", {"structure": {"kind": "gaussian_kde"}, "extra": 1},
     LabelSet(classes=(0, 1)), "unknown"),
    ("regressor", {"structure": {"kind": "inner_product", "params": {}}},
     LabelSet(label_range=(0, 1)), "random-feature"),
    ("regressor", {"structure": {"kind": "gaussian_kde", "params": {"bandwidth": 0.5}}},
     LabelSet(classes=(0, 1)), "label_range"),
    ("ranker", {}, None, "kind"),
])
def test_bad_model_requests_are_refused(kind: str, params: dict, labels: LabelSet | None,
                                        where: str) -> None:
    with pytest.raises(InvalidParameter, match=where):
        parse_model(kind, params, DataSpec(DIM, L2Ball(1.0), "add_remove"), labels)


def test_label_sets() -> None:
    assert LabelSet(classes=(2, 1)).classes == (1, 2)
    for bad in ({"classes": (1,)}, {"classes": (1, 1)}, {"label_range": (1.0, 1.0)},
                {"label_range": (0.0, math.inf)}, {}):
        with pytest.raises(InvalidParameter):
            LabelSet(**bad)  # type: ignore[arg-type]
    LabelSet(classes=(0, 1)).check_labels(np.array([0, 1, 1]))
    with pytest.raises(InvalidParameter, match="declared classes"):
        LabelSet(classes=(0, 1)).check_labels(np.array([0, 2]))
    with pytest.raises(InvalidParameter, match="label_range"):
        LabelSet(label_range=(0.0, 1.0)).check_labels(np.array([0.5, np.nan]))
