"""The kernel catalog: every structure kind the service builds, from core's registry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.api.deps import PrincipalDep
from app.api.responses import AUTHENTICATED, example, problems
from app.api.routes import V1
from app.api.schemas.kernels import KernelCatalog, KernelRead, kinds
from app.api.strict_json import StrictJSONRoute
from app.errors import InvalidInput, NotFound

router = APIRouter(prefix=f"{V1}/kernels", tags=["kernels"], route_class=StrictJSONRoute,
                   responses=problems(*AUTHENTICATED))

_EXAMPLE = KernelRead.of(kinds()["gaussian_kde"]).model_dump(mode="json")


@router.get("", response_model=KernelCatalog,
            responses=example({"kernels": [_EXAMPLE]}))
def list_kernels(principal: PrincipalDep) -> KernelCatalog:
    """Every structure kind (any key): its formula f(x, y), its parameters (type,
    default or how it is derived, range, choices, meaning), the noise mechanisms and
    neighbouring relations it supports, its sensitivity in terms of the parameters, the
    cost of a query point, the document deriving its sensitivities, and example
    parameters. A build's ``params`` are exactly these."""
    return KernelCatalog(kernels=[KernelRead.of(kind) for kind in kinds().values()])


@router.get("/{kind}", response_model=KernelRead,
            responses=example(_EXAMPLE) | problems(NotFound, InvalidInput))
def get_kernel(kind: Annotated[str, Path(max_length=64)],
               principal: PrincipalDep) -> KernelRead:
    """One structure kind (any key), as in ``GET /v1/kernels``; 404 for an unknown
    kind."""
    definition = kinds().get(kind)
    if definition is None:
        raise NotFound("no such kind: GET /v1/kernels lists them")
    return KernelRead.of(definition)
