"""Diagnostics from public inputs: nothing is read from a dataset and nothing is spent."""

from __future__ import annotations

from functools import partial

import anyio
from fastapi import APIRouter

from app.api import examples as ex
from app.api.deps import PrincipalDep, StateDep
from app.api.responses import AUTHENTICATED, body_examples, example, problems
from app.api.routes import V1
from app.api.schemas.diagnostics import BandwidthIn, BandwidthOut
from app.api.strict_json import StrictJSONRoute
from app.errors import InvalidInput, PayloadTooLarge
from core.diagnostics import advise
from core.privacy.budget import PrivacyBudget

router = APIRouter(prefix=f"{V1}/diagnostics", tags=["diagnostics"],
                   route_class=StrictJSONRoute, responses=problems(*AUTHENTICATED))


def _advise(body: BandwidthIn) -> BandwidthOut:
    budget = None if body.privacy is None else PrivacyBudget(body.privacy.epsilon,
                                                             body.privacy.delta)
    advice = advise(n=body.n, dim=body.dim, bandwidth=body.bandwidth, spectrum=body.spectrum,
                    budget=budget, mechanism=body.mechanism, features=body.features)
    return BandwidthOut.from_view(advice)


@router.post("/bandwidth", response_model=BandwidthOut,
             openapi_extra=body_examples({"eight_dimensions": ex.BANDWIDTH_IN}),
             responses=example(ex.BANDWIDTH_OUT) | problems(PayloadTooLarge, InvalidInput))
async def advise_bandwidth(body: BandwidthIn, state: StateDep,
                           principal: PrincipalDep) -> BandwidthOut:
    """The regime of a Gaussian kernel bandwidth for n rows in dim dimensions with a
    public covariance spectrum (any key; nothing is read or spent): alpha = ln(n)/dim,
    the regime (clt, heavy_tailed, extreme_value), the thresholds h_CLT and h_G (in the
    h = bandwidth / sqrt 2 convention, and as bandwidths), the typical kernel sum and,
    with ``privacy``, the noise std of a gaussian_kde sum answer at that budget and the
    signal-to-noise ratio. Below bandwidth_g a typical answer rests on a few rows and
    the privacy noise swamps it. Derivation: docs/bandwidth.md."""
    return await anyio.to_thread.run_sync(partial(_advise, body), limiter=state.compute)
