"""The solver service on a device: optimal transport and kernel regression run through
the same core code on another Array-API namespace (what a GPU worker does with CuPy);
designs stay on the host. array-api-strict stands in for the device here, CuPy in the
gpu-marked test."""

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


def test_designs_stay_on_the_host() -> None:
    problem = solvers.DesignProblem(np.linspace(-1, 1, 101), "legendre", 4, None, "volume",
                                    None, 3, None)
    move, moved = _seen(xps.asarray)
    assert solvers.solve(problem, to_device=move) == solvers.solve(problem)
    assert moved == []


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
