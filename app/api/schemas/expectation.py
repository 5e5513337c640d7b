"""Bodies of POST /v1/structures/{id}/expectation: the private rows' mean of a public
function given at public nodes, by kernel quadrature on a kernel structure's release
(core/models/expectation.py, docs/expectation.md). Nothing is spent."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.api.schemas.common import Out, Strict
from core.models.expectation import MAX_NODES, MAX_RIDGE, MIN_RIDGE


class ExpectationIn(Strict):
    """Public nodes y_1..y_M (rows of the dataset's dimension) and the values g(y_j) of a
    public function there (a public model's loss, say)."""

    nodes: list[list[float]] = Field(min_length=1, max_length=MAX_NODES, description=(
        f"the public nodes, M rows of the dataset's dimension (1 <= M <= {MAX_NODES}); "
        "spread them over where the data may lie"))
    values: list[float] = Field(min_length=1, max_length=MAX_NODES, description=(
        "g at each node, in the nodes' order"))
    ridge: float | None = Field(default=None, ge=MIN_RIDGE, le=MAX_RIDGE, description=(
        "lambda in (K + lambda M I)^-1; null (the default) chooses it from the noise: "
        "the mean noise variance of the embedding at the nodes over the kernel's scale"))


class ExpectationOut(Out):
    """E_P[g] ~ w . g(Y), w = (K + lambda M I)^-1 z, z the release's kernel mean
    embedding at the nodes."""

    value: float = Field(description="the estimate of the rows' mean of g")
    std: float = Field(description=(
        "std of the privacy noise in value (exact for the release's own kernel; where "
        "kernel is exact, a worst-case bound over the noise's correlations); it does "
        "not cover how well the kernel interpolates g between the nodes"))
    approximation_std: float = Field(description=(
        "bound on the rms error the structure's approximation puts into value: 0 with "
        "the release's own kernel, which has none"))
    ridge: float = Field(description="the lambda used")
    nodes: int = Field(description="the number of nodes M")
    kernel: Literal["release", "exact"] = Field(description=(
        "release: the release's own (random-feature) kernel, whose embedding its answers "
        "are exactly; exact: the kind's kernel f, for a release whose own is unknown"))
