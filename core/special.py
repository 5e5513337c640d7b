"""Special functions of the von Mises-Fisher distribution, accurate where SciPy's are not.

- ``log_iv(nu, x)``: log I_nu(x), the log of the modified Bessel function of the first
  kind, for real nu >= 0 and x >= 0. SciPy has no log-Bessel (scipy#12607), and
  ``log(scipy.special.ive(nu, x)) + x`` is -inf wherever I_nu(x) underflows (nu = 1023
  at x <= 100 already) and loses digits where log I is small.
- ``log_vmf_normaliser(d, kappa)``: log C_d(kappa) of the vMF density
  C_d(kappa) exp(kappa mu.x) on the unit sphere S^{d-1} in R^d.
- ``bessel_ratio(d, kappa)``: A_d(kappa) = I_{d/2}(kappa) / I_{d/2-1}(kappa), the mean
  resultant length of a vMF, to full relative precision (not as a difference of logs).

Branches of ``log_iv`` (each checked against mpmath in tests/unit/core/test_special.py):

- order nu >= ``DEBYE_ORDER`` (15): the uniform (Debye) expansion, DLMF 10.41.3,
  log I_nu(nu z) = -ln(2 pi nu)/2 - ln(1 + z^2)/4 + nu eta + ln(sum_k u_k(t) / nu^k),
  eta = sqrt(1 + z^2) + ln(z / (1 + sqrt(1 + z^2))), t = (1 + z^2)^(-1/2), with the
  polynomials u_0..u_16 (DLMF 10.41.10, exact rational coefficients): the first term
  left out, u_17(t) / nu^17, is below 2.3e-16 for every t at nu >= 15;
- nu < 15, x <= 10: the power series in log space,
  nu ln(x/2) - ln Gamma(nu + 1) + ln(sum_k (x^2/4)^k / (k! (nu + 1)_k)) (40 terms: the
  k-th is below 25^k / k!^2, 1e-23 at k = 30);
- nu < 15, 10 < x <= 1e4: down from the Debye value at order nu + N >= 15 (N =
  ceil(15 - nu)) through the ratios, log I_nu = log I_{nu+N} - sum_{j<N} ln r_{nu+j}
  with r_m = I_{m+1} / I_m from the backward recurrence of ``bessel_ratio`` (each
  accurate to an ulp or two, so the sum adds ~N ulps);
- nu < 15, x > 1e4: the large-argument (Hankel) expansion, DLMF 10.40.1,
  x - ln(2 pi x)/2 + ln(sum_k (-1)^k a_k(nu) / x^k) (12 terms; the k-th is below
  (9/800)^k / k! there). SciPy's ``ive`` is not used: it was measured less accurate at
  moderate x (absolute errors of log I up to 2e-14 at nu = 14.9 or 49.5, x ~ 10-35),
  and it returns NaN beyond x = 2^30.

Accuracy (tests/unit/core/test_special.py, against mpmath at 40 digits): the error of
log I_nu(x) is at most 1e-14 max(|log I_nu(x)|, 1) for nu up to 16,383 and x from 1e-2
to 1e5 (measured at most 8e-15). The floor at 1 is where log I crosses 0 (I near 1):
there only an absolute error means something, and it is about an ulp of the terms
summed, i.e. ~1e-16 sqrt(nu^2 + x^2), the conditioning of log I in x. ``bessel_ratio``
was measured within 1.1e-15 (relative) of mpmath for d from 1 to 65,536 and kappa
from 1e-3 to 1e5.

These are host functions (NumPy and SciPy, float64): they post-process released
numbers, never rows.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special  # type: ignore[import-untyped]

from core.errors import InvalidParameter

__all__ = ["DEBYE_ORDER", "bessel_ratio", "log_iv", "log_sphere_area", "log_vmf_normaliser"]

DEBYE_ORDER = 15.0  # orders from here on take the uniform expansion
_DEBYE_TERMS = 16  # u_1..u_16: u_17(t) / 15^17 < 2.3e-16 (max |u_17| on [0, 1] is 22,017)
_SERIES_TERMS = 40  # for x <= _SERIES_MAX_X: (x^2/4)^k / (k! (nu + 1)_k) <= 25^k / k!^2
_SERIES_MAX_X = 10.0
_RECURRENCE_MAX_X = 1e4  # nu < 15 up to here: backward recurrence; beyond: Hankel
_HANKEL_TERMS = 12


# --- the Debye polynomials u_k(t) -----------------------------------------------------

def _poly_mul(p: list[Fraction], q: list[Fraction]) -> list[Fraction]:
    out = [Fraction(0)] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        if a:
            for j, b in enumerate(q):
                out[i + j] += a * b
    return out


@cache
def _debye_coefficients() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(coefficients of u_k, of u_k') for k = 0.._DEBYE_TERMS, as (K + 1, degree + 1)
    float arrays in increasing powers of t, from the exact recurrence (DLMF 10.41.10)
    u_{k+1}(t) = t^2 (1 - t^2) u_k'(t) / 2 + (1/8) int_0^t (1 - 5 s^2) u_k(s) ds."""
    polys: list[list[Fraction]] = [[Fraction(1)]]
    for _ in range(_DEBYE_TERMS):
        u = polys[-1]
        du = [i * u[i] for i in range(1, len(u))] or [Fraction(0)]
        first = [c / 2 for c in _poly_mul([Fraction(0), Fraction(0), Fraction(1), Fraction(0),
                                           Fraction(-1)], du)]
        inner = _poly_mul([Fraction(1), Fraction(0), Fraction(-5)], u)
        second = [Fraction(0)] + [c / (8 * (i + 1)) for i, c in enumerate(inner)]
        size = max(len(first), len(second))
        first += [Fraction(0)] * (size - len(first))
        second += [Fraction(0)] * (size - len(second))
        polys.append([a + b for a, b in zip(first, second, strict=True)])
    degree = max(len(p) for p in polys)
    values = np.zeros((len(polys), degree))
    slopes = np.zeros((len(polys), degree))
    for k, p in enumerate(polys):
        values[k, :len(p)] = [float(c) for c in p]
        slopes[k, :len(p) - 1] = [float(i * p[i]) for i in range(1, len(p))]
    return values, slopes


