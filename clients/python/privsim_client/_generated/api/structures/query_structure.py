from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.query_out import QueryOut
from ...models.query_structure_json_query_in import QueryStructureJsonQueryIn
from ...models.query_structure_reduce_type_0 import (
    QueryStructureReduceType0,
)
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    structure_id: UUID,
    *,
    body: QueryStructureJsonQueryIn | File | Unset = UNSET,
    reduce: None | QueryStructureReduceType0 | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    json_reduce: None | str | Unset
    if isinstance(reduce, Unset):
        json_reduce = UNSET
    elif isinstance(reduce, str):
        json_reduce = reduce
    else:
        json_reduce = reduce
    params["reduce"] = json_reduce

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/structures/{structure_id}/query".format(
            structure_id=quote(str(structure_id), safe=""),
        ),
        "params": params,
    }

    if isinstance(body, QueryStructureJsonQueryIn):
        _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"
    if isinstance(body, File):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "application/x-npy"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | QueryOut | None:
    if response.status_code == 200:
        response_200 = QueryOut.from_dict(response.json())

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

    if response.status_code == 406:
        response_406 = Problem.from_dict(response.json())

        return response_406

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

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
) -> Response[Problem | QueryOut]:
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
    body: QueryStructureJsonQueryIn | File | Unset = UNSET,
    reduce: None | QueryStructureReduceType0 | Unset = UNSET,
) -> Response[Problem | QueryOut]:
    """Query Structure

     Answer F(y) = sum_x f(x, y) (or the mean) for a batch of points. JSON in and out,
    or ``application/x-npy`` in and/or out (``Accept: application/x-npy`` returns a
    (q, 3) float64 array: value, std, approximation_std). A request may carry at most
    ``PRIVSIM_MAX_QUERY_POINTS`` points and cost at most ``PRIVSIM_MAX_QUERY_SECONDS``
    estimated CPU seconds (points x the kind's per-point cost); larger ones get 413.
    Parsing, answering and encoding run off the event loop, at most
    ``PRIVSIM_QUERY_CONCURRENCY`` at once, except for a small batch to a structure
    this key queried in the last ``PRIVSIM_KEY_CACHE_SECONDS``, answered at once.

    Args:
        structure_id (UUID):
        reduce (None | QueryStructureReduceType0 | Unset):
        body (QueryStructureJsonQueryIn):
        body (File): a (q, dim) float array; reduce as a query parameter

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | QueryOut]
    """

    kwargs = _get_kwargs(
        structure_id=structure_id,
        body=body,
        reduce=reduce,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    structure_id: UUID,
    *,
    client: AuthenticatedClient,
    body: QueryStructureJsonQueryIn | File | Unset = UNSET,
    reduce: None | QueryStructureReduceType0 | Unset = UNSET,
) -> Problem | QueryOut | None:
    """Query Structure

     Answer F(y) = sum_x f(x, y) (or the mean) for a batch of points. JSON in and out,
    or ``application/x-npy`` in and/or out (``Accept: application/x-npy`` returns a
    (q, 3) float64 array: value, std, approximation_std). A request may carry at most
    ``PRIVSIM_MAX_QUERY_POINTS`` points and cost at most ``PRIVSIM_MAX_QUERY_SECONDS``
    estimated CPU seconds (points x the kind's per-point cost); larger ones get 413.
    Parsing, answering and encoding run off the event loop, at most
    ``PRIVSIM_QUERY_CONCURRENCY`` at once, except for a small batch to a structure
    this key queried in the last ``PRIVSIM_KEY_CACHE_SECONDS``, answered at once.

    Args:
        structure_id (UUID):
        reduce (None | QueryStructureReduceType0 | Unset):
        body (QueryStructureJsonQueryIn):
        body (File): a (q, dim) float array; reduce as a query parameter

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | QueryOut
    """

    return sync_detailed(
        structure_id=structure_id,
        client=client,
        body=body,
        reduce=reduce,
    ).parsed


async def asyncio_detailed(
    structure_id: UUID,
    *,
    client: AuthenticatedClient,
    body: QueryStructureJsonQueryIn | File | Unset = UNSET,
    reduce: None | QueryStructureReduceType0 | Unset = UNSET,
) -> Response[Problem | QueryOut]:
    """Query Structure

     Answer F(y) = sum_x f(x, y) (or the mean) for a batch of points. JSON in and out,
    or ``application/x-npy`` in and/or out (``Accept: application/x-npy`` returns a
    (q, 3) float64 array: value, std, approximation_std). A request may carry at most
    ``PRIVSIM_MAX_QUERY_POINTS`` points and cost at most ``PRIVSIM_MAX_QUERY_SECONDS``
    estimated CPU seconds (points x the kind's per-point cost); larger ones get 413.
    Parsing, answering and encoding run off the event loop, at most
    ``PRIVSIM_QUERY_CONCURRENCY`` at once, except for a small batch to a structure
    this key queried in the last ``PRIVSIM_KEY_CACHE_SECONDS``, answered at once.

    Args:
        structure_id (UUID):
        reduce (None | QueryStructureReduceType0 | Unset):
        body (QueryStructureJsonQueryIn):
        body (File): a (q, dim) float array; reduce as a query parameter

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | QueryOut]
    """

    kwargs = _get_kwargs(
        structure_id=structure_id,
        body=body,
        reduce=reduce,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    structure_id: UUID,
    *,
    client: AuthenticatedClient,
    body: QueryStructureJsonQueryIn | File | Unset = UNSET,
    reduce: None | QueryStructureReduceType0 | Unset = UNSET,
) -> Problem | QueryOut | None:
    """Query Structure

     Answer F(y) = sum_x f(x, y) (or the mean) for a batch of points. JSON in and out,
    or ``application/x-npy`` in and/or out (``Accept: application/x-npy`` returns a
    (q, 3) float64 array: value, std, approximation_std). A request may carry at most
    ``PRIVSIM_MAX_QUERY_POINTS`` points and cost at most ``PRIVSIM_MAX_QUERY_SECONDS``
    estimated CPU seconds (points x the kind's per-point cost); larger ones get 413.
    Parsing, answering and encoding run off the event loop, at most
    ``PRIVSIM_QUERY_CONCURRENCY`` at once, except for a small batch to a structure
    this key queried in the last ``PRIVSIM_KEY_CACHE_SECONDS``, answered at once.

    Args:
        structure_id (UUID):
        reduce (None | QueryStructureReduceType0 | Unset):
        body (QueryStructureJsonQueryIn):
        body (File): a (q, dim) float array; reduce as a query parameter

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | QueryOut
    """

    return (
        await asyncio_detailed(
            structure_id=structure_id,
            client=client,
            body=body,
            reduce=reduce,
        )
    ).parsed
