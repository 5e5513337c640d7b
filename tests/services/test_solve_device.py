"""The solver service on a device: every solver runs through the same core code on
another Array-API namespace (what a GPU worker does with CuPy); the designs' public
randomness stays on the host. array-api-strict stands in for the device here, CuPy in
the gpu-marked test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import array_api_strict as xps
import numpy as np
import pytest

from app.services import solvers
from core.solvers.ot import cost_matrix
from gpu.device import load_cupy


def _ot(return_plan: bool = True, points: bool = False) -> solvers.OtProblem:
    rng = np.random.default_rng(4)
    x, y = rng.uniform(size=(30, 2)), rng.uniform(size=(20, 2))
    cost = None if points else cost_matrix(x, y)
    return solvers.OtProblem(cost, x if points else None, y if points else None,
                             "sqeuclidean", np.full(30, 1 / 30), np.full(20, 1 / 20),
                             reg=0.05, tol=1e-11, sparsity=None, max_iter=5000,
                             time_limit=30.0, return_plan=return_plan)


def _krr(loo: bool = False, student_t: tuple[float, float] | None = None,
         ) -> solvers.KernelRegressionProblem:
    rng = np.random.default_rng(5)
    x = rng.uniform(-1, 1, size=(80, 2))
    return solvers.KernelRegressionProblem(
        x, np.sin(3 * x[:, 0]), rng.uniform(-1, 1, size=(6, 2)), "gaussian_kde",
        {"bandwidth": 0.5}, ridge=1e-3, method="pcg", preconditioner="nystrom", rank=20,
        tol=1e-12, max_iter=2000, time_limit=30.0, student_t=student_t, loo=loo,
        variance=True, seed=0)


def _same_ot(host: solvers.View, device: solvers.View) -> None:
    assert isinstance(host, solvers.OtView)
    assert isinstance(device, solvers.OtView)
    assert device.converged and host.converged
    assert device.cost_value == pytest.approx(host.cost_value, rel=1e-10)
    assert device.iterations == host.iterations
    assert host.plan is not None
    assert device.plan is not None
    np.testing.assert_allclose(device.plan, host.plan, rtol=0, atol=1e-12)


def _same_krr(host: solvers.View, device: solvers.View) -> None:
    assert isinstance(host, solvers.KernelRegressionView)
    assert isinstance(device, solvers.KernelRegressionView)
    assert device.converged and host.converged
    np.testing.assert_allclose(device.mean, host.mean, rtol=1e-9, atol=1e-12)
    assert host.variance is not None
    assert device.variance is not None
    np.testing.assert_allclose(device.variance, host.variance, rtol=1e-7, atol=1e-12)
    if host.loo_residuals is not None:
        assert device.loo_residuals is not None
        np.testing.assert_allclose(device.loo_residuals, host.loo_residuals, rtol=1e-7,
                                   atol=1e-10)


def _seen(to_device: Callable[[Any], Any]) -> tuple[Callable[[Any], Any], list[Any]]:
    moved: list[Any] = []

    def move(array: Any) -> Any:
        moved.append(array)
        return to_device(array)
    return move, moved


@pytest.mark.parametrize("points", [False, True])
def test_ot_on_another_namespace_gives_the_host_answer(points: bool) -> None:
    problem = _ot(points=points)
    move, moved = _seen(xps.asarray)
    _same_ot(solvers.solve(problem), solvers.solve(problem, to_device=move))
    assert len(moved) == (4 if points else 3)  # the cost or both supports, the marginals


@pytest.mark.parametrize(("loo", "student_t"), [(False, None), (True, (2.0, 1.0))])
def test_kernel_regression_on_another_namespace_gives_the_host_answer(
        loo: bool, student_t: tuple[float, float] | None) -> None:
    problem = _krr(loo, student_t)
    move, moved = _seen(xps.asarray)
    _same_krr(solvers.solve(problem), solvers.solve(problem, to_device=move))
    assert len(moved) == 3  # x, y and the points


def _design(y: bool) -> solvers.DesignProblem:
    x = np.linspace(-1, 1, 101)
    return solvers.DesignProblem(x, "legendre", 4, None, "volume", None, 3,
                                 np.cos(x) if y else None)


def _quality(method: str) -> solvers.QualityDiversityProblem:
    rng = np.random.default_rng(6)
    return solvers.QualityDiversityProblem(
        rng.uniform(-1, 1, size=(40, 2)), rng.uniform(0.5, 1.5, 40), "gaussian_kde",
        {"bandwidth": 0.5}, k=5, method=method, seed=11)  # type: ignore[arg-type]


def _same_design(host: solvers.View, device: solvers.View) -> None:
    assert isinstance(host, solvers.DesignView)
    assert isinstance(device, solvers.DesignView)
    assert (device.indices, device.seed, device.full_rank, device.complete) == (
        host.indices, host.seed, host.full_rank, host.complete)
    for left, right in ((device.weights, host.weights),
                        (device.coefficients, host.coefficients)):
        assert (left is None) == (right is None)
        if left is not None:
            np.testing.assert_allclose(left, right, rtol=1e-12)
    for a, b in ((device.gram_condition, host.gram_condition),
                 (device.log_det, host.log_det)):
        assert (a is None) == (b is None)
        if a is not None:
            assert a == pytest.approx(b, rel=1e-10)


@pytest.mark.parametrize("y", [False, True])
def test_a_design_on_another_namespace_gives_the_host_answer(y: bool) -> None:
    move, moved = _seen(xps.asarray)
    _same_design(solvers.solve(_design(y)), solvers.solve(_design(y), to_device=move))
    assert len(moved) == (2 if y else 1)  # the pool, and y when given


@pytest.mark.parametrize("method", ["sample", "greedy"])
def test_quality_diversity_on_another_namespace_gives_the_host_answer(method: str) -> None:
    move, moved = _seen(xps.asarray)
    _same_design(solvers.solve(_quality(method)),
                 solvers.solve(_quality(method), to_device=move))
    assert len(moved) == 2  # the pool and the qualities


@pytest.mark.gpu
def test_cupy_gives_the_host_answer() -> None:
    cp = load_cupy()
    if cp is None:
        pytest.skip("no usable CUDA device: gpu.device.load_cupy() is None")
    _same_ot(solvers.solve(_ot()), solvers.solve(_ot(), to_device=cp.asarray))
    _same_ot(solvers.solve(_ot(points=True)),
             solvers.solve(_ot(points=True), to_device=cp.asarray))
    problem = _krr(True, (2.0, 1.0))
    _same_krr(solvers.solve(problem), solvers.solve(problem, to_device=cp.asarray))
    _same_design(solvers.solve(_design(True)),
                 solvers.solve(_design(True), to_device=cp.asarray))
    for method in ("sample", "greedy"):
        _same_design(solvers.solve(_quality(method)),
                     solvers.solve(_quality(method), to_device=cp.asarray))