def _polyval_rows(coefficients: NDArray[np.float64],
                  t: NDArray[np.float64]) -> NDArray[np.float64]:
    """Every polynomial (a row of ``coefficients``) at every t: (K, n), by Horner."""
    out = np.zeros((coefficients.shape[0], t.size))
    for column in range(coefficients.shape[1] - 1, -1, -1):
        out = out * t[None, :] + coefficients[:, column:column + 1]
    return out


def _debye_sums(nu: NDArray[np.float64], t: NDArray[np.float64],
                with_slope: bool = False) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(sum_{k>=1} u_k(t) / nu^k, sum_{k>=1} u_k'(t) / nu^k), summed smallest first."""
    values, slopes = _debye_coefficients()
    powers = nu[None, :] ** -np.arange(1, values.shape[0])[:, None]  # (K, n)
    tail = np.sum((_polyval_rows(values[1:], t) * powers)[::-1], axis=0)
    if not with_slope:
        return tail, np.zeros_like(tail)
    slope = np.sum((_polyval_rows(slopes[1:], t) * powers)[::-1], axis=0)
    return tail, slope


def _debye_geometry(nu: NDArray[np.float64], x: NDArray[np.float64]
                    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64],
                               NDArray[np.float64]]:
    """z = x / nu, s = sqrt(1 + z^2), t = 1/s and eta(z), without overflow or
    underflow of z for any finite positive x and nu >= 1."""
    z = x / nu
    s = np.hypot(1.0, z)
    with np.errstate(divide="ignore"):
        log_ratio = np.where(z > 1e-300, np.log(z / (1.0 + s)),
                             np.log(x) - np.log(nu) - np.log1p(s))
    return z, s, 1.0 / s, s + log_ratio


def _log_iv_debye(nu: NDArray[np.float64], x: NDArray[np.float64]) -> NDArray[np.float64]:
    _, s, t, eta = _debye_geometry(nu, x)
    tail, _ = _debye_sums(nu, t)
    return np.asarray(nu * eta - 0.5 * np.log(2.0 * math.pi * nu) - 0.5 * np.log(s)
                      + np.log1p(tail))


def _log_series(nu: NDArray[np.float64], x: NDArray[np.float64]) -> NDArray[np.float64]:
    """ln(sum_{k>=1} ... ) as log1p: ln sum_{k>=0} (x^2/4)^k / (k! (nu + 1)_k)."""
    q = 0.25 * x * x
    term = np.ones_like(x)
    total = np.zeros_like(x)
    for k in range(1, _SERIES_TERMS + 1):
        term = term * q / (k * (nu + k))
        total = total + term
    return np.asarray(np.log1p(total))


