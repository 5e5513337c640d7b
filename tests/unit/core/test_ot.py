"""Sinkhorn-Newton-Sparse entropic OT (core/solvers/ot.py) against POT: the same plan
and transport cost as ``ot.sinkhorn(..., method="sinkhorn_log")`` run to 1e-14, the
marginals within the tolerance, a dual that rises at every step, far fewer iterations
than Sinkhorn on the random-assignment case, the caps, the refusals, and
``cost_matrix`` against ``scipy.spatial.distance.cdist``."""

from __future__ import annotations

import math
from typing import Any

import array_api_strict as xps
import numpy as np
import ot
import pytest
from array_api_compat import array_namespace
from numpy.typing import NDArray
from scipy.spatial.distance import cdist
from scipy.special import logsumexp

from core._array import to_host
from core.errors import InvalidParameter
from core.solvers import ot as ot_module
from core.solvers.ot import (
    OtResult,
    cost_matrix,
    default_sparsity,
    sinkhorn_newton_sparse,
)
from gpu.device import load_cupy
from tests.unit.core.progress_checks import Cancelled, assert_progress, cancel_on_call, recorder

POT_TOL = 1e-14  # POT's stopThr (L2 norm of the column-marginal error)
SNS_TOL = 1e-13  # our tol (L1 error of both marginals)


