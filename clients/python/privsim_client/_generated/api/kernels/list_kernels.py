from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.kernel_catalog import KernelCatalog
from ...models.problem import Problem
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/kernels",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> KernelCatalog | Problem | None:
    if response.status_code == 200:
        response_200 = KernelCatalog.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

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
) -> Response[KernelCatalog | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[KernelCatalog | Problem]:
    """List Kernels

     Every structure kind (any key): its formula f(x, y), its parameters (type,
    default or how it is derived, range, choices, meaning), the noise mechanisms and
    neighbouring relations it supports, its sensitivity in terms of the parameters, the
    cost of a query point, the document deriving its sensitivities, and example
    parameters. A build's ``params`` are exactly these.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[KernelCatalog | Problem]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> KernelCatalog | Problem | None:
    """List Kernels

     Every structure kind (any key): its formula f(x, y), its parameters (type,
    default or how it is derived, range, choices, meaning), the noise mechanisms and
    neighbouring relations it supports, its sensitivity in terms of the parameters, the
    cost of a query point, the document deriving its sensitivities, and example
    parameters. A build's ``params`` are exactly these.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        KernelCatalog | Problem
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[KernelCatalog | Problem]:
    """List Kernels

     Every structure kind (any key): its formula f(x, y), its parameters (type,
    default or how it is derived, range, choices, meaning), the noise mechanisms and
    neighbouring relations it supports, its sensitivity in terms of the parameters, the
    cost of a query point, the document deriving its sensitivities, and example
    parameters. A build's ``params`` are exactly these.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[KernelCatalog | Problem]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> KernelCatalog | Problem | None:
    """List Kernels

     Every structure kind (any key): its formula f(x, y), its parameters (type,
    default or how it is derived, range, choices, meaning), the noise mechanisms and
    neighbouring relations it supports, its sensitivity in terms of the parameters, the
    cost of a query point, the document deriving its sensitivities, and example
    parameters. A build's ``params`` are exactly these.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        KernelCatalog | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
