"""Kernel ridge / GP regression by PCG (core/solvers/kernel_regression.py; derivations:
docs/solvers/kernel_regression.md): the kernel matrices against every kind's exact brute
force, the fits against scikit-learn's KernelRidge and GaussianProcessRegressor and
against the dense Cholesky solve, the preconditioners' iteration counts, the Student-t
predictive's limit, leave-one-out residuals against brute-force refits, the caps and the
refusals, and NumPy against array-api-strict (and CuPy where a device is present)."""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable
from typing import Any

import array_api_strict as xps
import numpy as np
import pytest
from numpy.typing import NDArray
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF
from sklearn.kernel_ridge import KernelRidge

import core.solvers.kernel_regression as kr
from core.domain import L2Ball
from core.errors import InvalidParameter
from core.kinds import kind_def
from core.solvers.kernel_regression import (
    DISTANCE_KINDS,
    KERNEL_KINDS,
    KernelRegression,
    SolveInfo,
    fit,
    kernel_matrix,
    make_kernel,
)
from core.structures import DataSpec, parse_spec
from tests.unit.core.progress_checks import Cancelled, assert_progress, cancel_on_call, recorder

H = 0.5  # gaussian_kde bandwidth: exp(-|x - y|^2 / H^2), sklearn's rbf gamma = 1 / H^2
GAUSS: dict[str, Any] = {"bandwidth": H}
PRECONDITIONERS = ("nystrom", "pivoted_cholesky", "none")


def data(n: int, d: int, seed: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-0.5, 0.5, size=(n, d))
    y = np.sin(3.0 * X[:, 0]) + X[:, -1] ** 2 + 0.1 * rng.standard_normal(n)
    return X, y


def kernel_params(kind: str) -> dict[str, Any]:
    params = dict(kind_def(kind).example_params)
    params.pop("projection_dim", None)  # a structure's projection; needs d >= its k
    return params


def rel(a: Any, b: Any) -> float:
    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


# --- kernels ---------------------------------------------------------------------------

KERNEL_CASES = [(kind, kernel_params(kind)) for kind in KERNEL_KINDS] + [
    ("cauchy_kde", {"bandwidth": 0.7, "metric_input": "l2"}),
    ("cauchy_kde", {"bandwidth": 0.7, "metric_input": "l1"}),
]


@pytest.mark.parametrize(("kind", "params"), KERNEL_CASES)
def test_kernel_matrix_matches_the_kinds_brute_force(kind: str, params: dict[str, Any]) -> None:
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 3)) * 1.5  # beyond the unit ball: the kernel has no domain
    X[0] = 0.0  # the zero row (relu kernels: 0; vmf: e_1)
    Y = np.vstack([rng.standard_normal((25, 3)), X[:5]])  # including exact repeats
    K = np.asarray(kernel_matrix(kind, params, X, Y))
    spec = parse_spec(kind, params, DataSpec(3, L2Ball(1.0), "add_remove"))
    ref = np.stack([kind_def(kind).reference(spec, X[i:i + 1], Y) for i in range(X.shape[0])])
    assert K.shape == (40, 30)
    np.testing.assert_allclose(K, ref, rtol=1e-12, atol=1e-13 * np.max(np.abs(ref)))
    kernel = make_kernel(kind, params, 3)
    diag = np.asarray(kernel.diagonal(X))
    np.testing.assert_allclose(diag, [kind_def(kind).reference(spec, x[None], x[None])[0]
                                      for x in X], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("kind", KERNEL_KINDS)
def test_the_domain_does_not_change_the_kernel(kind: str) -> None:
    rng = np.random.default_rng(2)
    X, Y = rng.standard_normal((6, 4)) * 3.0, rng.standard_normal((5, 4)) * 3.0
    values = [kind_def(kind).reference(
        parse_spec(kind, kernel_params(kind), DataSpec(4, L2Ball(r), "add_remove")), X, Y)
        for r in (1.0, 10.0, 1e3)]
    np.testing.assert_array_equal(values[0], values[1])
    np.testing.assert_array_equal(values[0], values[2])


@pytest.mark.parametrize("kind", DISTANCE_KINDS)
def test_distances_are_refused(kind: str) -> None:
    X, y = data(10, 2, 0)
    with pytest.raises(InvalidParameter, match="not a positive-definite kernel") as exc:
        fit(kind, {}, X, y, ridge=1.0)
    assert exc.value.name == "kind"
    with pytest.raises(InvalidParameter, match="not a positive-definite kernel"):
        kernel_matrix(kind, {}, X, X)


# --- anchors ---------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "preconditioner"),
                         [("cholesky", "none")] + [("pcg", p) for p in PRECONDITIONERS])
