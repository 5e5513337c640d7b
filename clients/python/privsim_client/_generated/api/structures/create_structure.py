from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.cauchy_kde_build import CauchyKdeBuild
from ...models.exponential_kde_build import ExponentialKdeBuild
from ...models.gaussian_kde_build import GaussianKdeBuild
from ...models.inner_product_build import InnerProductBuild
from ...models.l1_distance_build import L1DistanceBuild
from ...models.l2_distance_build import L2DistanceBuild
from ...models.laplace_kde_build import LaplaceKdeBuild
from ...models.problem import Problem
from ...models.relu_nngp_build import ReluNngpBuild
from ...models.relu_ntk_build import ReluNtkBuild
from ...models.rff_baseline_build import RffBaselineBuild
from ...models.sq_l2_distance_build import SqL2DistanceBuild
from ...models.structure_accepted import StructureAccepted
from ...models.vmf_kde_build import VmfKdeBuild
from ...types import UNSET, Response, Unset


def _get_kwargs(
    dataset_id: UUID,
    *,
    body: CauchyKdeBuild
    | ExponentialKdeBuild
    | GaussianKdeBuild
    | InnerProductBuild
    | L1DistanceBuild
    | L2DistanceBuild
    | LaplaceKdeBuild
    | ReluNngpBuild
    | ReluNtkBuild
    | RffBaselineBuild
    | SqL2DistanceBuild
    | VmfKdeBuild,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["idempotency-key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/datasets/{dataset_id}/structures".format(
            dataset_id=quote(str(dataset_id), safe=""),
        ),
    }

    if (
        isinstance(body, GaussianKdeBuild)
        or isinstance(body, RffBaselineBuild)
        or isinstance(body, SqL2DistanceBuild)
        or isinstance(body, InnerProductBuild)
        or isinstance(body, ExponentialKdeBuild)
        or isinstance(body, LaplaceKdeBuild)
        or isinstance(body, CauchyKdeBuild)
        or isinstance(body, L1DistanceBuild)
        or isinstance(body, L2DistanceBuild)
        or isinstance(body, VmfKdeBuild)
        or isinstance(body, ReluNngpBuild)
    ):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | StructureAccepted | None:
    if response.status_code == 202:
        response_202 = StructureAccepted.from_dict(response.json())

        return response_202

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | StructureAccepted]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    dataset_id: UUID,
    *,
    client: AuthenticatedClient,
    body: CauchyKdeBuild
    | ExponentialKdeBuild
    | GaussianKdeBuild
    | InnerProductBuild
    | L1DistanceBuild
    | L2DistanceBuild
    | LaplaceKdeBuild
    | ReluNngpBuild
    | ReluNtkBuild
    | RffBaselineBuild
    | SqL2DistanceBuild
    | VmfKdeBuild,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Problem | StructureAccepted]:
    """Create Structure

     Build a structure (admin, owner): validate the kind's parameters, fix the noise
    plan from public parameters only, reserve the budget, record the spend in the ledger
    and queue the build, in one transaction. The body's ``params`` depend on ``kind``
    (``GET /v1/kernels``). Follow ``job_url`` or ``status_url`` until the structure is
    ready.

    Args:
        dataset_id (UUID):
        idempotency_key (None | str | Unset): any unique string (a UUID, say) chosen by the
            client: a retry with the same key and body returns the first answer and spends nothing;
            the same key with another body gets 409
        body (CauchyKdeBuild | ExponentialKdeBuild | GaussianKdeBuild | InnerProductBuild |
            L1DistanceBuild | L2DistanceBuild | LaplaceKdeBuild | ReluNngpBuild | ReluNtkBuild |
            RffBaselineBuild | SqL2DistanceBuild | VmfKdeBuild):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | StructureAccepted]
    """

    kwargs = _get_kwargs(
        dataset_id=dataset_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    dataset_id: UUID,
    *,
    client: AuthenticatedClient,
    body: CauchyKdeBuild
    | ExponentialKdeBuild
    | GaussianKdeBuild
    | InnerProductBuild
    | L1DistanceBuild
    | L2DistanceBuild
    | LaplaceKdeBuild
    | ReluNngpBuild
    | ReluNtkBuild
    | RffBaselineBuild
    | SqL2DistanceBuild
    | VmfKdeBuild,
    idempotency_key: None | str | Unset = UNSET,
) -> Problem | StructureAccepted | None:
    """Create Structure

     Build a structure (admin, owner): validate the kind's parameters, fix the noise
    plan from public parameters only, reserve the budget, record the spend in the ledger
    and queue the build, in one transaction. The body's ``params`` depend on ``kind``
    (``GET /v1/kernels``). Follow ``job_url`` or ``status_url`` until the structure is
    ready.

    Args:
        dataset_id (UUID):
        idempotency_key (None | str | Unset): any unique string (a UUID, say) chosen by the
            client: a retry with the same key and body returns the first answer and spends nothing;
            the same key with another body gets 409
        body (CauchyKdeBuild | ExponentialKdeBuild | GaussianKdeBuild | InnerProductBuild |
            L1DistanceBuild | L2DistanceBuild | LaplaceKdeBuild | ReluNngpBuild | ReluNtkBuild |
            RffBaselineBuild | SqL2DistanceBuild | VmfKdeBuild):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | StructureAccepted
    """

    return sync_detailed(
        dataset_id=dataset_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    dataset_id: UUID,
    *,
    client: AuthenticatedClient,
    body: CauchyKdeBuild
    | ExponentialKdeBuild
    | GaussianKdeBuild
    | InnerProductBuild
    | L1DistanceBuild
    | L2DistanceBuild
    | LaplaceKdeBuild
    | ReluNngpBuild
    | ReluNtkBuild
    | RffBaselineBuild
    | SqL2DistanceBuild
    | VmfKdeBuild,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Problem | StructureAccepted]:
    """Create Structure

     Build a structure (admin, owner): validate the kind's parameters, fix the noise
    plan from public parameters only, reserve the budget, record the spend in the ledger
    and queue the build, in one transaction. The body's ``params`` depend on ``kind``
    (``GET /v1/kernels``). Follow ``job_url`` or ``status_url`` until the structure is
    ready.

    Args:
        dataset_id (UUID):
        idempotency_key (None | str | Unset): any unique string (a UUID, say) chosen by the
            client: a retry with the same key and body returns the first answer and spends nothing;
            the same key with another body gets 409
        body (CauchyKdeBuild | ExponentialKdeBuild | GaussianKdeBuild | InnerProductBuild |
            L1DistanceBuild | L2DistanceBuild | LaplaceKdeBuild | ReluNngpBuild | ReluNtkBuild |
            RffBaselineBuild | SqL2DistanceBuild | VmfKdeBuild):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | StructureAccepted]
    """

    kwargs = _get_kwargs(
        dataset_id=dataset_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    dataset_id: UUID,
    *,
    client: AuthenticatedClient,
    body: CauchyKdeBuild
    | ExponentialKdeBuild
    | GaussianKdeBuild
    | InnerProductBuild
    | L1DistanceBuild
    | L2DistanceBuild
    | LaplaceKdeBuild
    | ReluNngpBuild
    | ReluNtkBuild
    | RffBaselineBuild
    | SqL2DistanceBuild
    | VmfKdeBuild,
    idempotency_key: None | str | Unset = UNSET,
) -> Problem | StructureAccepted | None:
    """Create Structure

     Build a structure (admin, owner): validate the kind's parameters, fix the noise
    plan from public parameters only, reserve the budget, record the spend in the ledger
    and queue the build, in one transaction. The body's ``params`` depend on ``kind``
    (``GET /v1/kernels``). Follow ``job_url`` or ``status_url`` until the structure is
    ready.

    Args:
        dataset_id (UUID):
        idempotency_key (None | str | Unset): any unique string (a UUID, say) chosen by the
            client: a retry with the same key and body returns the first answer and spends nothing;
            the same key with another body gets 409
        body (CauchyKdeBuild | ExponentialKdeBuild | GaussianKdeBuild | InnerProductBuild |
            L1DistanceBuild | L2DistanceBuild | LaplaceKdeBuild | ReluNngpBuild | ReluNtkBuild |
            RffBaselineBuild | SqL2DistanceBuild | VmfKdeBuild):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | StructureAccepted
    """

    return (
        await asyncio_detailed(
            dataset_id=dataset_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
