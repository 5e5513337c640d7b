from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.rows_accepted import RowsAccepted
from ...models.upload_rows_json_body import UploadRowsJsonBody
from ...types import UNSET, File, Response


def _get_kwargs(
    dataset_id: UUID,
    *,
    body: UploadRowsJsonBody | File | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/datasets/{dataset_id}/rows".format(
            dataset_id=quote(str(dataset_id), safe=""),
        ),
    }

    if isinstance(body, UploadRowsJsonBody):
        _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"
    if isinstance(body, File):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "application/x-npy"
    if isinstance(body, File):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "application/vnd.apache.parquet"
    if isinstance(body, str):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "text/csv"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | RowsAccepted | None:
    if response.status_code == 200:
        response_200 = RowsAccepted.from_dict(response.json())

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
) -> Response[Problem | RowsAccepted]:
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
    body: UploadRowsJsonBody | File | str | Unset = UNSET,
) -> Response[Problem | RowsAccepted]:
    """Upload Rows

     Append rows. JSON ``{rows, labels?}``, ``.npy`` (rows only), Parquet (numeric
    columns or one list column, plus ``label``), or CSV (optional header; the label is
    the ``label`` column, or the last column without a header; comma-separated plain
    decimal numbers). One upload may carry at most ``PRIVSIM_MAX_UPLOAD_ROWS`` rows and
    ``PRIVSIM_MAX_UPLOAD_DECODED_BYTES`` of float64 values, checked from the file's
    header or metadata before it is decoded (413 above).

    Args:
        dataset_id (UUID):
        body (UploadRowsJsonBody):
        body (File):
        body (File):
        body (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RowsAccepted]
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
    body: UploadRowsJsonBody | File | str | Unset = UNSET,
) -> Problem | RowsAccepted | None:
    """Upload Rows

     Append rows. JSON ``{rows, labels?}``, ``.npy`` (rows only), Parquet (numeric
    columns or one list column, plus ``label``), or CSV (optional header; the label is
    the ``label`` column, or the last column without a header; comma-separated plain
    decimal numbers). One upload may carry at most ``PRIVSIM_MAX_UPLOAD_ROWS`` rows and
    ``PRIVSIM_MAX_UPLOAD_DECODED_BYTES`` of float64 values, checked from the file's
    header or metadata before it is decoded (413 above).

    Args:
        dataset_id (UUID):
        body (UploadRowsJsonBody):
        body (File):
        body (File):
        body (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RowsAccepted
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
    body: UploadRowsJsonBody | File | str | Unset = UNSET,
) -> Response[Problem | RowsAccepted]:
    """Upload Rows

     Append rows. JSON ``{rows, labels?}``, ``.npy`` (rows only), Parquet (numeric
    columns or one list column, plus ``label``), or CSV (optional header; the label is
    the ``label`` column, or the last column without a header; comma-separated plain
    decimal numbers). One upload may carry at most ``PRIVSIM_MAX_UPLOAD_ROWS`` rows and
    ``PRIVSIM_MAX_UPLOAD_DECODED_BYTES`` of float64 values, checked from the file's
    header or metadata before it is decoded (413 above).

    Args:
        dataset_id (UUID):
        body (UploadRowsJsonBody):
        body (File):
        body (File):
        body (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RowsAccepted]
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
    body: UploadRowsJsonBody | File | str | Unset = UNSET,
) -> Problem | RowsAccepted | None:
    """Upload Rows

     Append rows. JSON ``{rows, labels?}``, ``.npy`` (rows only), Parquet (numeric
    columns or one list column, plus ``label``), or CSV (optional header; the label is
    the ``label`` column, or the last column without a header; comma-separated plain
    decimal numbers). One upload may carry at most ``PRIVSIM_MAX_UPLOAD_ROWS`` rows and
    ``PRIVSIM_MAX_UPLOAD_DECODED_BYTES`` of float64 values, checked from the file's
    header or metadata before it is decoded (413 above).

    Args:
        dataset_id (UUID):
        body (UploadRowsJsonBody):
        body (File):
        body (File):
        body (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RowsAccepted
    """

    return (
        await asyncio_detailed(
            dataset_id=dataset_id,
            client=client,
            body=body,
        )
    ).parsed