def test_matches_sklearn_kernel_ridge(method: Any, preconditioner: Any) -> None:
    X, y = data(200, 3, 3)
    Xs, _ = data(60, 3, 4)
    ridge = 1e-3
    model = fit("gaussian_kde", GAUSS, X, y, ridge=ridge, method=method,
                preconditioner=preconditioner, rank=60)
    assert model.info.converged
    mean, _ = model.predict(Xs)
    rbf = KernelRidge(alpha=ridge, kernel="rbf", gamma=1.0 / H**2).fit(X, y).predict(Xs)
    assert rel(mean, rbf) < 1e-8
    K = np.asarray(kernel_matrix("gaussian_kde", GAUSS, X, X))
    Ks = np.asarray(kernel_matrix("gaussian_kde", GAUSS, Xs, X))
    pre = KernelRidge(alpha=ridge, kernel="precomputed").fit(K, y).predict(Ks)
    assert rel(mean, pre) < 1e-8


@pytest.mark.parametrize(("method", "preconditioner"),
                         [("cholesky", "none"), ("pcg", "pivoted_cholesky"), ("pcg", "nystrom")])
def test_matches_sklearn_gp_regression(method: Any, preconditioner: Any) -> None:
    X, y = data(150, 2, 5)
    Xs, _ = data(40, 2, 6)
    Xs[:5] = X[:5]  # at training points the std is smallest
    ridge = 1e-2
    gp = GaussianProcessRegressor(kernel=RBF(length_scale=H / math.sqrt(2.0)), alpha=ridge,
                                  optimizer=None).fit(X, y)
    gp_mean, gp_std = gp.predict(Xs, return_std=True)
    model = fit("gaussian_kde", GAUSS, X, y, ridge=ridge, method=method,
                preconditioner=preconditioner, rank=40)
    mean, var = model.predict(Xs)
    assert rel(mean, gp_mean) < 1e-8
    np.testing.assert_allclose(np.sqrt(var), gp_std, rtol=1e-8)
    post = model.posterior(Xs)
    assert post.dof is None and post.info is not None and post.info.converged
    np.testing.assert_array_equal(post.scale, post.variance)


@pytest.mark.parametrize("preconditioner", PRECONDITIONERS)
def test_pcg_equals_cholesky(preconditioner: Any) -> None:
    X, y = data(250, 3, 7)
    chol = fit("gaussian_kde", GAUSS, X, y, ridge=1e-4, method="cholesky")
    pcg = fit("gaussian_kde", GAUSS, X, y, ridge=1e-4, preconditioner=preconditioner,
              rank=80)
    assert pcg.info.converged and pcg.info.stopped == "converged"
    assert pcg.info.residual < 1e-8
    assert rel(pcg.alpha, chol.alpha) < 1e-8
    assert chol.info.stopped == "direct" and chol.info.iterations == 0


def test_preconditioners_cut_the_iterations_on_an_ill_conditioned_system() -> None:
    X, y = data(300, 2, 8)  # smooth kernel in 2-D, tiny ridge: condition number ~ 1e8
    runs = {p: fit("gaussian_kde", GAUSS, X, y, ridge=1e-6, preconditioner=p, rank=60,
                   max_iter=3_000).info for p in PRECONDITIONERS}
    assert runs["nystrom"].converged and runs["pivoted_cholesky"].converged
    assert runs["nystrom"].rank == 60 and runs["pivoted_cholesky"].rank <= 60
    for p in ("nystrom", "pivoted_cholesky"):
        assert 3 * runs[p].iterations < runs["none"].iterations


# --- Student-t and leave-one-out -------------------------------------------------------

