"""The bandwidth advisor: in which regime a Gaussian kernel sum over n rows in d
dimensions lies, and whether a DP answer at that bandwidth can carry signal.

Everything here reads public inputs only (a row count or a DP count, the dimension, the
bandwidth, a public proxy of the covariance spectrum, a budget that is not spent) and
spends nothing. Derivation: docs/bandwidth.md.

Conventions. privsim's Gaussian kernel is exp(-||x - y||^2 / sigma^2) with
``bandwidth`` = sigma; the formulas below use exp(-||x - y||^2 / (2 h^2)), the same
kernel with h = sigma / sqrt 2. Functions taking ``h`` say so; ``bandwidth`` is sigma.

For data x ~ N(0, diag(l_1 .. l_d)) and a query typical under the same law,
alpha = ln(n) / d and t_k = l_k / h^2:

    alpha_G(h)   = (1/d) sum_k rate(t_k)        rate(t) = 1/2 ln(1 + t) - t / (2 (1 + t)^2)
    alpha_CLT(h) = (1/d) sum_k rate(2 t_k)      (so h_CLT = sqrt 2 h_G, for every spectrum)
    regime: extreme_value if alpha < alpha_G(h), heavy_tailed if alpha < alpha_CLT(h),
            else clt
    ln S_bar     = ln n + sum_k [-1/2 ln(1 + t_k) - t_k / (2 (1 + t_k))]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from core.domain import MAX_DOMAIN_SCALE, Box, Domain, L2Ball
from core.errors import InvalidParameter
from core.privacy.budget import PrivacyBudget
from core.privacy.mechanisms import Mechanism
from core.structures import DataSpec, Spec, noise_plan, parse_spec
from core.structures.base import MAX_DIM
from core.structures.params import MAX_BANDWIDTH, MIN_BANDWIDTH

__all__ = [
    "GAUSSIAN_KINDS", "H_MAX", "H_MIN", "MAX_EIGENVALUE", "MAX_ROWS", "BandwidthAdvice",
    "Regime", "advise", "alpha", "alpha_clt", "alpha_g", "check_spectrum",
    "extreme_value_warning", "h_clt", "h_g", "log_typical_sum", "noise_std_sum",
    "proxy_spectrum", "rate", "regime", "spec_warning",
]

Regime = Literal["clt", "heavy_tailed", "extreme_value"]

SQRT2 = math.sqrt(2.0)
MAX_ROWS = 10**12
# a variance per direction: the square of the largest domain scale (core.domain)
MAX_EIGENVALUE = MAX_DOMAIN_SCALE**2
# the searchable h: the kinds' bandwidth range, in the h convention
H_MIN = MIN_BANDWIDTH / SQRT2
H_MAX = MAX_BANDWIDTH / SQRT2
# the kinds whose kernel is exp(-||x - y||^2 / bandwidth^2): the estimate and build
# answers of these carry the extreme-value warning
GAUSSIAN_KINDS = ("gaussian_kde", "rff_baseline")

# rate(t) = 1/2 sum_{k>=2} (-1)^k (k - 1/k) t^k for |t| < 1: below _SERIES_BELOW the
# closed form cancels (both terms ~ t/2, the difference ~ 3 t^2 / 4), the series does
# not; seven terms leave a relative error below 1e-17 there
_SERIES_BELOW = 1e-3
_SERIES = tuple(0.5 * (-1) ** k * (k - 1 / k) for k in range(2, 8))
# bisection on ln h over [ln H_MIN, ln H_MAX] (width 83): 60 halvings reach 1e-16
_BISECTIONS = 60


def rate(t: NDArray[np.float64]) -> NDArray[np.float64]:
    """rate(t) = 1/2 ln(1 + t) - t / (2 (1 + t)^2) for t >= 0: one direction's share of
    alpha_G at t = l / h^2 (of alpha_CLT at t = 2 l / h^2). Increasing, 0 at 0."""
    t = np.asarray(t, dtype=np.float64)
    small = t < _SERIES_BELOW
    ts = np.where(small, t, 0.0)
    series = np.zeros_like(t)
    for k, coefficient in enumerate(_SERIES, start=2):
        series = series + coefficient * ts**k
    tl = np.where(small, 1.0, t)
    closed = 0.5 * np.log1p(tl) - 0.5 * (tl / (1.0 + tl)) / (1.0 + tl)
    return np.asarray(np.where(small, series, closed))


def check_spectrum(spectrum: Sequence[float] | NDArray[np.float64],
                   dim: int | None = None) -> NDArray[np.float64]:
    """The covariance spectrum as float64: one variance per direction, each finite, >= 0
    and at most MAX_EIGENVALUE, not all 0; ``dim`` values when ``dim`` is given."""
    values = np.asarray(spectrum, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise InvalidParameter("spectrum", "must be a non-empty list of numbers")
    if dim is not None and values.size != dim:
        raise InvalidParameter("spectrum", "must have one value per dimension (dim values)")
    if values.size > MAX_DIM:
        raise InvalidParameter("spectrum", f"must have at most {MAX_DIM} values")
    if not np.all(np.isfinite(values)):
        raise InvalidParameter("spectrum", "must be finite numbers")
    if np.any(values < 0) or np.any(values > MAX_EIGENVALUE):
        raise InvalidParameter("spectrum", f"must lie between 0 and {MAX_EIGENVALUE:g}")
    if not np.any(values > 0):
        raise InvalidParameter("spectrum", "must not be all 0")
    return values


def _check_h(h: float) -> float:
    if not (math.isfinite(h) and h > 0):
        raise InvalidParameter("h", "must be a finite number > 0")
    return float(h)


def _check_bandwidth(bandwidth: float) -> float:
    if not (math.isfinite(bandwidth) and MIN_BANDWIDTH <= bandwidth <= MAX_BANDWIDTH):
        raise InvalidParameter("bandwidth", f"must be a number between {MIN_BANDWIDTH:g} "
                               f"and {MAX_BANDWIDTH:g}")
    return float(bandwidth)


def _check_dim(dim: int) -> int:
    if isinstance(dim, bool) or not isinstance(dim, int) or not 1 <= dim <= MAX_DIM:
        raise InvalidParameter("dim", f"must be an integer between 1 and {MAX_DIM}")
    return dim


def alpha(n: int, dim: int) -> float:
    """alpha = ln(n) / d, for 2 <= n <= MAX_ROWS rows in ``dim`` dimensions."""
    if isinstance(n, bool) or not isinstance(n, int) or not 2 <= n <= MAX_ROWS:
        raise InvalidParameter("n", f"must be an integer between 2 and {MAX_ROWS:g}")
    return math.log(n) / _check_dim(dim)


def alpha_g(h: float, spectrum: Sequence[float] | NDArray[np.float64]) -> float:
    """alpha_G(h) = (1/d) sum_k rate(l_k / h^2): below it (alpha < alpha_G) a typical
    query's kernel sum is dominated by a few rows. Decreasing in h."""
    values = check_spectrum(spectrum)
    return float(np.mean(rate(values / _check_h(h) ** 2)))


