"""What the labelled models share: the build over labelled chunks, per-part noise plans,
and the file layout of a release made of several structure releases.

A model's spec releases its statistics through one noise plan, like a structure; its
builder sees each chunk's rows with their labels (``LabelledBuilder``). ``build_model``
is ``core.structures.build_release`` for labelled rows: clip, sum chunk by chunk, add
noise once, wrap the release.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from core._array import Array
from core.errors import CorruptRelease, IncompatibleArrays, InvalidParameter
from core.privacy.mechanisms import NoisePlan, NoiseSpec
from core.structures.base import DataSpec, Release

__all__ = ["LabelledBuilder", "LabelledChunk", "build_model", "join_parts", "part_plan",
           "split_parts", "structure_of"]

LabelledChunk = tuple[NDArray[np.float64], NDArray[Any]]


class LabelledSpec(Protocol):
    @property
    def data(self) -> DataSpec: ...

    def statistics(self) -> Sequence[Any]: ...

    def builder(self, seed: int) -> LabelledBuilder: ...


class LabelledBuilder(Protocol):
    def accumulate(self, rows: NDArray[np.float64], labels: NDArray[Any],
                   to_backend: Callable[[NDArray[np.float64]], Array]
                   ) -> dict[str, NDArray[np.float64]]:
        """Exact additive sums (on the host, float64) of one chunk of clipped rows and
        their labels; the rows of each part move to the compute device."""
        ...

    def finish(self, noisy: Mapping[str, NDArray[np.float64]], plan: NoisePlan) -> Release:
        ...


def structure_of(params: Mapping[str, Any], extra: tuple[str, ...] = ()
                 ) -> tuple[str, Mapping[str, Any]]:
    """The ``{rule?, structure: {kind, params}}`` of a classifier's or regressor's
    params (and the ``extra`` keys the model takes): the structure's kind and params,
    checked for shape (the spec parses them)."""
    unknown = sorted(set(params) - {"rule", "structure", *extra})
    if unknown:
        raise InvalidParameter("params", "unknown parameter(s): " + ", ".join(unknown))
    structure = params.get("structure")
    if not isinstance(structure, Mapping) or not isinstance(structure.get("kind"), str):
        raise InvalidParameter("structure", "must be {kind, params}")
    base_params = structure.get("params") or {}
    if not isinstance(base_params, Mapping):
        raise InvalidParameter("structure.params", "must be an object")
    return str(structure["kind"]), base_params


def build_model(spec: LabelledSpec, *, seed: int, plan: NoisePlan,
                chunks: Iterable[LabelledChunk],
                to_backend: Callable[[NDArray[np.float64]], Array] = lambda x: x,
                progress: Callable[[int], None] | None = None,
                observe: Callable[[Mapping[str, NDArray[np.float64]]], None] | None = None,
                ) -> Release:
    """The whole build of a labelled model (see ``core.structures.build_release``)."""
    names = {s.name for s in spec.statistics()}
    if names != {s.statistic for s in plan.specs}:
        raise InvalidParameter("plan", "does not match the model's statistics")
    builder = spec.builder(seed)
    dim = spec.data.dim
    totals: dict[str, NDArray[np.float64]] = {}
    for index, (rows, labels) in enumerate(chunks):
        if rows.ndim != 2 or rows.shape[1] != dim:
            raise IncompatibleArrays(f"rows must have shape (n, {dim})")
        if labels is None or np.shape(labels) != (rows.shape[0],):
            raise IncompatibleArrays("every row of a model's dataset needs a label")
        clipped = spec.data.domain.clip(np.asarray(rows, dtype=np.float64))
        for name, partial in builder.accumulate(clipped, np.asarray(labels),
                                                to_backend).items():
            totals[name] = totals[name] + partial if name in totals else partial
        if progress is not None:
            progress(index + 1)
    if not totals:
        totals = builder.accumulate(np.zeros((0, dim)), np.zeros(0), to_backend)
    noisy = plan.apply(totals)
    if observe is not None:
        observe(noisy)
    return builder.finish(noisy, plan)


def part_plan(plan: NoisePlan, parts: int, index: int) -> NoisePlan:
    """The plan of one of ``parts`` equal blocks of every statistic: the same mechanism,
    sensitivities and scales, a block's size (so a part's release reports its noise)."""
    specs = tuple(NoiseSpec(s.statistic, s.size // parts, s.mechanism, s.sensitivity,
                            s.scale, s.epsilon, s.rho) for s in plan.specs)
    del index  # every part has the same plan: the blocks share the model's scales
    return NoisePlan(plan.mechanism, plan.budget, specs)


def split_parts(noisy: Mapping[str, NDArray[np.float64]],
                parts: int) -> list[dict[str, NDArray[np.float64]]]:
    """Each statistic (parts blocks, concatenated) cut back into its parts."""
    out: list[dict[str, NDArray[np.float64]]] = [{} for _ in range(parts)]
    for name, values in noisy.items():
        for index, block in enumerate(np.split(np.asarray(values, dtype=np.float64), parts)):
            out[index][name] = block
    return out


_SHARED = "shared."


def join_parts(releases: Sequence[Release]) -> tuple[list[dict[str, Any]],
                                                     dict[str, NDArray[np.float64]]]:
    """The headers and arrays of several releases in one file: part i's array ``a`` is
    ``p{i}.a``, except arrays every part holds identically (the public frequencies and
    projections the parts share, drawn from one seed), stored once as ``shared.a``."""
    arrays = [r.arrays() for r in releases]
    shared = {name for name in arrays[0]
              if all(name in a and np.array_equal(a[name], arrays[0][name]) for a in arrays)}
    out = {_SHARED + name: np.asarray(arrays[0][name]) for name in sorted(shared)}
    for index, part in enumerate(arrays):
        out.update({f"p{index}.{name}": np.asarray(v) for name, v in part.items()
                    if name not in shared})
    return [r.header() for r in releases], out


def part_arrays(arrays: Mapping[str, NDArray[np.float64]],
                index: int) -> dict[str, NDArray[np.float64]]:
    """Part ``index``'s arrays, as ``join_parts`` stored them."""
    prefix = f"p{index}."
    out = {name[len(_SHARED):]: v for name, v in arrays.items() if name.startswith(_SHARED)}
    out.update({name[len(prefix):]: v for name, v in arrays.items() if name.startswith(prefix)})
    if not out:
        raise CorruptRelease("model release is missing a part")
    return out