def test_student_t_reduces_to_the_gp_as_the_prior_concentrates() -> None:
    X, y = data(120, 2, 9)
    Xs, _ = data(30, 2, 10)
    gp = fit("gaussian_kde", GAUSS, X, y, ridge=1e-2, method="cholesky")
    gp_mean, gp_var = gp.predict(Xs)
    gaps = []
    for a in (1e2, 1e4, 1e6, 1e8):
        t = fit("gaussian_kde", GAUSS, X, y, ridge=1e-2, method="cholesky", student_t=(a, a))
        post = t.posterior(Xs)
        assert post.dof == 2 * a + 120
        np.testing.assert_array_equal(post.mean, gp_mean)
        gaps.append(rel(post.scale, gp_var))
        np.testing.assert_allclose(post.variance, post.scale * post.dof / (post.dof - 2))
    assert all(b < a for a, b in itertools.pairwise(gaps))
    assert gaps[-1] < 1e-6


def test_student_t_scale_is_the_posterior_mean_of_the_output_scale() -> None:
    X, y = data(50, 2, 11)
    Xs, _ = data(10, 2, 12)
    a, b, ridge = 3.0, 2.0, 0.1
    model = fit("gaussian_kde", GAUSS, X, y, ridge=ridge, method="cholesky", student_t=(a, b))
    K = np.asarray(kernel_matrix("gaussian_kde", GAUSS, X, X))
    quad = float(y @ np.linalg.solve(K + ridge * np.eye(50), y))
    post = model.posterior(Xs)
    _, latent = fit("gaussian_kde", GAUSS, X, y, ridge=ridge, method="cholesky").predict(Xs)
    np.testing.assert_allclose(post.scale, latent * (2 * b + quad) / (2 * a + 50), rtol=1e-12)
    one = fit("gaussian_kde", GAUSS, X[:1], y[:1], ridge=ridge, student_t=(0.25, 1.0))
    assert one.posterior(Xs).dof == 1.5
    assert np.all(np.isinf(one.predict(Xs)[1]))


def brute_loo(kind: str, params: dict[str, Any], X: NDArray[np.float64],
              y: NDArray[np.float64], ridge: float) -> NDArray[np.float64]:
    out = np.empty(len(y))
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        model = fit(kind, params, X[keep], y[keep], ridge=ridge, method="cholesky")
        out[i] = y[i] - float(model.predict(X[i:i + 1])[0][0])
    return out


@pytest.mark.parametrize(("kind", "method"), [("gaussian_kde", "pcg"),
                                              ("gaussian_kde", "cholesky"),
                                              ("laplace_kde", "pcg")])
def test_loo_residuals_match_brute_force_refits(kind: str, method: Any) -> None:
    X, y = data(40, 3, 13)
    params = GAUSS if kind == "gaussian_kde" else {"bandwidth": 0.8}
    model = fit(kind, params, X, y, ridge=1e-2, method=method, loo=True)
    assert model.loo_method == "exact" and model.loo_info is None
    np.testing.assert_allclose(model.loo_residuals, brute_loo(kind, params, X, y, 1e-2),
                               rtol=1e-8, atol=1e-10)


def test_hutchinson_loo_above_the_exact_size(monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = data(200, 3, 14)
    exact = fit("gaussian_kde", GAUSS, X, y, ridge=1e-2, loo=True).loo_residuals
    monkeypatch.setattr(kr, "LOO_EXACT_MAX", 100)
    model = fit("gaussian_kde", GAUSS, X, y, ridge=1e-2, loo=True, rank=100, loo_probes=32)
    assert model.loo_method == "hutchinson"
    assert model.loo_info is not None and model.loo_info.converged
    err = np.abs(np.asarray(model.loo_residuals) / np.asarray(exact) - 1.0)
    assert float(np.median(err)) < 0.02 and float(np.max(err)) < 0.5
    assert np.corrcoef(model.loo_residuals, exact)[0, 1] > 0.99


# --- other kinds -----------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["laplace_kde", "relu_nngp", "relu_ntk", "vmf_kde",
                                  "cauchy_kde", "exponential_kde", "inner_product"])
