from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.design_out import DesignOut
from ...models.kernel_regression_out import KernelRegressionOut
from ...models.ot_out import OtOut
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    job_id: UUID,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/jobs/{job_id}/result".format(
            job_id=quote(str(job_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DesignOut | KernelRegressionOut | OtOut | Problem | None:
    if response.status_code == 200:

        def _parse_response_200(
            data: object,
        ) -> DesignOut | KernelRegressionOut | OtOut:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_0 = OtOut.from_dict(data)

                return response_200_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_1 = KernelRegressionOut.from_dict(data)

                return response_200_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_200_type_2 = DesignOut.from_dict(data)

            return response_200_type_2

        response_200 = _parse_response_200(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

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
) -> Response[DesignOut | KernelRegressionOut | OtOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    job_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[DesignOut | KernelRegressionOut | OtOut | Problem]:
    """Get Result

     A solve job's answer, the body its synchronous route would have given (OtOut,
    KernelRegressionOut or DesignOut, by the job's ``kind``); 409 while it is queued or
    running, or if it failed (the problem says why); 404 for a build job, or a solve
    job of another key (admins see all).

    Args:
        job_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DesignOut | KernelRegressionOut | OtOut | Problem]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    job_id: UUID,
    *,
    client: AuthenticatedClient,
) -> DesignOut | KernelRegressionOut | OtOut | Problem | None:
    """Get Result

     A solve job's answer, the body its synchronous route would have given (OtOut,
    KernelRegressionOut or DesignOut, by the job's ``kind``); 409 while it is queued or
    running, or if it failed (the problem says why); 404 for a build job, or a solve
    job of another key (admins see all).

    Args:
        job_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DesignOut | KernelRegressionOut | OtOut | Problem
    """

    return sync_detailed(
        job_id=job_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    job_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[DesignOut | KernelRegressionOut | OtOut | Problem]:
    """Get Result

     A solve job's answer, the body its synchronous route would have given (OtOut,
    KernelRegressionOut or DesignOut, by the job's ``kind``); 409 while it is queued or
    running, or if it failed (the problem says why); 404 for a build job, or a solve
    job of another key (admins see all).

    Args:
        job_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DesignOut | KernelRegressionOut | OtOut | Problem]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    job_id: UUID,
    *,
    client: AuthenticatedClient,
) -> DesignOut | KernelRegressionOut | OtOut | Problem | None:
    """Get Result

     A solve job's answer, the body its synchronous route would have given (OtOut,
    KernelRegressionOut or DesignOut, by the job's ``kind``); 409 while it is queued or
    running, or if it failed (the problem says why); 404 for a build job, or a solve
    job of another key (admins see all).

    Args:
        job_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DesignOut | KernelRegressionOut | OtOut | Problem
    """

    return (
        await asyncio_detailed(
            job_id=job_id,
            client=client,
        )
    ).parsed
