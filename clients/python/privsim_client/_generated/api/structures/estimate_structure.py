from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.cauchy_kde_build import CauchyKdeBuild
from ...models.estimate_out import EstimateOut
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
from ...models.vmf_kde_build import VmfKdeBuild
from ...types import Response


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
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/datasets/{dataset_id}/structures:estimate".format(
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
) -> EstimateOut | Problem | None:
    if response.status_code == 200:
        response_200 = EstimateOut.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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
) -> Response[EstimateOut | Problem]:
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
) -> Response[EstimateOut | Problem]:
    """Estimate Structure

     The expected error and cost of a build, and the budget it would spend, without
    writing or spending anything (admin, owner). The same body as a build; a charge
    that does not fit is ``affordable: false``, not an error.

    Args:
        dataset_id (UUID):
        body (CauchyKdeBuild | ExponentialKdeBuild | GaussianKdeBuild | InnerProductBuild |
            L1DistanceBuild | L2DistanceBuild | LaplaceKdeBuild | ReluNngpBuild | ReluNtkBuild |
            RffBaselineBuild | SqL2DistanceBuild | VmfKdeBuild):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EstimateOut | Problem]
    """

    kwargs = _get_kwargs(
        dataset_id=dataset_id,
        body=body,
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
) -> EstimateOut | Problem | None:
    """Estimate Structure

     The expected error and cost of a build, and the budget it would spend, without
    writing or spending anything (admin, owner). The same body as a build; a charge
    that does not fit is ``affordable: false``, not an error.

    Args:
        dataset_id (UUID):
        body (CauchyKdeBuild | ExponentialKdeBuild | GaussianKdeBuild | InnerProductBuild |
            L1DistanceBuild | L2DistanceBuild | LaplaceKdeBuild | ReluNngpBuild | ReluNtkBuild |
            RffBaselineBuild | SqL2DistanceBuild | VmfKdeBuild):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EstimateOut | Problem
    """

    return sync_detailed(
        dataset_id=dataset_id,
        client=client,
        body=body,
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
) -> Response[EstimateOut | Problem]:
    """Estimate Structure

     The expected error and cost of a build, and the budget it would spend, without
    writing or spending anything (admin, owner). The same body as a build; a charge
    that does not fit is ``affordable: false``, not an error.

    Args:
        dataset_id (UUID):
        body (CauchyKdeBuild | ExponentialKdeBuild | GaussianKdeBuild | InnerProductBuild |
            L1DistanceBuild | L2DistanceBuild | LaplaceKdeBuild | ReluNngpBuild | ReluNtkBuild |
            RffBaselineBuild | SqL2DistanceBuild | VmfKdeBuild):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EstimateOut | Problem]
    """

    kwargs = _get_kwargs(
        dataset_id=dataset_id,
        body=body,
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
) -> EstimateOut | Problem | None:
    """Estimate Structure

     The expected error and cost of a build, and the budget it would spend, without
    writing or spending anything (admin, owner). The same body as a build; a charge
    that does not fit is ``affordable: false``, not an error.

    Args:
        dataset_id (UUID):
        body (CauchyKdeBuild | ExponentialKdeBuild | GaussianKdeBuild | InnerProductBuild |
            L1DistanceBuild | L2DistanceBuild | LaplaceKdeBuild | ReluNngpBuild | ReluNtkBuild |
            RffBaselineBuild | SqL2DistanceBuild | VmfKdeBuild):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EstimateOut | Problem
    """

    return (
        await asyncio_detailed(
            dataset_id=dataset_id,
            client=client,
            body=body,
        )
    ).parsed