def test_other_kinds_fit_and_predict(kind: str) -> None:
    X, y = data(120, 3, 15)
    Xs, _ = data(20, 3, 16)
    params = kernel_params(kind)
    ridge = 1e-2
    model = fit(kind, params, X, y, ridge=ridge, rank=40)
    assert model.info.converged
    chol = fit(kind, params, X, y, ridge=ridge, method="cholesky")
    assert rel(model.alpha, chol.alpha) < 1e-8
    K = np.asarray(kernel_matrix(kind, params, X, X))
    Ks = np.asarray(kernel_matrix(kind, params, Xs, X))
    sk = KernelRidge(alpha=ridge, kernel="precomputed").fit(K, y).predict(Ks)
    mean, var = model.predict(Xs)
    assert rel(mean, sk) < 1e-8
    Kss = np.diag(np.asarray(kernel_matrix(kind, params, Xs, Xs)))
    brute = Kss - np.sum(Ks.T * np.linalg.solve(K + ridge * np.eye(120), Ks.T), axis=0)
    np.testing.assert_allclose(var, np.maximum(brute, 0.0), atol=1e-9 * np.max(Kss))


# --- caps and refusals -----------------------------------------------------------------

def test_iteration_and_time_caps_are_reported() -> None:
    X, y = data(200, 2, 17)
    one = fit("gaussian_kde", GAUSS, X, y, ridge=1e-6, max_iter=1)
    assert not one.info.converged and one.info.stopped == "max_iter"
    assert one.info.iterations == 1 and np.all(np.isfinite(one.alpha))
    assert math.isfinite(one.info.residual) and one.info.residual > 1e-6
    late = fit("gaussian_kde", GAUSS, X, y, ridge=1e-6, preconditioner="none",
               time_limit=1e-9)
    assert not late.info.converged and late.info.stopped == "time_limit"
    assert np.all(np.isfinite(late.alpha))
    post = one.posterior(X[:5])
    assert post.info is not None and not post.info.converged


def test_a_singular_system_is_refused_or_reported_never_hangs() -> None:
    X = np.zeros((20, 2))  # K = 1 1' exactly, rank one
    y = np.arange(20.0)
    for method in ("cholesky", "pcg"):
        with pytest.raises(InvalidParameter, match="rounds to K") as exc:
            fit("gaussian_kde", GAUSS, X, y, ridge=1e-300, method=method)  # type: ignore[arg-type]
        assert exc.value.name == "ridge"
    for preconditioner in PRECONDITIONERS:  # at the floor: solved or reported, and finite
        model = fit("gaussian_kde", GAUSS, X, y, ridge=1e-14, max_iter=200,
                    preconditioner=preconditioner)  # type: ignore[arg-type]
        assert np.all(np.isfinite(model.alpha)) and math.isfinite(model.info.residual)
        assert model.info.converged == (model.info.stopped == "converged")
    X2, y2 = data(100, 2, 24)  # near-singular (duplicated rows), tiny ridge: PCG stops at a cap
    X2[50:] = X2[:50]
    capped = fit("gaussian_kde", GAUSS, X2, y2, ridge=1e-13, preconditioner="none",
                 max_iter=50)
    assert not capped.info.converged and np.all(np.isfinite(capped.alpha))


@pytest.mark.parametrize(("change", "name"), [
    ({"X": "nan"}, "X"), ({"y": "inf"}, "y"), ({"ridge": 0.0}, "ridge"),
    ({"ridge": -1.0}, "ridge"), ({"ridge": math.nan}, "ridge"), ({"y": "short"}, "y"),
    ({"X": "1d"}, "X"), ({"method": "lu"}, "method"), ({"preconditioner": "ilu"},
                                                        "preconditioner"),
    ({"rank": 0}, "rank"), ({"max_iter": 0}, "max_iter"), ({"tol": 0.0}, "tol"),
    ({"time_limit": -1.0}, "time_limit"), ({"student_t": (1.0, -1.0)}, "student_t.b"),
    ({"student_t": (1.0,)}, "student_t"), ({"kind": "no_such_kind"}, "kind"),
    ({"params": {"bandwidth": -1.0}}, "params.bandwidth"),
])
def test_bad_input_is_refused(change: dict[str, Any], name: str) -> None:
    X, y = data(20, 2, 18)
    args: dict[str, Any] = {"kind": "gaussian_kde", "params": GAUSS, "X": X.copy(),
                            "y": y.copy(), "ridge": 1e-2}
    for key, value in change.items():
        if value == "nan":
            args[key][3, 1] = math.nan
        elif value == "inf":
            args[key][2] = math.inf
        elif value == "short":
            args[key] = y[:-1]
        elif value == "1d":
            args[key] = X[:, 0]
        else:
            args[key] = value
    kind, params, Xa, ya = args.pop("kind"), args.pop("params"), args.pop("X"), args.pop("y")
    with pytest.raises(InvalidParameter) as exc:
        fit(kind, params, Xa, ya, **args)
    assert exc.value.name == name


