from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.bandwidth_in import BandwidthIn
from ...models.bandwidth_out import BandwidthOut
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    *,
    body: BandwidthIn,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/diagnostics/bandwidth",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BandwidthOut | Problem | None:
    if response.status_code == 200:
        response_200 = BandwidthOut.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

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
) -> Response[BandwidthOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: BandwidthIn,
) -> Response[BandwidthOut | Problem]:
    """Advise Bandwidth

     The regime of a Gaussian kernel bandwidth for n rows in dim dimensions with a
    public covariance spectrum (any key; nothing is read or spent): alpha = ln(n)/dim,
    the regime (clt, heavy_tailed, extreme_value), the thresholds h_CLT and h_G (in the
    h = bandwidth / sqrt 2 convention, and as bandwidths), the typical kernel sum and,
    with ``privacy``, the noise std of a gaussian_kde sum answer at that budget and the
    signal-to-noise ratio. Below bandwidth_g a typical answer rests on a few rows and
    the privacy noise swamps it. Derivation: docs/bandwidth.md.

    Args:
        body (BandwidthIn): A Gaussian kernel exp(-||x - y||^2 / bandwidth^2) over n rows in dim
            dimensions
            whose covariance has the eigenvalues ``spectrum`` (from a public proxy: nothing is
            read or spent).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BandwidthOut | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: BandwidthIn,
) -> BandwidthOut | Problem | None:
    """Advise Bandwidth

     The regime of a Gaussian kernel bandwidth for n rows in dim dimensions with a
    public covariance spectrum (any key; nothing is read or spent): alpha = ln(n)/dim,
    the regime (clt, heavy_tailed, extreme_value), the thresholds h_CLT and h_G (in the
    h = bandwidth / sqrt 2 convention, and as bandwidths), the typical kernel sum and,
    with ``privacy``, the noise std of a gaussian_kde sum answer at that budget and the
    signal-to-noise ratio. Below bandwidth_g a typical answer rests on a few rows and
    the privacy noise swamps it. Derivation: docs/bandwidth.md.

    Args:
        body (BandwidthIn): A Gaussian kernel exp(-||x - y||^2 / bandwidth^2) over n rows in dim
            dimensions
            whose covariance has the eigenvalues ``spectrum`` (from a public proxy: nothing is
            read or spent).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BandwidthOut | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: BandwidthIn,
) -> Response[BandwidthOut | Problem]:
    """Advise Bandwidth

     The regime of a Gaussian kernel bandwidth for n rows in dim dimensions with a
    public covariance spectrum (any key; nothing is read or spent): alpha = ln(n)/dim,
    the regime (clt, heavy_tailed, extreme_value), the thresholds h_CLT and h_G (in the
    h = bandwidth / sqrt 2 convention, and as bandwidths), the typical kernel sum and,
    with ``privacy``, the noise std of a gaussian_kde sum answer at that budget and the
    signal-to-noise ratio. Below bandwidth_g a typical answer rests on a few rows and
    the privacy noise swamps it. Derivation: docs/bandwidth.md.

    Args:
        body (BandwidthIn): A Gaussian kernel exp(-||x - y||^2 / bandwidth^2) over n rows in dim
            dimensions
            whose covariance has the eigenvalues ``spectrum`` (from a public proxy: nothing is
            read or spent).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BandwidthOut | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: BandwidthIn,
) -> BandwidthOut | Problem | None:
    """Advise Bandwidth

     The regime of a Gaussian kernel bandwidth for n rows in dim dimensions with a
    public covariance spectrum (any key; nothing is read or spent): alpha = ln(n)/dim,
    the regime (clt, heavy_tailed, extreme_value), the thresholds h_CLT and h_G (in the
    h = bandwidth / sqrt 2 convention, and as bandwidths), the typical kernel sum and,
    with ``privacy``, the noise std of a gaussian_kde sum answer at that budget and the
    signal-to-noise ratio. Below bandwidth_g a typical answer rests on a few rows and
    the privacy noise swamps it. Derivation: docs/bandwidth.md.

    Args:
        body (BandwidthIn): A Gaussian kernel exp(-||x - y||^2 / bandwidth^2) over n rows in dim
            dimensions
            whose covariance has the eigenvalues ``spectrum`` (from a public proxy: nothing is
            read or spent).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BandwidthOut | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
