from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.expectation_in import ExpectationIn
from ...models.expectation_out import ExpectationOut
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    structure_id: UUID,
    *,
    body: ExpectationIn,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/structures/{structure_id}/expectation".format(
            structure_id=quote(str(structure_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ExpectationOut | Problem | None:
    if response.status_code == 200:
        response_200 = ExpectationOut.from_dict(response.json())

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
) -> Response[ExpectationOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    structure_id: UUID,
    *,
    client: AuthenticatedClient,
    body: ExpectationIn,
) -> Response[ExpectationOut | Problem]:
    """Structure Expectation

     The private rows' mean of a public function g, from the values of g at public
    nodes, by kernel quadrature on the structure's DP kernel mean embedding: value ~
    g(Y) . (K + lambda M I)^-1 z (a public model's loss on the private data, say).
    Post-processing of the release: nothing is spent. Kernel kinds only (422 for the
    distance and moment kinds); a request is priced like a query (413 above
    ``PRIVSIM_MAX_QUERY_SECONDS``). Method and what the std covers:
    docs/expectation.md.

    Args:
        structure_id (UUID):
        body (ExpectationIn): Public nodes y_1..y_M (rows of the dataset's dimension) and the
            values g(y_j) of a
            public function there (a public model's loss, say).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ExpectationOut | Problem]
    """

    kwargs = _get_kwargs(
        structure_id=structure_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    structure_id: UUID,
    *,
    client: AuthenticatedClient,
    body: ExpectationIn,
) -> ExpectationOut | Problem | None:
    """Structure Expectation

     The private rows' mean of a public function g, from the values of g at public
    nodes, by kernel quadrature on the structure's DP kernel mean embedding: value ~
    g(Y) . (K + lambda M I)^-1 z (a public model's loss on the private data, say).
    Post-processing of the release: nothing is spent. Kernel kinds only (422 for the
    distance and moment kinds); a request is priced like a query (413 above
    ``PRIVSIM_MAX_QUERY_SECONDS``). Method and what the std covers:
    docs/expectation.md.

    Args:
        structure_id (UUID):
        body (ExpectationIn): Public nodes y_1..y_M (rows of the dataset's dimension) and the
            values g(y_j) of a
            public function there (a public model's loss, say).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExpectationOut | Problem
    """

    return sync_detailed(
        structure_id=structure_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    structure_id: UUID,
    *,
    client: AuthenticatedClient,
    body: ExpectationIn,
) -> Response[ExpectationOut | Problem]:
    """Structure Expectation

     The private rows' mean of a public function g, from the values of g at public
    nodes, by kernel quadrature on the structure's DP kernel mean embedding: value ~
    g(Y) . (K + lambda M I)^-1 z (a public model's loss on the private data, say).
    Post-processing of the release: nothing is spent. Kernel kinds only (422 for the
    distance and moment kinds); a request is priced like a query (413 above
    ``PRIVSIM_MAX_QUERY_SECONDS``). Method and what the std covers:
    docs/expectation.md.

    Args:
        structure_id (UUID):
        body (ExpectationIn): Public nodes y_1..y_M (rows of the dataset's dimension) and the
            values g(y_j) of a
            public function there (a public model's loss, say).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ExpectationOut | Problem]
    """

    kwargs = _get_kwargs(
        structure_id=structure_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    structure_id: UUID,
    *,
    client: AuthenticatedClient,
    body: ExpectationIn,
) -> ExpectationOut | Problem | None:
    """Structure Expectation

     The private rows' mean of a public function g, from the values of g at public
    nodes, by kernel quadrature on the structure's DP kernel mean embedding: value ~
    g(Y) . (K + lambda M I)^-1 z (a public model's loss on the private data, say).
    Post-processing of the release: nothing is spent. Kernel kinds only (422 for the
    distance and moment kinds); a request is priced like a query (413 above
    ``PRIVSIM_MAX_QUERY_SECONDS``). Method and what the std covers:
    docs/expectation.md.

    Args:
        structure_id (UUID):
        body (ExpectationIn): Public nodes y_1..y_M (rows of the dataset's dimension) and the
            values g(y_j) of a
            public function there (a public model's loss, say).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExpectationOut | Problem
    """

    return (
        await asyncio_detailed(
            structure_id=structure_id,
            client=client,
            body=body,
        )
    ).parsed