def test_predict_refuses_the_wrong_dimension() -> None:
    X, y = data(20, 2, 19)
    model = fit("gaussian_kde", GAUSS, X, y, ridge=1e-2)
    with pytest.raises(InvalidParameter, match="2 columns"):
        model.predict(np.zeros((3, 3)))
    with pytest.raises(InvalidParameter, match="finite"):
        model.predict(np.full((3, 2), math.inf))


# --- progress --------------------------------------------------------------------------

def timeless(info: SolveInfo | None) -> SolveInfo | None:
    return None if info is None else dataclasses.replace(info, seconds=0.0)


def assert_same_model(left: KernelRegression, right: KernelRegression) -> None:
    np.testing.assert_array_equal(np.asarray(left.alpha), np.asarray(right.alpha))
    assert (left.loo_residuals is None) == (right.loo_residuals is None)
    if left.loo_residuals is not None:
        np.testing.assert_array_equal(np.asarray(left.loo_residuals),
                                      np.asarray(right.loo_residuals))
    assert timeless(left.info) == timeless(right.info)
    assert timeless(left.loo_info) == timeless(right.loo_info)


FIT_CASES: dict[str, tuple[dict[str, Any], int | None]] = {  # options, exact LOO cap
    "pcg": ({"preconditioner": "nystrom", "rank": 20}, None),
    "pcg_none_loo": ({"preconditioner": "none", "loo": True}, None),
    "pcg_hutchinson_loo": ({"preconditioner": "pivoted_cholesky", "rank": 20, "loo": True,
                            "loo_probes": 8}, 50),
    "cholesky": ({"method": "cholesky"}, None),
    "cholesky_loo": ({"method": "cholesky", "loo": True}, None),
    "strict_pcg_loo": ({"preconditioner": "nystrom", "rank": 20, "loo": True}, None),
}


def fit_case(name: str, monkeypatch: pytest.MonkeyPatch,
             ) -> tuple[Any, Any, dict[str, Any]]:
    options, exact_max = FIT_CASES[name]
    if exact_max is not None:
        monkeypatch.setattr(kr, "LOO_EXACT_MAX", exact_max)
    X, y = data(80, 2, 25)
    if name.startswith("strict"):
        return xps.asarray(X), xps.asarray(y), {"ridge": 1e-4, **options}
    return X, y, {"ridge": 1e-4, **options}


