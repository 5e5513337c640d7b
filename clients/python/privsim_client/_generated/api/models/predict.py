from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.predict_json_predict_in import PredictJsonPredictIn
from ...models.predict_out import PredictOut
from ...models.problem import Problem
from ...types import UNSET, File, Response


def _get_kwargs(
    model_id: UUID,
    *,
    body: PredictJsonPredictIn | File | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/models/{model_id}/predict".format(
            model_id=quote(str(model_id), safe=""),
        ),
    }

    if isinstance(body, PredictJsonPredictIn):
        _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"
    if isinstance(body, File):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "application/x-npy"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PredictOut | Problem | None:
    if response.status_code == 200:
        response_200 = PredictOut.from_dict(response.json())

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
) -> Response[PredictOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    model_id: UUID,
    *,
    client: AuthenticatedClient,
    body: PredictJsonPredictIn | File | Unset = UNSET,
) -> Response[PredictOut | Problem]:
    """Predict

     Predict a batch of points (any key that can read the dataset): post-processing
    of the model's release, no spend. JSON ``{points}`` or ``application/x-npy`` in;
    JSON or (``Accept: application/x-npy``) an array out. The same limits as a
    structure query (``PRIVSIM_MAX_QUERY_POINTS``, ``PRIVSIM_MAX_QUERY_SECONDS``).

    Args:
        model_id (UUID):
        body (PredictJsonPredictIn):
        body (File): a (q, dim) float array

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PredictOut | Problem]
    """

    kwargs = _get_kwargs(
        model_id=model_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    model_id: UUID,
    *,
    client: AuthenticatedClient,
    body: PredictJsonPredictIn | File | Unset = UNSET,
) -> PredictOut | Problem | None:
    """Predict

     Predict a batch of points (any key that can read the dataset): post-processing
    of the model's release, no spend. JSON ``{points}`` or ``application/x-npy`` in;
    JSON or (``Accept: application/x-npy``) an array out. The same limits as a
    structure query (``PRIVSIM_MAX_QUERY_POINTS``, ``PRIVSIM_MAX_QUERY_SECONDS``).

    Args:
        model_id (UUID):
        body (PredictJsonPredictIn):
        body (File): a (q, dim) float array

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PredictOut | Problem
    """

    return sync_detailed(
        model_id=model_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    model_id: UUID,
    *,
    client: AuthenticatedClient,
    body: PredictJsonPredictIn | File | Unset = UNSET,
) -> Response[PredictOut | Problem]:
    """Predict

     Predict a batch of points (any key that can read the dataset): post-processing
    of the model's release, no spend. JSON ``{points}`` or ``application/x-npy`` in;
    JSON or (``Accept: application/x-npy``) an array out. The same limits as a
    structure query (``PRIVSIM_MAX_QUERY_POINTS``, ``PRIVSIM_MAX_QUERY_SECONDS``).

    Args:
        model_id (UUID):
        body (PredictJsonPredictIn):
        body (File): a (q, dim) float array

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PredictOut | Problem]
    """

    kwargs = _get_kwargs(
        model_id=model_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    model_id: UUID,
    *,
    client: AuthenticatedClient,
    body: PredictJsonPredictIn | File | Unset = UNSET,
) -> PredictOut | Problem | None:
    """Predict

     Predict a batch of points (any key that can read the dataset): post-processing
    of the model's release, no spend. JSON ``{points}`` or ``application/x-npy`` in;
    JSON or (``Accept: application/x-npy``) an array out. The same limits as a
    structure query (``PRIVSIM_MAX_QUERY_POINTS``, ``PRIVSIM_MAX_QUERY_SECONDS``).

    Args:
        model_id (UUID):
        body (PredictJsonPredictIn):
        body (File): a (q, dim) float array

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PredictOut | Problem
    """

    return (
        await asyncio_detailed(
            model_id=model_id,
            client=client,
            body=body,
        )
    ).parsed