def _log_iv_series(nu: NDArray[np.float64], x: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(nu * np.log(0.5 * x) - special.gammaln(nu + 1.0) + _log_series(nu, x))


def _hankel_sum(nu: NDArray[np.float64], x: NDArray[np.float64]) -> NDArray[np.float64]:
    """sum_{k<=12} (-1)^k a_k(nu) / x^k with a_k(nu) = prod_{j<=k} (4 nu^2 - (2j-1)^2) /
    (k! 8^k) (DLMF 10.40.1: I_nu(x) ~ e^x (2 pi x)^(-1/2) times it), summed smallest
    first; for nu < 15 and x > 1e4 the k-th term is below (9/800)^k / k!."""
    mu = 4.0 * nu * nu
    terms = [np.ones_like(x)]
    for k in range(1, _HANKEL_TERMS + 1):
        terms.append(-terms[-1] * (mu - (2 * k - 1) ** 2) / (8.0 * k * x))
    return np.asarray(np.sum(np.stack(terms[::-1]), axis=0))


def _check(nu: ArrayLike, x: ArrayLike, nu_name: str = "nu",
           x_name: str = "x") -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    n, v = np.broadcast_arrays(np.asarray(nu, dtype=np.float64), np.asarray(x, dtype=np.float64))
    if not np.all(np.isfinite(n) & (n >= 0)):
        raise InvalidParameter(nu_name, "must be finite and >= 0")
    if not np.all(v >= 0):  # NaN fails this too
        raise InvalidParameter(x_name, "must be >= 0 (and not NaN)")
    return np.asarray(n, dtype=np.float64), np.asarray(v, dtype=np.float64)


def log_iv(nu: ArrayLike, x: ArrayLike) -> NDArray[np.float64]:
    """log I_nu(x) elementwise (broadcast), float64: nu >= 0 finite, x >= 0 (x = 0:
    0 for nu = 0, -inf otherwise; x = inf: inf). See the module docstring for the
    branches and their accuracy."""
    n, v = _check(nu, x)
    out = np.empty(n.shape)
    zero, infinite = v == 0, np.isinf(v)
    out[zero] = np.where(n[zero] == 0, 0.0, -np.inf)
    out[infinite] = np.inf
    rest = ~(zero | infinite)
    debye = rest & (n >= DEBYE_ORDER)
    series = rest & ~debye & (v <= _SERIES_MAX_X)
    downward = rest & ~debye & ~series & (v <= _RECURRENCE_MAX_X)
    large = rest & ~debye & ~series & ~downward
    if np.any(debye):
        out[debye] = _log_iv_debye(n[debye], v[debye])
    if np.any(series):
        out[series] = _log_iv_series(n[series], v[series])
    if np.any(downward):
        out[downward] = _log_iv_downward(n[downward], v[downward])
    if np.any(large):
        far = np.asarray(v[large], dtype=np.float64)
        out[large] = far - 0.5 * np.log(2.0 * math.pi * far) + np.log(_hankel_sum(n[large], far))
    return out


# --- the ratio A_d --------------------------------------------------------------------

def _ratio_debye(nu: NDArray[np.float64], x: NDArray[np.float64]) -> NDArray[np.float64]:
    """I_{nu+1}(x) / I_nu(x) = d/dx log I_nu(x) - nu/x (DLMF 10.29.2), differentiating
    the Debye expansion term by term: z / (1 + s) - z t^2 / (2 nu)
    - (z t^3 / nu) S'(t) / S(t), S = sum_k u_k(t) / nu^k. No term cancels: the first
    is the leading one and the others are O(1/nu) relative to it."""
    z, s, t, _ = _debye_geometry(nu, x)
    tail, slope = _debye_sums(nu, t, with_slope=True)
    return np.asarray(z / (1.0 + s) - z * t * t / (2.0 * nu)
                      - (z * t**3 / nu) * slope / (1.0 + tail))


def _ratio_recurrence(nu: NDArray[np.float64], x: NDArray[np.float64],
                      count: int = 1) -> NDArray[np.float64]:
    """r_{nu+j}(x) = I_{nu+j+1}(x) / I_{nu+j}(x) for j < ``count``: (count, n), by the
    backward recurrence r_{m-1} = 1 / (2m/x + r_m) (DLMF 10.29.1). The ratios are the
    recurrence's minimal solution, so errors shrink on the way down (each step
    multiplies the error by r_{m-1}^2 < 1); it starts far enough up, at Amos's upper
    bound x / (m + 1/2 + sqrt(x^2 + (m + 3/2)^2)), that the start's error is gone: the
    product of the r^2 over N steps is about exp(-N^2 / x) for x >> nu, and
    N = sqrt(40 x) + 40 steps bring it below 1e-17."""
    steps = math.ceil(math.sqrt(40.0 * float(np.max(x)))) + 40 + count
    m = nu + steps
    r = x / (m + 0.5 + np.sqrt(x * x + (m + 1.5) ** 2))
    out = np.empty((count, x.size))
    for j in range(steps, 0, -1):  # r becomes the ratio at order nu + j - 1
        r = 1.0 / (2.0 * (nu + j) / x + r)
        if j <= count:
            out[j - 1] = r
    return out


def _log_iv_downward(nu: NDArray[np.float64], x: NDArray[np.float64]) -> NDArray[np.float64]:
    """log I_nu(x) for nu < DEBYE_ORDER: log I_{nu+N}(x) (Debye, nu + N >= DEBYE_ORDER)
    minus the logs of the N ratios r_nu .. r_{nu+N-1}."""
    lift = np.ceil(DEBYE_ORDER - nu)
    count = int(np.max(lift))
    ratios = _ratio_recurrence(nu, x, count)
    used = np.arange(count)[:, None] < lift[None, :]
    return np.asarray(_log_iv_debye(nu + lift, x)
                      - np.sum(np.where(used, np.log(ratios), 0.0), axis=0))


def bessel_ratio(d: ArrayLike, kappa: ArrayLike) -> NDArray[np.float64]:
    """A_d(kappa) = I_{d/2}(kappa) / I_{d/2-1}(kappa) elementwise, to about 1e-15
    relative: the mean resultant length E[mu.x] of a vMF in R^d (0 at kappa = 0; tanh
    kappa at d = 1). Orders nu = d/2 - 1 >= 15: the differentiated Debye expansion;
    below, backward recurrence for kappa <= 1e4 and the ratio of the Hankel sums
    (``log_iv``) beyond."""
    dims, k = _check(d, kappa, "d", "kappa")
    if not np.all(dims >= 1):
        raise InvalidParameter("d", "must be >= 1")
    out = np.zeros(k.shape)
    nu = dims / 2.0 - 1.0
    positive = k > 0
    line = positive & (dims < 2)  # d = 1: I_{1/2} / I_{-1/2} = tanh
    out[line] = np.tanh(k[line])
    infinite = positive & np.isinf(k)
    out[infinite & ~line] = 1.0
    rest = positive & ~line & ~infinite
    debye = rest & (nu >= DEBYE_ORDER)
    recurrence = rest & ~debye & (k <= _RECURRENCE_MAX_X)
    large = rest & ~debye & ~recurrence
    if np.any(debye):
        out[debye] = _ratio_debye(nu[debye], k[debye])
    if np.any(recurrence):
        out[recurrence] = _ratio_recurrence(nu[recurrence], k[recurrence])[0]
    if np.any(large):
        out[large] = (_hankel_sum(nu[large] + 1.0, k[large])
                      / _hankel_sum(nu[large], k[large]))
    return out


# --- the vMF normaliser ---------------------------------------------------------------

def log_sphere_area(d: ArrayLike) -> NDArray[np.float64]:
    """ln |S^{d-1}| = ln(2 pi^{d/2} / Gamma(d/2)), the surface area of the unit sphere
    in R^d (d >= 1; |S^0| = 2 points)."""
    dims = np.asarray(d, dtype=np.float64)
    if not np.all(np.isfinite(dims) & (dims >= 1)):
        raise InvalidParameter("d", "must be >= 1")
    return np.asarray(math.log(2.0) + 0.5 * dims * math.log(math.pi)
                      - special.gammaln(0.5 * dims))


def log_vmf_normaliser(d: ArrayLike, kappa: ArrayLike) -> NDArray[np.float64]:
    """log C_d(kappa) = (d/2 - 1) ln kappa - (d/2) ln(2 pi) - ln I_{d/2-1}(kappa), the
    log of the vMF normalising constant on S^{d-1} (elementwise, d >= 1, finite
    kappa >= 0).

    kappa = 0 is the uniform density, -ln |S^{d-1}|. Where ``log_iv`` takes its power
    series (small kappa) the nu ln kappa terms cancel analytically:
    log C_d = nu ln 2 + ln Gamma(nu + 1) - (d/2) ln(2 pi) - ln(series), so the
    normaliser approaches the uniform one smoothly. d = 1 (the two points +-1):
    C_1 = 1 / (2 cosh kappa)."""
    dims, k = _check(d, kappa, "d", "kappa")
    if not np.all(dims >= 1):
        raise InvalidParameter("d", "must be >= 1")
    if not np.all(np.isfinite(k)):
        raise InvalidParameter("kappa", "must be finite")
    nu = dims / 2.0 - 1.0
    out = np.empty(k.shape)
    line = dims < 2
    out[line] = -(k[line] + np.log1p(np.exp(-2.0 * k[line])))  # -ln(e^k + e^-k)
    sphere = ~line
    uniform = sphere & (k == 0)
    out[uniform] = -log_sphere_area(dims[uniform])
    positive = sphere & (k > 0)
    series = positive & (k <= _SERIES_MAX_X)
    general = positive & ~series
    if np.any(series):
        n, x = nu[series], k[series]
        out[series] = (n * math.log(2.0) + special.gammaln(n + 1.0)
                       - 0.5 * dims[series] * math.log(2.0 * math.pi) - _log_series(n, x))
    if np.any(general):
        n, x = nu[general], k[general]
        out[general] = (n * np.log(x) - 0.5 * dims[general] * math.log(2.0 * math.pi)
                        - log_iv(n, x))
    return out
