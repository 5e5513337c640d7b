"""The DP von Mises-Fisher fit (model kind ``vmf``): a noisy resultant and a noisy count of
the rows normalised to the unit sphere, and the mean direction and concentration
fitted to them by post-processing.

    spec = VmfFitSpec.parse({"mechanism": "gaussian"}, DataSpec(2048, L2Ball(1.0), "add_remove"))
    release = build_release(spec, seed=seed, plan=noise_plan(spec, budget), chunks=[rows])
    release.mean_direction, release.kappa, release.log_pdf(points)

The pure pieces, usable on any noisy resultant (the classifier's ``vmf`` rule reads
them too): ``debiased_resultant`` (the mean resultant length with the noise's
expected contribution d sigma^2 taken out of ||S||^2), ``kappa_from_resultant``
(A_d(kappa) = rbar by safeguarded Newton, from Banerjee et al.'s start) and
``vmf_log_pdf``. SciPy's ``vonmises_fisher.fit`` returns kappa = 1e-8 at d = 2048 for a
true 200, and its ``logpdf`` is inf there; these work to d = 65,536.

Derivation (sensitivities, debiasing, the answers' std): docs/privacy/vmf.md#the-dp-vmf-fit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self, cast

import numpy as np
from array_api_compat import array_namespace
from numpy.typing import ArrayLike, NDArray

from core._array import Array
from core.errors import CorruptRelease, InvalidParameter
from core.kinds.registry import param, parse_params
from core.kinds.vmf_kde.release import to_sphere
from core.privacy.mechanisms import Mechanism, NoisePlan, Statistic
from core.special import bessel_ratio, log_vmf_normaliser
from core.structures.base import (
    SECONDS_PER_MAC,
    SECONDS_PER_PASS,
    Cost,
    DataSpec,
    ErrorEstimate,
    ErrorModel,
    QueryResult,
    Reduce,
    build_cost,
    check_points,
    chunk_sizes,
    clamp_count,
    count_statistic,
    ratio_std,
)

__all__ = ["MAX_FIT_KAPPA", "VmfFitBuilder", "VmfFitParams", "VmfFitSpec", "VmfRelease",
           "debiased_resultant", "kappa_from_resultant", "ratio_slope", "vmf_log_pdf"]

MAX_FIT_KAPPA = 1e10  # the fitted kappa is capped here (the resultant length at A_d(1e10))
_NEWTON_STEPS = 200  # at most; measured: <= 5 (d 2..65,536, rbar 1e-8..1 - 1e-15)
_ROUNDING = 4 * float(np.finfo(np.float64).eps)  # |A_d - rbar| this small is a root
_FIT_SECONDS = 0.02  # the Newton solve and the release, once per build (an upper bound)


# --- the pure functions ---------------------------------------------------------------

def debiased_resultant(noisy_sum: ArrayLike, noise_std: float, count: float) -> float:
    """The mean resultant length from a noisy resultant S~ = S + Z (Z: independent
    coordinates of mean 0 and std ``noise_std``) and a count:
    sqrt(max(||S~||^2 - d noise_std^2, 0)) / max(count, 1), since
    E||S~||^2 = ||S||^2 + d noise_std^2. Without the correction the noise inflates the
    length (by 16% at d = 2048, kappa = 200, n = 5000, epsilon = 1, delta = 1e-6)."""
    s = np.asarray(noisy_sum, dtype=np.float64).ravel()
    if not (s.size and np.all(np.isfinite(s))):
        raise InvalidParameter("noisy_sum", "must be a non-empty finite vector")
    if not (math.isfinite(noise_std) and noise_std >= 0):
        raise InvalidParameter("noise_std", "must be finite and >= 0")
    if not math.isfinite(count):
        raise InvalidParameter("count", "must be finite")
    peak = float(np.max(np.abs(s)))
    if peak == 0:
        return 0.0
    scaled = s / peak  # ||S~||^2 without overflow
    excess = float(scaled @ scaled) - s.size * (noise_std / peak) ** 2
    return peak * math.sqrt(max(excess, 0.0)) / clamp_count(count)


def ratio_slope(d: int, kappa: float, a: float | None = None) -> float:
    """A_d'(kappa) = 1 - A^2 - (d - 1) A / kappa (``a``: A_d(kappa) if known; 1/d at 0).
    The two terms cancel at large kappa (the slope is (d - 1) / (2 kappa^2) there, they
    are ~ (d - 1) / kappa): where the difference is not well above its rounding
    (1e-12, about a hundred times it) the asymptote takes over, whose relative error
    O(d / kappa) is below 4e-4 there (kappa > 7e5 sqrt(d - 1))."""
    if kappa == 0:
        return 1.0 / d
    if a is None:
        a = float(bessel_ratio(d, kappa))
    slope = 1.0 - a * a - (d - 1) * a / kappa
    return slope if slope > 1e-12 else (d - 1) / (2.0 * kappa * kappa)


def _check_dim(d: int) -> int:
    if isinstance(d, bool) or not isinstance(d, int | np.integer) or not 1 <= d <= 65_536:
        raise InvalidParameter("d", "must be an integer between 1 and 65536")
    return int(d)


def kappa_from_resultant(rbar: float, d: int) -> float:
    """The kappa with A_d(kappa) = rbar (the maximum-likelihood concentration of a vMF
    in R^d with mean resultant length rbar), for rbar in [0, 1) and d in 1..65,536.

    Newton from Banerjee et al.'s kappa_0 = rbar (d - rbar^2) / (1 - rbar^2) with
    A_d'(kappa) = 1 - A^2 - (d - 1) A / kappa (``ratio_slope``), A_d from
    ``bessel_ratio`` (accurate to an ulp or two). A_d rises strictly from 0 to 1, so the
    root is unique; the iteration keeps a bracket [lo, hi] around it and bisects
    (geometrically) whenever a Newton step would leave it, so it always converges.
    rbar = 0: kappa = 0; d = 1: atanh(rbar)."""
    d = _check_dim(d)
    if not 0.0 <= rbar < 1.0:  # NaN fails this too
        raise InvalidParameter("rbar", "must be in [0, 1)")
    if rbar == 0.0:
        return 0.0
    if d == 1:
        return math.atanh(rbar)

    kappa = rbar * (d - rbar * rbar) / (1.0 - rbar * rbar)
    lo, hi = 0.0, math.inf
    for _ in range(_NEWTON_STEPS):
        a = float(bessel_ratio(d, kappa))
        f = a - rbar
        if abs(f) <= _ROUNDING * rbar:
            return kappa
        if f < 0:
            lo = kappa
        else:
            hi = kappa
        slope = ratio_slope(d, kappa, a)
        step = kappa - f / slope if slope > 0 else math.nan
        if not lo < step < hi:  # NaN fails this too
            step = 2.0 * lo if math.isinf(hi) else (math.sqrt(lo * hi) if lo > 0 else hi / 2)
        if abs(step - kappa) <= 1e-15 * kappa:
            return step
        kappa = step
    return kappa  # the bracket has shrunk to a few ulps long before this


def vmf_log_pdf(points: ArrayLike, mu: ArrayLike, kappa: float) -> NDArray[np.float64]:
    """log of the vMF density C_d(kappa) exp(kappa mu.x) on the unit sphere at
    ``points`` (q, d) or (d,), normalised first like the rows (``to_sphere``), with
    ``mu`` normalised too (it must not be 0); kappa >= 0 finite. Finite for every d up
    to 65,536 and kappa up to 1e10 (the density itself overflows or underflows there)."""
    m = np.asarray(mu, dtype=np.float64).ravel()
    d = _check_dim(m.size)
    if not np.all(np.isfinite(m)) or not np.any(m):
        raise InvalidParameter("mu", "must be a finite non-zero vector")
    if not (math.isfinite(kappa) and kappa >= 0):
        raise InvalidParameter("kappa", "must be finite and >= 0")
    x = np.asarray(points, dtype=np.float64)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[1] != d or not np.all(np.isfinite(x)):
        raise InvalidParameter("points", f"must be finite with shape (q, {d})")
    direction = to_sphere(m[None, :])[0]
    cosines = np.clip(to_sphere(x) @ direction, -1.0, 1.0)
    return np.asarray(float(log_vmf_normaliser(d, kappa)) + kappa * cosines)


# --- the model: spec, builder, release ------------------------------------------------

@dataclass(frozen=True, slots=True)
class VmfFitParams:
    mechanism: str = param("string", "noise mechanism of the resultant and the count: "
                           "gaussian (zCDP, reported as epsilon-delta) or laplace (pure "
                           "epsilon-DP; its L1 sensitivity sqrt(d) makes it far noisier in "
                           "high dimension)", default="gaussian",
                           choices=("gaussian", "laplace"))


@dataclass(frozen=True, slots=True)
class VmfFitSpec:
    """The vMF fit's statistics: ``sum`` (the resultant of the unit rows, d values) and
    ``count``. Not a registered structure kind: it is reached as the model kind
    ``vmf`` (core.models.parse_model), and built by core.structures.build_release."""

    kind: ClassVar[str] = "vmf"
    data: DataSpec
    mechanism: Mechanism = "gaussian"

    @classmethod
    def parse(cls, params: Mapping[str, Any], data: DataSpec) -> Self:
        typed = parse_params(VmfFitParams, params)
        return cls(data, cast(Mechanism, typed.mechanism))

    def public_params(self) -> dict[str, Any]:
        return {"mechanism": self.mechanism}

    def statistics(self) -> list[Statistic]:
        """Unit rows: one row moves the resultant by a unit vector (add/remove: L2 1,
        L1 sqrt(d)) or by the difference of two (replace-one: L2 2, L1 2 sqrt(d))."""
        d = self.data.dim
        factor = 2.0 if self.data.neighbouring == "replace_one" else 1.0
        return [Statistic("sum", d, factor * math.sqrt(d), factor),
                count_statistic(self.data.neighbouring)]

    def builder(self, seed: int) -> VmfFitBuilder:
        """No public randomness: ``seed`` is unused."""
        return VmfFitBuilder(self)

    def release_bytes(self) -> int:
        return 8 * self.data.dim

    def estimate(self, plan: NoisePlan, rows: int) -> ErrorEstimate:
        """The noise of the mean resultant length (what kappa is solved from; at most 1):
        noise_std_sum is the resultant's per-coordinate std, noise_std_mean the first-order
        std of ||S~|| / n~ at length 1 (its largest)."""
        n = float(max(rows, 1))
        sigma = plan.std("sum")
        mean = ratio_std(np.array([n]), np.array([sigma]), n, plan.std("count"))
        return ErrorEstimate(noise_std_sum=sigma, noise_std_mean=float(mean[0]),
                             approximation_mean=0.0, typical_mean=1.0)

    def cost(self, rows: int, chunk_rows: int) -> Cost:
        """Per row: normalising and adding it (about eight passes over its d values);
        once: the fit; a query: its normalisation and one inner product."""
        d = self.data.dim
        largest, _ = chunk_sizes(rows, chunk_rows)
        return build_cost(data=self.data, statistics=self.statistics(),
                          mechanism=self.mechanism, release_bytes=self.release_bytes(),
                          rows=rows, chunk_rows=chunk_rows,
                          seconds_per_row=8 * d * SECONDS_PER_PASS, seconds_per_chunk=0.0,
                          fixed_seconds=_FIT_SECONDS, working_bytes=3 * 8 * d * largest,
                          query_seconds=d * (SECONDS_PER_MAC["float64"]
                                             + 6 * SECONDS_PER_PASS))


class VmfFitBuilder:
    def __init__(self, spec: VmfFitSpec) -> None:
        self._spec = spec

    def accumulate(self, chunk: Array) -> dict[str, Array]:
        """The resultant of the chunk's rows on the sphere (``to_sphere``) and its row
        count; any Array API namespace."""
        xp = array_namespace(chunk)
        unit = to_sphere(chunk)
        return {"sum": xp.sum(unit, axis=0, dtype=xp.float64),
                "count": xp.asarray([float(chunk.shape[0])], dtype=xp.float64)}

    def finish(self, noisy: Mapping[str, NDArray[np.float64]], plan: NoisePlan) -> VmfRelease:
        return VmfRelease(kind=self._spec.kind, dim=self._spec.data.dim,
                          params=self._spec.public_params(), plan=plan,
                          resultant=np.asarray(noisy["sum"], dtype=np.float64),
                          count=float(noisy["count"][0]))


@dataclass(frozen=True, slots=True)
class VmfRelease:
    """The noisy resultant and count, and the vMF fitted to them (post-processing):
    ``mean_direction`` (S~ / ||S~||), ``mean_resultant_length`` (``debiased_resultant``,
    capped at A_d(MAX_FIT_KAPPA)) and ``kappa`` (``kappa_from_resultant``)."""

    kind: str
    dim: int
    params: dict[str, Any]
    plan: NoisePlan
    resultant: NDArray[np.float64]
    count: float
    mean_direction: NDArray[np.float64] = field(init=False)
    mean_resultant_length: float = field(init=False)
    kappa: float = field(init=False)

    def __post_init__(self) -> None:
        if self.resultant.shape != (self.dim,) or not np.all(np.isfinite(self.resultant)):
            raise CorruptRelease("the vMF fit's resultant must be finite, of size dim")
        direction = to_sphere(self.resultant[None, :])[0]  # S~ = 0: the public e_1
        rbar = min(debiased_resultant(self.resultant, self.plan.std("sum"), self.count),
                   float(bessel_ratio(self.dim, MAX_FIT_KAPPA)))
        rbar = min(rbar, math.nextafter(1.0, 0.0))
        object.__setattr__(self, "mean_direction", direction)
        object.__setattr__(self, "mean_resultant_length", rbar)
        object.__setattr__(self, "kappa", min(kappa_from_resultant(rbar, self.dim),
                                              MAX_FIT_KAPPA))

    # --- answers

    def log_pdf(self, points: NDArray[np.float64]) -> NDArray[np.float64]:
        """log of the fitted density at the points (normalised like the rows): finite
        where the density itself overflows (high d) or underflows."""
        Y = check_points(points, self.dim)
        return vmf_log_pdf(Y, self.mean_direction, self.kappa)

    def _rbar_std(self) -> float:
        """First-order std of the debiased length: with Q = ||S~||^2 - d sigma^2,
        var Q ~ 4 ||S||^2 sigma^2 + 2 d sigma^4, so var sqrt(Q) ~ sigma^2 +
        d sigma^4 / (2 ||S||^2); the count adds rbar^2 sigma_n^2; all over n~^2. ||S||^2
        is read as n~^2 rbar^2, at least sqrt(2d) sigma^2 (the noise's own spread in Q,
        below which a length cannot be told from 0)."""
        n_hat = clamp_count(self.count)
        sigma, sigma_n = self.plan.std("sum"), self.plan.std("count")
        rbar, d = self.mean_resultant_length, self.dim
        length_sq = max((n_hat * rbar) ** 2, math.sqrt(2.0 * d) * sigma * sigma, 1e-300)
        var = sigma**2 + d * sigma**4 / (2.0 * length_sq) + (rbar * sigma_n) ** 2
        return math.sqrt(var) / n_hat

    def _kappa_std(self) -> float:
        """First-order std of the fitted kappa: std(rbar) / A_d'(kappa)."""
        return min(self._rbar_std() / ratio_slope(self.dim, self.kappa), 1e300)

    def log_pdf_std(self, points: NDArray[np.float64]) -> NDArray[np.float64]:
        """First-order std of ``log_pdf`` from the privacy noise (docs/privacy/vmf.md):
        var ~ (mu.y - A_d(kappa))^2 var(kappa) + kappa^2 |y_perp|^2 sigma^2 / ||S~||^2."""
        unit = to_sphere(check_points(points, self.dim))
        cosines = np.clip(unit @ self.mean_direction, -1.0, 1.0)
        a = float(bessel_ratio(self.dim, self.kappa))
        length = float(np.linalg.norm(self.resultant))
        direction_var = (self.plan.std("sum") / length) ** 2 if length > 0 else math.inf
        tangent = np.maximum(1.0 - cosines * cosines, 0.0)
        with np.errstate(over="ignore", invalid="ignore"):
            var = ((cosines - a) ** 2 * self._kappa_std() ** 2
                   + self.kappa**2 * tangent * direction_var)
        return np.asarray(np.sqrt(np.where(np.isfinite(var), var, np.inf)))

    def query(self, points: NDArray[np.float64], reduce: Reduce = "sum") -> QueryResult:
        """The fitted density p(y) (``mean``) or n~ p(y) (``sum``), with the first-order
        std of the privacy noise (p times ``log_pdf_std``; the sum adds the count's noise
        p sigma_n in quadrature) and no approximation error (a parametric fit). At high
        d the density overflows or underflows float64: read ``log_pdf`` there."""
        log_p = self.log_pdf(points)
        log_std = self.log_pdf_std(points)
        with np.errstate(over="ignore", invalid="ignore"):
            p = np.exp(log_p)
            std = p * log_std
            if reduce == "sum":
                n_hat = clamp_count(self.count)
                return QueryResult(n_hat * p, np.hypot(n_hat * std,
                                                       p * self.plan.std("count")),
                                   np.zeros_like(p))
        return QueryResult(p, std, np.zeros_like(p))

    def error_model(self, data: DataSpec) -> ErrorModel:
        """The released statistics' noise (``noise_std_sum``: the resultant's
        per-coordinate std; ``count_noise_std``), no approximation error, and in
        ``details`` the fit with its first-order stds: kappa, kappa_std,
        mean_resultant_length (and its std) and direction_std (radians per tangent
        direction, sigma / ||S~||)."""
        sigma = self.plan.std("sum")
        length = float(np.linalg.norm(self.resultant))
        return ErrorModel(sigma, self.plan.std("count"), 0.0, {
            "kappa": self.kappa, "kappa_std": self._kappa_std(),
            "mean_resultant_length": self.mean_resultant_length,
            "mean_resultant_length_std": self._rbar_std(),
            "direction_std": min(sigma / length, math.pi) if length > 0 else math.pi})

    # --- storage

    def header(self) -> dict[str, Any]:
        """The fitted kappa and length are recorded for readers; loading recomputes them
        from the resultant and count (the same post-processing)."""
        return {"kind": self.kind, "dim": self.dim, "params": self.params,
                "plan": self.plan.to_dict(), "count": self.count, "kappa": self.kappa,
                "mean_resultant_length": self.mean_resultant_length}

    def arrays(self) -> dict[str, NDArray[np.float64]]:
        return {"resultant": self.resultant}

    @classmethod
    def from_parts(cls, header: Mapping[str, Any],
                   arrays: Mapping[str, NDArray[np.float64]]) -> Self:
        try:
            return cls(kind=header["kind"], dim=int(header["dim"]), params=header["params"],
                       plan=NoisePlan.from_dict(header["plan"]),
                       resultant=np.asarray(arrays["resultant"], dtype=np.float64),
                       count=float(header["count"]))
        except (KeyError, TypeError, ValueError, InvalidParameter) as exc:
            raise CorruptRelease("vMF fit release is incomplete") from exc