def problem(n: int, m: int, seed: int, uniform: bool,
            ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Points in the unit square, squared Euclidean cost, uniform or Dirichlet weights."""
    rng = np.random.default_rng(seed)
    M = cost_matrix(rng.uniform(size=(n, 2)), rng.uniform(size=(m, 2)))
    a = np.full(n, 1.0 / n) if uniform else rng.dirichlet(np.ones(n))
    b = np.full(m, 1.0 / m) if uniform else rng.dirichlet(np.ones(m))
    return M, a, b


def pot_plan(M: NDArray[np.float64], a: NDArray[np.float64], b: NDArray[np.float64],
             reg: float) -> NDArray[np.float64]:
    plan = ot.sinkhorn(a, b, M, reg, method="sinkhorn_log", stopThr=POT_TOL,
                       numItermax=200_000, warn=False)
    return np.asarray(plan)


def marginal_error(plan: NDArray[np.float64], a: NDArray[np.float64],
                   b: NDArray[np.float64]) -> float:
    return float(np.abs(plan.sum(1) - a).sum() + np.abs(plan.sum(0) - b).sum())


def random_assignment(n: int, seed: int = 0) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The paper's random-assignment case: cost uniform on [0, 1], uniform marginals."""
    return np.random.default_rng(seed).uniform(size=(n, n)), np.full(n, 1.0 / n)


CASES = [  # n, m, reg, uniform marginals
    (30, 50, 0.05, True),
    (60, 40, 0.01, False),
    (80, 80, 0.005, False),
    (25, 25, 0.5, False),
    (1, 7, 0.1, False),
]


@pytest.mark.parametrize(("n", "m", "reg", "uniform"), CASES)
def test_cost_and_plan_match_pot_sinkhorn_log(n: int, m: int, reg: float, uniform: bool) -> None:
    M, a, b = problem(n, m, seed=n + m, uniform=uniform)
    expected = pot_plan(M, a, b, reg)
    result = sinkhorn_newton_sparse(M, a, b, reg=reg, tol=SNS_TOL, return_plan=True)
    assert result.converged
    assert result.iterations == result.sinkhorn_iterations + result.newton_iterations
    assert result.cost_value == pytest.approx(float(np.sum(expected * M)), rel=1e-9)
    assert result.plan is not None
    np.testing.assert_allclose(result.plan, expected, rtol=0, atol=1e-12)
    assert marginal_error(result.plan, a, b) < SNS_TOL
    assert result.marginal_error == pytest.approx(marginal_error(result.plan, a, b),
                                                  rel=0.05, abs=1e-15)  # rounding of sums
    # the potentials give the plan: P_ij = exp((f_i + g_j - M_ij) / reg)
    np.testing.assert_allclose(np.exp((result.f[:, None] + result.g[None, :] - M) / reg),
                               result.plan, rtol=1e-10, atol=1e-300)


@pytest.mark.parametrize("linear_solver", ["cg", "direct"])
def test_both_linear_solvers_reach_pot(linear_solver: str) -> None:
    M, a, b = problem(40, 30, seed=7, uniform=False)
    expected = pot_plan(M, a, b, 0.01)
    result = sinkhorn_newton_sparse(M, a, b, reg=0.01, tol=SNS_TOL, warmup=5,
                                    linear_solver=linear_solver)
    assert result.converged and result.newton_iterations > 0
    assert {s.solver for s in result.history if s.kind == "newton"} == {linear_solver}
    assert result.cost_value == pytest.approx(float(np.sum(expected * M)), rel=1e-9)


def test_mass_other_than_one_and_lists() -> None:
    M, a, b = problem(20, 30, seed=3, uniform=False)
    expected = pot_plan(M, 3.0 * a, 3.0 * b, 0.02)
    result = sinkhorn_newton_sparse(M.tolist(), (3.0 * a).tolist(), (3.0 * b).tolist(),
                                    reg=0.02, tol=SNS_TOL, return_plan=True)
    assert result.converged
    assert result.cost_value == pytest.approx(float(np.sum(expected * M)), rel=1e-9)
    assert result.plan is not None
    np.testing.assert_allclose(result.plan, expected, rtol=0, atol=1e-12)
    assert marginal_error(result.plan, 3.0 * a, 3.0 * b) < 3.0 * SNS_TOL


def test_zero_marginal_entries_are_dropped_and_restored() -> None:
    M, a, b = problem(12, 15, seed=5, uniform=False)
    a[[0, 7]] = 0.0
    b[[3]] = 0.0
    a, b = a / a.sum(), b / b.sum()
    rows, cols = a > 0, b > 0
    expected = pot_plan(M[rows][:, cols], a[rows], b[cols], 0.05)
    result = sinkhorn_newton_sparse(M, a, b, reg=0.05, tol=SNS_TOL, return_plan=True)
    assert result.converged and result.plan is not None
    assert result.plan.shape == (12, 15)
    np.testing.assert_array_equal(result.plan[~rows], 0.0)
    np.testing.assert_array_equal(result.plan[:, ~cols], 0.0)
    np.testing.assert_allclose(result.plan[rows][:, cols], expected, rtol=0, atol=1e-12)
    assert np.all(np.isneginf(result.f[~rows])) and np.all(np.isfinite(result.f[rows]))
    assert np.all(np.isneginf(result.g[~cols])) and np.all(np.isfinite(result.g[cols]))


def test_negative_costs_are_fine() -> None:
    M, a, b = problem(15, 20, seed=9, uniform=True)
    shifted = M - 5.0
    result = sinkhorn_newton_sparse(shifted, a, b, reg=0.05, tol=SNS_TOL)
    assert result.cost_value == pytest.approx(float(np.sum(pot_plan(M, a, b, 0.05) * M)) - 5.0,
                                              rel=1e-9)


def test_dual_rises_at_every_step_and_meets_the_primal() -> None:
    C, a = random_assignment(60, seed=1)
    reg = 1.0 / 1200
    result = sinkhorn_newton_sparse(C, a, a, reg=reg, tol=1e-12, return_plan=True)
    assert result.converged and result.newton_iterations > 0
    steps = result.history
    assert len(steps) == result.iterations
    newton = [s for s in steps if s.kind == "newton"]
    assert all(s.increase > 0.0 and 0.0 < s.step_size <= 1.0 for s in newton)
    assert all(s.increase >= 0.0 for s in steps)
    objectives = np.array([s.objective for s in steps])
    assert np.all(np.diff(objectives) >= -1e-13 * np.abs(objectives[1:]))
    # strong duality: the final dual value is the primal <P, M> + reg sum P (log P - 1)
    P = result.plan
    assert P is not None
    positive = P > 0
    primal = float(np.sum(P * C) + reg * np.sum(P[positive] * (np.log(P[positive]) - 1.0)))
    assert steps[-1].objective == pytest.approx(primal, rel=1e-9)


def test_random_assignment_needs_far_fewer_iterations_than_sinkhorn() -> None:
    """n = 100, C ~ U[0, 1], eta = 1200: SNS reaches 1e-12 in tens of iterations; POT's
    Sinkhorn, given a hundred times as many, is still orders of magnitude away."""
    C, a = random_assignment(100)
    reg = 1.0 / 1200
    result = sinkhorn_newton_sparse(C, a, a, reg=reg, tol=1e-12, linear_solver="direct",
                                    return_plan=True)
    assert result.converged
    assert result.sinkhorn_iterations == 20
    assert result.iterations < 80
    assert result.plan is not None and marginal_error(result.plan, a, a) < 1e-12
    budget = 100 * result.iterations
    with np.errstate(all="ignore"):  # the kernel exp(-1200 C) underflows: POT's business
        plan, log = ot.sinkhorn(a, a, C, reg, method="sinkhorn", stopThr=1e-12,
                                numItermax=budget, log=True, warn=False)
    assert log["niter"] >= budget - 1  # POT ran out of iterations before 1e-12
    assert marginal_error(np.asarray(plan), a, a) > 1e3 * result.marginal_error
    # the same optimum, POT still on its way
    assert result.cost_value == pytest.approx(float(np.sum(plan * C)), rel=1e-3)


def test_the_schedule_returns_to_sweeps_where_newton_does_not_pay(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A dense plan (points in the unit square at reg 0.01: each row spreads over far more
    than the 5 kept entries): the sparsified Newton steps cut the error no faster than
    sweeps, so the schedule makes sweeps; the answer is the same."""
    M, a, b = problem(150, 150, seed=4, uniform=True)
    scheduled = sinkhorn_newton_sparse(M, a, b, reg=0.01, tol=1e-10)
    monkeypatch.setattr(ot_module, "NEWTON_WORTH", 0.0)  # every Newton step pays
    unscheduled = sinkhorn_newton_sparse(M, a, b, reg=0.01, tol=1e-10)
    assert scheduled.converged and unscheduled.converged
    assert unscheduled.sinkhorn_iterations == 20  # only the warm-up
    assert unscheduled.newton_iterations > 100
    assert scheduled.newton_iterations <= unscheduled.newton_iterations // 10
    assert scheduled.sinkhorn_iterations > 10 * scheduled.newton_iterations
    assert scheduled.cost_value == pytest.approx(unscheduled.cost_value, rel=1e-9)
    expected = pot_plan(M, a, b, 0.01)
    assert scheduled.cost_value == pytest.approx(float(np.sum(expected * M)), rel=1e-9)
    # the sweeps come in blocks that double while Newton keeps losing
    kinds = "".join(s.kind[0] for s in scheduled.history)
    blocks = [len(run) for run in kinds[20:].split("n") if run]
    assert blocks[:3] == [ot_module.FIRST_SWEEP_BLOCK, 2 * ot_module.FIRST_SWEEP_BLOCK,
                          4 * ot_module.FIRST_SWEEP_BLOCK]


def test_the_schedule_never_fires_where_newton_pays() -> None:
    """Random assignment (a plan close to a permutation): every pair of full Newton
    steps cuts the error by orders of magnitude, so no sweep follows the warm-up."""
    for n in (100, 300):
        C, a = random_assignment(n)
        result = sinkhorn_newton_sparse(C, a, a, reg=1.0 / 1200, tol=1e-12)
        assert result.converged
        assert [s.kind for s in result.history[20:]] == ["newton"] * result.newton_iterations


@pytest.mark.parametrize("strict", [False, True])
def test_a_sweep_from_the_plan_is_the_log_domain_sweep(strict: bool) -> None:
    """u moves by log(a / rows) and v by log(b / cols'): the log-domain sweep's values
    (to rounding), and the log-domain formulas where a row sum has underflowed."""
    rng = np.random.default_rng(8)
    n, m, reg = 40, 30, 0.02
    M = cost_matrix(rng.uniform(size=(n, 2)), rng.uniform(size=(m, 2))) / reg
    a, b = rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(m))
    u, v = rng.normal(size=n), rng.normal(size=m)
    expected_u = np.log(a) - logsumexp(v[None, :] - M, axis=1)
    expected_v = np.log(b) - logsumexp(expected_u[:, None] - M, axis=0)
    for shift in (0.0, -800.0):  # -800: exp underflows, the plan's sums are 0
        uu = u + shift
        wrap = xps.asarray if strict else np.asarray
        P = np.exp(uu[:, None] + v[None, :] - M)
        got_u, got_v = ot_module._sweep(
            array_namespace(wrap(P)), wrap(P), wrap(P.sum(axis=1)), wrap(uu), wrap(v),
            wrap(np.log(a)), wrap(np.log(b)), wrap(M))
        np.testing.assert_allclose(to_host(got_u), expected_u, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(to_host(got_v), expected_v, rtol=1e-12, atol=1e-12)


def test_default_sparsity_and_kept_fraction() -> None:
    assert default_sparsity(100, 100) == pytest.approx(0.05)
    assert default_sparsity(400, 20) == pytest.approx(0.25)
    assert default_sparsity(3, 100) == 1.0
    M, a, b = problem(30, 30, seed=11, uniform=True)
    full = sinkhorn_newton_sparse(M, a, b, reg=0.05, tol=SNS_TOL, sparsity=1.0)
    sparse = sinkhorn_newton_sparse(M, a, b, reg=0.05, tol=SNS_TOL, sparsity=0.2)
    assert full.converged and sparse.converged
    assert full.newton_iterations <= sparse.newton_iterations  # the exact Hessian is best
    assert full.cost_value == pytest.approx(sparse.cost_value, rel=1e-10)


# --- caps -----------------------------------------------------------------------------

def finite_result(result: OtResult) -> bool:
    values = (result.cost_value, result.marginal_error, result.seconds)
    return all(math.isfinite(v) for v in values) and bool(
        np.all(np.isfinite(result.f)) and np.all(np.isfinite(result.g)))


def test_iteration_cap_gives_an_unconverged_finite_answer() -> None:
    C, a = random_assignment(50)
    for max_iter, warmup in [(1, 20), (3, 0), (25, 20)]:
        result = sinkhorn_newton_sparse(C, a, a, reg=1.0 / 1200, max_iter=max_iter,
                                        warmup=warmup)
        assert not result.converged
        assert result.iterations == max_iter
        assert finite_result(result)


@pytest.mark.parametrize("time_limit", [0.0, 1e-9])
def test_time_cap_gives_an_unconverged_finite_answer(time_limit: float) -> None:
    C, a = random_assignment(50)
    result = sinkhorn_newton_sparse(C, a, a, reg=1.0 / 1200, time_limit=time_limit,
                                    return_plan=True)
    assert not result.converged
    assert result.iterations == 0
    assert finite_result(result)
    assert result.plan is not None and np.all(np.isfinite(result.plan))


def test_cg_cap_still_converges_through_line_search() -> None:
    """With one CG iteration per step (cg only) the directions are poor, but every step
    still rises and the solver keeps going without raising."""
    M, a, b = problem(30, 30, seed=2, uniform=True)
    result = sinkhorn_newton_sparse(M, a, b, reg=0.01, tol=1e-10, linear_solver="cg",
                                    cg_max_iter=1, max_iter=300)
    assert all(s.cg_iterations <= 1 for s in result.history)
    assert all(s.increase >= 0.0 for s in result.history)
    assert finite_result(result)


# --- refusals -------------------------------------------------------------------------

GOOD_M, GOOD_A, GOOD_B = problem(4, 3, seed=0, uniform=True)


def refused(name: str, **overrides: object) -> InvalidParameter:
    args: dict[str, object] = {"cost": GOOD_M, "a": GOOD_A, "b": GOOD_B, "reg": 0.1}
    args.update(overrides)
    with pytest.raises(InvalidParameter) as info:
        sinkhorn_newton_sparse(**args)  # type: ignore[arg-type]
    assert info.value.name == name
    return info.value


def test_refusals_name_the_parameter_and_never_echo_values() -> None:
    nan_cost = GOOD_M.copy()
    nan_cost[1, 2] = np.nan
    refused("cost", cost=nan_cost)
    refused("cost", cost=np.full((4, 3), np.inf))
    refused("cost", cost=GOOD_M[:, :2])  # does not match b
    refused("cost", cost=GOOD_M.T)
    refused("cost", cost=GOOD_M.ravel())
    refused("cost", cost=np.zeros((0, 3)))
    refused("cost", cost=GOOD_M.astype(complex))
    refused("cost", cost=[["x"]])
    refused("a", a=np.array([0.5, 0.5, -0.25, 0.25]))
    refused("a", a=np.array([0.25, np.nan, 0.25, 0.25]))
    refused("a", a=np.zeros(4))
    refused("a", a=GOOD_A[:, None])
    refused("b", b=np.array([0.2, 0.2, 0.2]))  # mass 0.6 against 1
    error = refused("b", b=np.array([1 / 3, 1 / 3, 1 / 3 + 1e-6]))
    assert "same mass" in error.rule
    assert "1e-06" not in str(error) and "0.333" not in str(error)
    for bad in (0.0, -1.0, math.nan, math.inf, "x"):
        refused("reg", reg=bad)
    refused("tol", tol=0.0)
    refused("sparsity", sparsity=0.0)
    refused("sparsity", sparsity=1.5)
    refused("max_iter", max_iter=0)
    refused("max_iter", max_iter=2.5)
    refused("warmup", warmup=-1)
    refused("time_limit", time_limit=-1.0)
    refused("linear_solver", linear_solver="lu")
    refused("cg_max_iter", cg_max_iter=0)


def test_mass_within_tolerance_is_accepted() -> None:
    b = GOOD_B * (1 + 5e-10)
    result = sinkhorn_newton_sparse(GOOD_M, GOOD_A, b, reg=0.1, tol=1e-12, return_plan=True)
    assert result.converged
    assert result.plan is not None and np.isclose(result.plan.sum(), 1.0, rtol=1e-13, atol=0)


# --- array namespaces -----------------------------------------------------------------

def test_array_api_strict_gives_the_numpy_answer() -> None:
    M, a, b = problem(30, 20, seed=4, uniform=False)
    expected = sinkhorn_newton_sparse(M, a, b, reg=0.01, tol=SNS_TOL, return_plan=True)
    strict = sinkhorn_newton_sparse(xps.asarray(M), xps.asarray(a), xps.asarray(b), reg=0.01,
                                    tol=SNS_TOL, return_plan=True)
    assert strict.converged
    assert isinstance(strict.plan, type(xps.asarray(M)))
    assert strict.cost_value == pytest.approx(expected.cost_value, rel=1e-12)
    assert expected.plan is not None
    np.testing.assert_allclose(to_host(strict.plan), expected.plan, rtol=0, atol=1e-14)
    np.testing.assert_allclose(to_host(strict.f), expected.f, rtol=1e-10)


def test_array_api_strict_zero_marginals() -> None:
    M, a, b = problem(8, 6, seed=6, uniform=True)
    a[2], b[5] = 0.0, 0.0
    a, b = a / a.sum(), b / b.sum()
    expected = sinkhorn_newton_sparse(M, a, b, reg=0.05, tol=SNS_TOL, return_plan=True)
    strict = sinkhorn_newton_sparse(xps.asarray(M), xps.asarray(a), xps.asarray(b), reg=0.05,
                                    tol=SNS_TOL, return_plan=True)
    assert expected.plan is not None
    np.testing.assert_allclose(to_host(strict.plan), expected.plan, rtol=0, atol=1e-14)
    np.testing.assert_array_equal(to_host(strict.f)[2], -np.inf)


# --- progress -------------------------------------------------------------------------

def assert_same_result(left: OtResult, right: OtResult) -> None:
    assert (left.cost_value, left.iterations, left.marginal_error, left.converged) == \
        (right.cost_value, right.iterations, right.marginal_error, right.converged)
    assert left.history == right.history
    for a, b in [(left.f, right.f), (left.g, right.g), (left.plan, right.plan)]:
        np.testing.assert_array_equal(to_host(a), to_host(b))


def progress_case(name: str) -> tuple[Any, Any, Any, dict[str, Any]]:
    if name == "sinkhorn_then_newton":
        M, a, b = problem(30, 50, seed=80, uniform=True)
        return M, a, b, {"reg": 0.05, "tol": SNS_TOL}
    if name == "direct_newton":
        C, a = random_assignment(50, seed=2)
        return C, a, a, {"reg": 1.0 / 1200, "tol": 1e-12, "linear_solver": "direct"}
    if name == "iteration_cap":
        C, a = random_assignment(50, seed=2)
        return C, a, a, {"reg": 1.0 / 1200, "max_iter": 25}
    M, a, b = problem(20, 15, seed=81, uniform=False)  # array-api-strict
    return xps.asarray(M), xps.asarray(a), xps.asarray(b), {"reg": 0.05, "tol": SNS_TOL}


PROGRESS_CASES = ["sinkhorn_then_newton", "direct_newton", "iteration_cap", "strict"]


@pytest.mark.parametrize("case", PROGRESS_CASES)
def test_progress_is_monotone_per_step_and_ends_at_one(case: str) -> None:
    M, a, b, options = progress_case(case)
    told, progress = recorder()
    result = sinkhorn_newton_sparse(M, a, b, return_plan=True, progress=progress, **options)
    assert result.iterations > 1
    assert_progress(told, result.iterations + 1)  # once set up, then after every step
    assert_same_result(result, sinkhorn_newton_sparse(M, a, b, return_plan=True, **options))


@pytest.mark.parametrize("case", PROGRESS_CASES)
def test_an_exception_from_progress_stops_the_solve(case: str) -> None:
    M, a, b, options = progress_case(case)
    with pytest.raises(Cancelled):
        sinkhorn_newton_sparse(M, a, b, progress=cancel_on_call(3), **options)


def test_progress_is_the_ratio_toward_the_first_stopping_rule() -> None:
    M, a, b, options = progress_case("iteration_cap")
    told, progress = recorder()
    result = sinkhorn_newton_sparse(M, a, b, progress=progress, **options)
    assert not result.converged and result.iterations == 25
    assert len(told) == 25 + 2
    # after step k at least k / max_iter: the step cap is one of the stopping rules
    assert all(told[k] >= k / 25 for k in range(1, 26))
    assert max(told[1:25]) < 1.0  # the error is far from tol: the cap is the nearest rule
    told, progress = recorder()
    M, a, b, options = progress_case("sinkhorn_then_newton")
    result = sinkhorn_newton_sparse(M, a, b, progress=progress, **options)
    assert result.converged
    assert told[-2] == 1.0  # the last step reached tol
    assert told[1] < 0.5  # one Sinkhorn sweep is not half way to 1e-13


# --- cost matrices --------------------------------------------------------------------

@pytest.mark.parametrize("metric", ["sqeuclidean", "euclidean", "cityblock"])
def test_cost_matrix_matches_cdist(metric: str) -> None:
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=(37, 5)), rng.normal(size=(23, 5))
    expected = cdist(x, y, metric=metric)
    np.testing.assert_allclose(cost_matrix(x, y, metric), expected, rtol=1e-13)
    strict = cost_matrix(xps.asarray(x), xps.asarray(y), metric)
    np.testing.assert_allclose(to_host(strict), expected, rtol=1e-13)


def test_cost_matrix_has_no_cancellation_and_takes_1d_points() -> None:
    x = np.array([[1e8, 0.0]])
    y = np.array([[1e8 + 1e-3, 0.0]])
    exact = float((np.float64(1e8 + 1e-3) - np.float64(1e8)) ** 2)
    for xs, ys in [(x, y), (xps.asarray(x), xps.asarray(y))]:
        assert float(to_host(cost_matrix(xs, ys))[0, 0]) == pytest.approx(exact, rel=1e-12)
    line = cost_matrix(np.array([0.0, 1.0, 3.0]), np.array([1.0, 2.0]), "cityblock")
    np.testing.assert_array_equal(line, [[1.0, 2.0], [0.0, 1.0], [2.0, 1.0]])


def test_cost_matrix_refusals() -> None:
    x = np.zeros((3, 2))
    with pytest.raises(InvalidParameter, match="metric"):
        cost_matrix(x, x, "cosine")
    with pytest.raises(InvalidParameter) as info:
        cost_matrix(x, np.zeros((3, 3)))
    assert info.value.name == "y"
    bad = x.copy()
    bad[0, 0] = np.nan
    with pytest.raises(InvalidParameter) as info:
        cost_matrix(bad, x)
    assert info.value.name == "x"
    with pytest.raises(InvalidParameter):
        cost_matrix(np.zeros((2, 2, 2)), x)


# --- GPU ------------------------------------------------------------------------------

@pytest.mark.gpu
def test_cupy_gives_the_numpy_answer() -> None:
    cp = load_cupy()
    if cp is None:
        pytest.skip("no usable CUDA device: gpu.device.load_cupy() is None")
    C, a = random_assignment(200, seed=3)
    reg = 1.0 / 1200
    expected = sinkhorn_newton_sparse(C, a, a, reg=reg, tol=1e-12, return_plan=True)
    device = sinkhorn_newton_sparse(cp.asarray(C), cp.asarray(a), cp.asarray(a), reg=reg,
                                    tol=1e-12, return_plan=True)
    assert device.converged and expected.converged
    assert isinstance(device.plan, cp.ndarray)
    assert device.cost_value == pytest.approx(expected.cost_value, rel=1e-9)
    assert expected.plan is not None
    np.testing.assert_allclose(to_host(device.plan), expected.plan, rtol=0, atol=1e-12)
    x = np.random.default_rng(1).normal(size=(50, 3))
    np.testing.assert_allclose(to_host(cost_matrix(cp.asarray(x), cp.asarray(x))),
                               cdist(x, x, "sqeuclidean"), rtol=1e-12, atol=1e-12)