def alpha_clt(h: float, spectrum: Sequence[float] | NDArray[np.float64]) -> float:
    """alpha_CLT(h) = (1/d) sum_k rate(2 l_k / h^2): above it the sum's fluctuations are
    Gaussian (its second moment is carried by many rows). Decreasing in h."""
    values = check_spectrum(spectrum)
    return float(np.mean(rate(2.0 * values / _check_h(h) ** 2)))


def _bisect(alpha_of: Callable[[float], float],
            target: float) -> tuple[float | None, Literal["below", "above"] | None]:
    """The h in [H_MIN, H_MAX] where the decreasing ``alpha_of`` meets ``target``, by
    bisection on ln h (a fixed number of steps: it always ends). Outside the range:
    (None, "below") if alpha_of < target already at H_MIN (every searchable h lies above
    the threshold), (None, "above") if alpha_of > target still at H_MAX."""
    if alpha_of(H_MIN) <= target:
        return None, "below"
    if alpha_of(H_MAX) >= target:
        return None, "above"
    lo, hi = math.log(H_MIN), math.log(H_MAX)
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        if alpha_of(math.exp(mid)) > target:
            lo = mid
        else:
            hi = mid
    return math.exp(0.5 * (lo + hi)), None


def h_g(alpha_value: float, spectrum: Sequence[float] | NDArray[np.float64]) -> float | None:
    """h_G: the h with alpha_G(h) = alpha (below it: extreme-value), or None when it lies
    outside the searchable range [H_MIN, H_MAX]."""
    values = check_spectrum(spectrum)
    return _bisect(lambda h: alpha_g(h, values), _check_alpha(alpha_value))[0]