@pytest.mark.parametrize("case", list(FIT_CASES))
def test_fit_progress_is_monotone_per_iteration_and_ends_at_one(
        case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    X, y, options = fit_case(case, monkeypatch)
    told, progress = recorder()
    model = fit("gaussian_kde", GAUSS, X, y, progress=progress, **options)
    iterations = model.info.iterations + (model.loo_info.iterations if model.loo_info else 0)
    assert_progress(told, iterations + 3)  # + checked, fit solved, finished
    assert_same_model(model, fit("gaussian_kde", GAUSS, X, y, **options))
    if options.get("loo"):  # the fit's solve maps to [0, 0.5], the LOO to [0.5, 1]
        half = told.index(0.5)
        assert half >= model.info.iterations
        loo_iterations = model.loo_info.iterations if model.loo_info else 0
        assert len(told) - half > loo_iterations
        assert model.loo_method == ("hutchinson" if case == "pcg_hutchinson_loo" else "exact")


@pytest.mark.parametrize("case", list(FIT_CASES))
def test_an_exception_from_progress_stops_the_fit(
        case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    X, y, options = fit_case(case, monkeypatch)
    with pytest.raises(Cancelled):
        fit("gaussian_kde", GAUSS, X, y, progress=cancel_on_call(3), **options)


def test_pcg_progress_is_the_ratio_toward_the_first_stopping_rule() -> None:
    X, y = data(200, 2, 17)  # ridge 1e-6, no preconditioner: far from 1e-10 in 10 steps
    told, progress = recorder()
    capped = fit("gaussian_kde", GAUSS, X, y, ridge=1e-6, preconditioner="none", max_iter=10,
                 progress=progress)
    assert capped.info.stopped == "max_iter"
    assert len(told) == 2 + 11 + 2  # checked, set up, before each iteration and at the cap,
    #                                 the solve's end, finished
    assert all(told[2 + k] >= k / 10 for k in range(11))
    assert told[2 + 9] < 1.0
    told, progress = recorder()
    converged = fit("gaussian_kde", GAUSS, X, y, ridge=1e-2, rank=50, progress=progress)
    assert converged.info.converged
    assert told[2 + converged.info.iterations] == 1.0  # the residual reached tol
    assert told[3] < 0.5  # one iteration is not half way to 1e-10


@pytest.mark.parametrize(("method", "student_t", "strict"),
                         [("pcg", None, False), ("pcg", (2.0, 3.0), True),
                          ("cholesky", None, False), ("cholesky", (2.0, 3.0), False)])
def test_posterior_progress(method: Any, student_t: Any, strict: bool) -> None:
    X0, y0 = data(80, 2, 26)
    wrap: Callable[[Any], Any] = xps.asarray if strict else np.asarray
    X, y, Xs = wrap(X0), wrap(y0), wrap(data(15, 2, 27)[0])
    model = fit("gaussian_kde", GAUSS, X, y, ridge=1e-4, method=method, rank=20,
                student_t=student_t)
    told, progress = recorder()
    post = model.posterior(Xs, progress=progress)
    assert post.info is not None
    assert_progress(told, post.info.iterations + 2)  # + checked, finished
    plain = model.posterior(Xs)
    for a, b in [(post.mean, plain.mean), (post.variance, plain.variance),
                 (post.scale, plain.scale)]:
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert timeless(post.info) == timeless(plain.info) and post.dof == plain.dof
    with pytest.raises(Cancelled):
        model.posterior(Xs, progress=cancel_on_call(3))
    told, progress = recorder()
    model.posterior(Xs, variance=False, progress=progress)
    assert told == [0.0, 1.0]


# --- array namespaces ------------------------------------------------------------------

@pytest.mark.parametrize(("method", "preconditioner"),
                         [("cholesky", "none")] + [("pcg", p) for p in PRECONDITIONERS])
def test_array_api_strict_matches_numpy(method: Any, preconditioner: Any) -> None:
    X, y = data(60, 3, 20)
    Xs, _ = data(10, 3, 21)
    kwargs: dict[str, Any] = {"ridge": 1e-3, "method": method, "rank": 20,
                              "preconditioner": preconditioner, "loo": True,
                              "student_t": (2.0, 3.0)}
    ref = fit("relu_ntk", {}, X, y, **kwargs)
    got = fit("relu_ntk", {}, xps.asarray(X), xps.asarray(y), **kwargs)
    mean, var = got.predict(xps.asarray(Xs))
    assert isinstance(mean, type(xps.asarray(0.0)))
    ref_mean, ref_var = ref.predict(Xs)
    np.testing.assert_allclose(np.asarray(mean), ref_mean, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(np.asarray(var), ref_var, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(np.asarray(got.loo_residuals), ref.loo_residuals, rtol=1e-10)
    assert got.info.iterations == ref.info.iterations


@pytest.mark.gpu
@pytest.mark.parametrize("preconditioner", PRECONDITIONERS)
def test_cupy_matches_numpy(preconditioner: Any) -> None:
    cp = pytest.importorskip("cupy")
    from gpu.device import load_cupy

    if load_cupy() is None:
        pytest.skip("no usable CUDA device")
    X, y = data(500, 8, 22)
    Xs, _ = data(50, 8, 23)
    kwargs: dict[str, Any] = {"ridge": 1e-4, "preconditioner": preconditioner, "rank": 100,
                              "loo": True}
    ref = fit("gaussian_kde", GAUSS, X, y, **kwargs)
    got = fit("gaussian_kde", GAUSS, cp.asarray(X), cp.asarray(y), **kwargs)
    mean, var = got.predict(cp.asarray(Xs))
    assert isinstance(mean, cp.ndarray)
    ref_mean, ref_var = ref.predict(Xs)
    assert got.info.converged
    assert rel(cp.asnumpy(got.alpha), ref.alpha) < 1e-8
    np.testing.assert_allclose(cp.asnumpy(mean), ref_mean, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(cp.asnumpy(var), ref_var, rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(cp.asnumpy(got.loo_residuals), ref.loo_residuals, rtol=1e-6)
