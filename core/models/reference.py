"""A public reference sample for the ``cosine`` rule: where public rows like the private
ones vary, so that the noisy class sums can be compared inside that subspace.

The cosine rule scores a point y by y . s_c / |s_c| with s_c = S_c + Z_c, the noisy sum
of class c (Z_c ~ N(0, sigma^2 I_d)). Dividing by the noisy norm down-weights a class
whose noise happens to be large, but in d dimensions most of |Z_c|^2 (d sigma^2) lies
where no row, and so no query, ever points: the norm is dominated by noise that the
score never sees. Projecting the noisy sums onto the directions in which the rows vary
keeps the class signal and removes that noise from the norms.

Which directions: a direction v with second moment lambda = E[(x . v)^2] over rows like
the private ones carries at most n_c^2 lambda of a class sum's squared signal along it,
and sigma^2 of its noise. It is kept when n^2 lambda >= sigma^2 (n the mean noisy class
count): the signal it can carry is at least its noise. So a low epsilon keeps only the
main directions, and a high one keeps nearly all (a noiseless plan keeps everything:
the rule is then exactly cosine to the exact class sums). The directions beyond the ones
stored count as one block with their mean second moment.

The reference is public data (a sample of a public corpus through the same encoder, or
the unlabelled points to be classified): using it is post-processing of the release and
spends nothing. It is stored as its leading principal directions and their second
moments (``MAX_STORED_VALUES`` floats at most), never as rows. Derivation and the
measured gain: docs/privacy/models.md.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from core.errors import CorruptRelease, IncompatibleArrays, InvalidParameter
from core.structures.base import DataSpec, check_points

__all__ = ["MAX_REFERENCE_ROWS", "MAX_STORED_VALUES", "Reference", "shown_params"]

MAX_REFERENCE_ROWS = 2048
MAX_STORED_VALUES = 1 << 16  # directions x d, about 0.7 MB of stored params at most
_RELATIVE_RANK_TOL = 1e-12  # a second moment below this times the largest is zero


def _encode(values: NDArray[np.float64]) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype="<f8").tobytes()).decode()


def _decode(text: str, shape: tuple[int, ...]) -> NDArray[np.float64]:
    raw = base64.b64decode(text.encode(), validate=True)
    values = np.frombuffer(raw, dtype="<f8").astype(np.float64)
    if values.size != int(np.prod(shape)) or not np.all(np.isfinite(values)):
        raise ValueError("stored reference has the wrong size or non-finite values")
    return values.reshape(shape)


@dataclass(frozen=True, slots=True)
class Reference:
    """The public reference: ``directions`` (q, d), orthonormal rows in decreasing order
    of ``moments`` (q,), the reference rows' mean squared component along each; and
    ``rest``, their mean squared component per direction outside the stored ones."""

    rows: int
    directions: NDArray[np.float64]
    moments: NDArray[np.float64]
    rest: float

    @classmethod
    def from_points(cls, points: Any, data: DataSpec) -> Self:
        """From public rows (clipped to the dataset's domain, like the private rows)."""
        try:
            arr = check_points(np.asarray(points, dtype=np.float64), data.dim)
        except (IncompatibleArrays, ValueError, TypeError) as exc:
            raise InvalidParameter("reference.points", f"must be finite rows of {data.dim} "
                                   "numbers") from exc
        if not 1 <= arr.shape[0] <= MAX_REFERENCE_ROWS:
            raise InvalidParameter("reference.points", f"takes 1 to {MAX_REFERENCE_ROWS} rows")
        rows = data.domain.clip(arr)
        _, singular, vt = np.linalg.svd(rows / np.sqrt(rows.shape[0]), full_matrices=False)
        moments = singular**2
        total = float(moments.sum())
        rank = int(np.sum(moments > _RELATIVE_RANK_TOL * max(float(moments[0]), 0.0)))
        q = min(rank, max(MAX_STORED_VALUES // data.dim, 1))
        d = data.dim
        rest = (total - float(moments[:q].sum())) / (d - q) if d > q else 0.0
        return cls(rows.shape[0], vt[:q].copy(), moments[:q].copy(), max(rest, 0.0))

    @classmethod
    def parse(cls, value: Any, data: DataSpec) -> Self:
        """From a request (``{"points": [[...], ...]}``) or from its stored form."""
        if not isinstance(value, Mapping):
            raise InvalidParameter("reference", "must be an object with points")
        if set(value) == {"points"}:
            return cls.from_points(value["points"], data)
        try:
            q = len(value["moments"])
            moments = np.asarray(value["moments"], dtype=np.float64)
            directions = _decode(str(value["directions"]), (q, data.dim))
            return cls(int(value["rows"]), directions, moments, float(value["rest"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidParameter("reference", "must be an object with points") from exc

    def public_params(self) -> dict[str, Any]:
        """The stored form (directions as base64 little-endian float64)."""
        return {"rows": self.rows, "moments": [float(m) for m in self.moments],
                "directions": _encode(self.directions), "rest": self.rest}

    def summary(self) -> dict[str, Any]:
        """What a reader is shown: its size, not its directions (``shown_params``)."""
        return {"rows": self.rows, "directions": int(self.moments.size)}

    def header(self) -> dict[str, Any]:
        return {"rows": self.rows, "rest": self.rest}

    def arrays(self) -> dict[str, NDArray[np.float64]]:
        return {"reference_directions": self.directions, "reference_moments": self.moments}

    @classmethod
    def from_release(cls, header: Mapping[str, Any],
                     arrays: Mapping[str, NDArray[np.float64]], dim: int) -> Self:
        try:
            directions = np.asarray(arrays["reference_directions"], dtype=np.float64)
            moments = np.asarray(arrays["reference_moments"], dtype=np.float64)
            if directions.ndim != 2 or directions.shape != (moments.size, dim):
                raise CorruptRelease("stored reference has the wrong shape")
            return cls(int(header["rows"]), directions, moments, float(header["rest"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise CorruptRelease("stored reference is incomplete") from exc

    def project(self, sums: NDArray[np.float64], noise_std: float,
                count: float) -> NDArray[np.float64]:
        """The class sums (classes, d) restricted to the directions whose signal can
        reach the noise: second moment lambda with count^2 lambda >= noise_std^2."""
        if noise_std <= 0.0:
            return sums
        threshold = (noise_std / max(count, 1.0)) ** 2
        kept = self.moments >= threshold
        if self.rest >= threshold:  # the unstored directions stay: drop the weak ones
            weak = self.directions[~kept]
            projected: NDArray[np.float64] = sums - (sums @ weak.T) @ weak
            return projected
        strong = self.directions[kept]
        projected = (sums @ strong.T) @ strong
        return projected

    def kept(self, noise_std: float, count: float) -> int:
        """How many dimensions ``project`` keeps."""
        d = int(self.directions.shape[1])
        if noise_std <= 0.0:
            return d
        threshold = (noise_std / max(count, 1.0)) ** 2
        strong = int(np.sum(self.moments >= threshold))
        return d - (int(self.moments.size) - strong) if self.rest >= threshold else strong


def shown_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Stored model params as a reader sees them: a reference by its size only."""
    out = dict(params)
    stored = out.get("reference")
    if isinstance(stored, Mapping) and "moments" in stored:
        out["reference"] = {"rows": stored.get("rows"),
                            "directions": len(stored["moments"])}
    return out