def h_clt(alpha_value: float, spectrum: Sequence[float] | NDArray[np.float64]) -> float | None:
    """h_CLT: the h with alpha_CLT(h) = alpha (above it: CLT), or None outside
    [H_MIN, H_MAX]."""
    values = check_spectrum(spectrum)
    return _bisect(lambda h: alpha_clt(h, values), _check_alpha(alpha_value))[0]


def _check_alpha(alpha_value: float) -> float:
    if not (math.isfinite(alpha_value) and alpha_value > 0):
        raise InvalidParameter("alpha", "must be a finite number > 0")
    return float(alpha_value)


def regime(alpha_value: float, h: float,
           spectrum: Sequence[float] | NDArray[np.float64]) -> Regime:
    """The regime of the kernel sum at ``h`` for alpha = ln(n) / d."""
    values = check_spectrum(spectrum)
    if alpha_value < alpha_g(h, values):
        return "extreme_value"
    if alpha_value < alpha_clt(h, values):
        return "heavy_tailed"
    return "clt"


def log_typical_sum(n: int, h: float, spectrum: Sequence[float] | NDArray[np.float64]) -> float:
    """ln S_bar = ln n + sum_k [-1/2 ln(1 + t_k) - t_k / (2 (1 + t_k))], t_k = l_k / h^2:
    the log of the mean kernel sum over the rows, at a typical query (averaged in the
    log over queries). The typical sum itself for h > h_G; an upper bound below."""
    values = check_spectrum(spectrum)
    alpha(n, values.size)  # validates n
    t = values / _check_h(h) ** 2
    per_direction = -0.5 * np.log1p(t) - 0.5 * t / (1.0 + t)
    return math.log(n) + float(np.sum(per_direction))


def noise_std_sum(*, bandwidth: float, dim: int, rows: int, budget: PrivacyBudget,
                  mechanism: Mechanism = "gaussian", features: int | None = None,
                  projection_dim: int | None = None) -> float:
    """The privacy noise std of a sum answer of the ``gaussian_kde`` build with these
    sizes, from the code a build runs: the kind's parser, the noise plan and the spec's
    estimate, under add/remove neighbours (n private). The domain is the unit ball: the
    noise of paired features does not depend on it (every row's features are bounded
    whatever the row), and the unit ball passes the angle-range check at every bandwidth
    in range. The laplace mechanism spends no delta."""
    params: dict[str, Any] = {"bandwidth": _check_bandwidth(bandwidth), "mechanism": mechanism}
    if features is not None:
        params["features"] = features
    if projection_dim is not None:
        params["projection_dim"] = projection_dim
    spec = parse_spec("gaussian_kde", params, DataSpec(_check_dim(dim), L2Ball(1.0),
                                                       "add_remove"))
    if spec.mechanism == "laplace":
        budget = PrivacyBudget(budget.epsilon, 0.0)
    plan = noise_plan(spec, budget)
    return spec.estimate(plan, rows).noise_std_sum


@dataclass(frozen=True, slots=True)
class BandwidthAdvice:
    """What the advisor answers. ``h``, ``h_g``, ``h_clt``: in the exp(-u^2 / (2 h^2))
    convention; ``bandwidth_g``, ``bandwidth_clt``: the same thresholds as privsim
    bandwidths (sigma = sqrt 2 h). A threshold outside the searchable range is None,
    with the reason in ``warning``. ``noise_std`` and ``snr`` are None without a budget."""

    alpha: float
    regime: Regime
    h: float
    h_clt: float | None
    h_g: float | None
    bandwidth_clt: float | None
    bandwidth_g: float | None
    typical_sum: float
    noise_std: float | None
    snr: float | None
    warning: str | None


_SIDES = {"below": "every searchable bandwidth lies above it",
          "above": "every searchable bandwidth lies below it"}


