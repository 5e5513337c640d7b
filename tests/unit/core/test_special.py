"""core/special.py against mpmath (arbitrary precision, 40 digits): log I_nu(x), the
ratio A_d(kappa) and the vMF log-normaliser, on every branch and across the branch
boundaries, and where SciPy's own route fails.

The tolerance of log I is relative, 1e-14 |log I|, with |log I| floored at 1: where
log I crosses 0 (I_nu(x) = 1) a relative error of log I means nothing, and there the
floor asks for an absolute error of 1e-14 in log I, i.e. a relative error of 1e-14 in
I itself (what any float64 evaluation can promise: log I has condition number about
sqrt(nu^2 + x^2) in x, 2e-14 at nu ~ 100)."""

from __future__ import annotations

import math
import os

import mpmath as mp  # type: ignore[import-untyped]
import numpy as np
import pytest
from scipy import special as sp  # type: ignore[import-untyped]

from core.errors import InvalidParameter
from core.special import (
    DEBYE_ORDER,
    bessel_ratio,
    log_iv,
    log_sphere_area,
    log_vmf_normaliser,
)

mp.mp.dps = 40
TOL = 1e-14
ORDERS = [0.0, 0.5, 1.0, 5.0, 31.0, 50.0, 100.0, 1023.0, 4095.0, 16383.0]


def _log_iv_ref(nu: float, x: float) -> float:
    return float(mp.log(mp.besseli(mp.mpf(nu), mp.mpf(x), maxterms=10**7)))


def _ratio_ref(d: int, kappa: float) -> float:
    nu, x = mp.mpf(d) / 2 - 1, mp.mpf(kappa)
    return float(mp.besseli(nu + 1, x, maxterms=10**7) / mp.besseli(nu, x, maxterms=10**7))


def _log_norm_ref(d: int, kappa: float) -> float:
    half = mp.mpf(d) / 2
    if kappa == 0:
        return float(mp.loggamma(half) - mp.log(2) - half * mp.log(mp.pi))
    x = mp.mpf(kappa)
    return float((half - 1) * mp.log(x) - half * mp.log(2 * mp.pi)
                 - mp.log(mp.besseli(half - 1, x, maxterms=10**7)))


def _check_grid(orders: list[float], xs: list[float]) -> None:
    ours = log_iv(np.array(orders)[:, None], np.array(xs)[None, :])
    for i, nu in enumerate(orders):
        for j, x in enumerate(xs):
            ref = _log_iv_ref(nu, x)
            assert abs(ours[i, j] - ref) <= TOL * max(abs(ref), 1.0), (nu, x, ours[i, j], ref)


# every branch (series x <= 10, recurrence to 1e4, Hankel beyond, Debye from order 15)
# and both sides of each boundary; the costly mpmath points (order 4095 at 1e5: ~20 s)
# are in the slow grid
FAST_X = [1e-2, 0.9, 9.99, 10.01, 37.0, 1e3, 1e4, 1.0001e4, 6e4]


@pytest.mark.parametrize("nu", [*ORDERS[:7], 14.9, 15.0, 1023.0])
def test_log_iv_matches_mpmath_on_every_branch(nu: float) -> None:
    _check_grid([nu], FAST_X if nu < 1000 else FAST_X[:6])


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("PRIVSIM_THOROUGH") != "1",
                    reason="the full grid: set PRIVSIM_THOROUGH=1 (every branch and boundary "
                    "is in the fast grid above)")
def test_log_iv_matches_mpmath_on_the_full_grid() -> None:
    """Every order of the issue, x from 1e-2 to 1e5 (half-decade log grid)."""
    _check_grid(ORDERS, [float(x) for x in np.logspace(-2, 5, 15)])


def test_log_iv_at_huge_arguments_where_scipy_gives_nan() -> None:
    """ive is NaN beyond x = 2^30; the Hankel branch (and Debye) keep going."""
    xs = [2e9, 1e12]
    assert np.all(np.isnan(sp.ive(0.5, np.array(xs))))
    _check_grid([0.5, 14.9, 100.0], xs)


def test_scipy_underflows_where_log_iv_does_not() -> None:
    """The hard region the grid exercises: SciPy's route ln(ive) + x is -inf at order
    1023 for x <= 100 (I underflows), and the ratio of ive is NaN (0/0)."""
    with np.errstate(divide="ignore"):
        scipy_route = np.log(sp.ive(1023.0, np.array([1e-2, 1.0, 100.0]))) + 100.0
        assert np.all(np.isneginf(scipy_route))
    with np.errstate(invalid="ignore"):
        assert math.isnan(sp.ive(1024.0, 10.0) / sp.ive(1023.0, 10.0))
    _check_grid([1023.0], [1e-2, 1.0, 100.0])
    assert float(bessel_ratio(2048, 10.0)) == pytest.approx(_ratio_ref(2048, 10.0), rel=2e-15)