def advise(*, n: int, dim: int, bandwidth: float,
           spectrum: Sequence[float] | NDArray[np.float64],
           budget: PrivacyBudget | None = None, mechanism: Mechanism = "gaussian",
           features: int | None = None, projection_dim: int | None = None) -> BandwidthAdvice:
    """The regime of ``bandwidth`` (sigma) for n rows in ``dim`` dimensions with covariance
    spectrum ``spectrum`` (public), its thresholds, the typical sum and, with a budget,
    the signal-to-noise ratio of a DP sum answer of a ``gaussian_kde`` build of
    ``features`` features under ``mechanism``."""
    a = alpha(n, dim)
    values = check_spectrum(spectrum, dim)
    h = _check_bandwidth(bandwidth) / SQRT2
    found = regime(a, h, values)
    g, g_side = _bisect(lambda x: alpha_g(x, values), a)
    c, c_side = _bisect(lambda x: alpha_clt(x, values), a)
    log_sum = log_typical_sum(n, h, values)
    typical = math.exp(log_sum)
    noise = snr = None
    if budget is not None:
        noise = noise_std_sum(bandwidth=bandwidth, dim=dim, rows=n, budget=budget,
                              mechanism=mechanism, features=features,
                              projection_dim=projection_dim)
        snr = math.exp(log_sum - math.log(noise))
    notes = []
    if found == "extreme_value":
        above = "" if g is None else f" above {g * SQRT2:.3g}"
        notes.append("the bandwidth is in the extreme-value regime: a typical answer rests "
                      "on a few rows, so privacy noise will swamp it, and typical_sum and snr "
                      f"overstate it; use a bandwidth{above}")
    for name, side in (("h_g", g_side), ("h_clt", c_side)):
        if side is not None:
            notes.append(f"{name} lies outside the searchable bandwidths ({MIN_BANDWIDTH:g} "
                         f"to {MAX_BANDWIDTH:g}): {_SIDES[side]}")
    return BandwidthAdvice(
        alpha=a, regime=found, h=h, h_clt=c, h_g=g,
        bandwidth_clt=None if c is None else c * SQRT2,
        bandwidth_g=None if g is None else g * SQRT2,
        typical_sum=typical, noise_std=noise, snr=snr,
        warning="; ".join(notes) if notes else None)


def proxy_spectrum(domain: Domain, dim: int) -> NDArray[np.float64]:
    """A public covariance spectrum from the declared domain, for data that fill it:
    an l2 ball of radius R gives R^2 / d in every direction (total variance R^2, the
    most any data in the ball can have), a box the variance of the uniform law on each
    side, (high - low)^2 / 12. See docs/bandwidth.md for which way it errs."""
    if isinstance(domain, L2Ball):
        return np.full(_check_dim(dim), domain.radius**2 / dim)
    if isinstance(domain, Box):
        return np.asarray((2.0 * domain.half_widths(_check_dim(dim))) ** 2 / 12.0)
    raise InvalidParameter("domain", "must be an l2_ball or a box")


def extreme_value_warning(bandwidth: float, data: DataSpec, rows: int) -> str | None:
    """One sentence when ``bandwidth`` (sigma) puts a Gaussian kernel sum over ``rows``
    rows that fill ``data``'s declared domain in the extreme-value regime, else None.
    Conservative for data that spread no wider than the proxy in every direction: it
    then never misses (alpha_G grows with every variance), and it may warn for data
    more concentrated than the domain (docs/bandwidth.md)."""
    if rows < 2:
        return None
    values = proxy_spectrum(data.domain, data.dim)
    a = math.log(rows) / data.dim
    if a >= alpha_g(_check_bandwidth(bandwidth) / SQRT2, values):
        return None
    g, _ = _bisect(lambda x: alpha_g(x, values), a)
    above = "" if g is None else f"; a bandwidth above {g * SQRT2:.3g} avoids it"
    return (f"bandwidth {bandwidth:.3g} is in the extreme-value regime for this many rows "
            f"filling the declared domain in {data.dim} dimensions: a typical answer rests on "
            f"a few rows and the privacy noise will swamp it{above} "
            "(POST /v1/diagnostics/bandwidth, docs/bandwidth.md)")


def spec_warning(spec: Spec, rows: int) -> str | None:
    """``extreme_value_warning`` for a parsed spec of a Gaussian kind (GAUSSIAN_KINDS);
    None for every other kind."""
    if spec.kind not in GAUSSIAN_KINDS:
        return None
    return extreme_value_warning(float(spec.public_params()["bandwidth"]), spec.data, rows)