def test_log_iv_is_continuous_across_the_branch_boundaries() -> None:
    for nu, x in ((3.0, 10.0), (3.0, 1e4), (DEBYE_ORDER, 20.0), (0.0, 10.0)):
        below, above = np.nextafter(x, 0.0), np.nextafter(x, np.inf)
        values = log_iv(nu, np.array([below, x, above]))
        assert np.ptp(values) <= 1e-14 * max(abs(values[1]), 1.0) * 4, (nu, x, values)
    nus = np.array([np.nextafter(DEBYE_ORDER, 0.0), DEBYE_ORDER])
    values = log_iv(nus, 12.0)
    assert abs(values[0] - values[1]) <= 1e-13


def test_log_iv_edge_values_and_refusals() -> None:
    assert log_iv(0.0, 0.0) == 0.0
    assert log_iv(2.5, 0.0) == -np.inf
    assert log_iv(3.0, np.inf) == np.inf
    assert log_iv(np.array([0.0, 7.0]), 1e-300).shape == (2,)
    assert np.isfinite(log_iv(16383.0, 5e-324))  # denormal x: finite (very negative)
    for nu, x in ((-1.0, 1.0), (np.nan, 1.0), (np.inf, 1.0), (1.0, -1e-3), (1.0, np.nan)):
        with pytest.raises(InvalidParameter):
            log_iv(nu, x)


@pytest.mark.parametrize("d", [1, 2, 3, 5, 31, 32, 33, 2048])
def test_bessel_ratio_matches_mpmath(d: int) -> None:
    kappas = [1e-3, 0.7, 9.0, 120.0, 3e3, 2e4]
    ours = bessel_ratio(d, np.array(kappas))
    for k, value in zip(kappas, ours, strict=True):
        assert value == pytest.approx(_ratio_ref(d, k), rel=2e-15, abs=0.0), (d, k)


def test_bessel_ratio_near_one_and_at_high_order() -> None:
    """Where A is near 1 (1 - A ~ (d - 1) / (2 kappa)) the log-difference route loses
    digits; the ratio here keeps 1 - A to its absolute rounding."""
    for d, k in ((3, 1e7), (10, 5e5), (65_536, 1e8)):
        ref = _ratio_ref(d, k)
        value = float(bessel_ratio(d, k))
        assert abs(value - ref) <= 2e-16 * 4, (d, k)
        assert 1 - value == pytest.approx(1 - ref, rel=1e-8)
    for d, k in ((65_536, 30.0), (65_536, 4e4)):
        assert float(bessel_ratio(d, k)) == pytest.approx(_ratio_ref(d, k), rel=2e-15)
    assert bessel_ratio(5, 0.0) == 0.0
    assert bessel_ratio(5, np.inf) == 1.0
    assert float(bessel_ratio(1, 0.3)) == pytest.approx(math.tanh(0.3), rel=1e-15)


@pytest.mark.parametrize("d", [1, 2, 3, 5, 32, 2048, 8192])
def test_log_vmf_normaliser_matches_mpmath(d: int) -> None:
    kappas = [0.0, 1e-300, 1e-6, 0.5, 9.99, 10.01, 200.0, 2000.0]
    ours = log_vmf_normaliser(d, np.array(kappas))
    for k, value in zip(kappas, ours, strict=True):
        ref = -float(mp.log(2 * mp.cosh(k))) if d == 1 else _log_norm_ref(d, k)
        assert abs(value - ref) <= TOL * max(abs(ref), 1.0), (d, k, value, ref)


def test_log_vmf_normaliser_tends_to_the_uniform_density() -> None:
    for d in (2, 3, 100, 65_536):
        uniform = -float(log_sphere_area(d))
        assert float(log_vmf_normaliser(d, 0.0)) == pytest.approx(uniform, rel=1e-15)
        assert float(log_vmf_normaliser(d, 1e-12)) == pytest.approx(uniform, rel=1e-14,
                                                                    abs=1e-14)
    assert float(log_sphere_area(3)) == pytest.approx(math.log(4 * math.pi), rel=1e-15)
    with pytest.raises(InvalidParameter):
        log_vmf_normaliser(3, np.inf)
    with pytest.raises(InvalidParameter):
        log_vmf_normaliser(0, 1.0)
