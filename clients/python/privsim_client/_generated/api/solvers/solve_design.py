from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.design_in import DesignIn
from ...models.design_out import DesignOut
from ...models.problem import Problem
from ...models.solve_accepted import SolveAccepted
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: DesignIn,
    prefer: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(prefer, Unset):
        headers["Prefer"] = prefer

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/solvers/design",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DesignOut | Problem | SolveAccepted | None:
    if response.status_code == 200:
        response_200 = DesignOut.from_dict(response.json())

        return response_200

    if response.status_code == 202:
        response_202 = SolveAccepted.from_dict(response.json())

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
) -> Response[DesignOut | Problem | SolveAccepted]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: DesignIn,
    prefer: None | str | Unset = UNSET,
) -> Response[DesignOut | Problem | SolveAccepted]:
    """Solve Design

     Choose points of a public pool. Least squares: a ``pool`` with a ``basis``
    (legendre on [-1, 1], or polynomial on [-1, 1]^d) or a raw ``features`` matrix; with
    ``method`` iid (n draws from the leverage distribution), dpp (the projection DPP, m
    points) or volume (DPP plus n - m draws, the default) the indices and the optimal
    weights w_i = 1 / (N rho_i), the sample's Gram condition number, and with ``y`` (the
    pool's values) the weighted least-squares coefficients. Quality-diversity (with
    ``quality``): k pool points from L = diag(q) K diag(q), K the ``kernel`` on the pool,
    q_i = sqrt(max(answer_i, 0)) from the structure's DP answers at the pool points
    (post-processing, nothing is spent; the key must be allowed to query it), by
    ``method`` sample (the k-DPP) or greedy (the MAP, the default). ``seed`` is public
    randomness (omitted: drawn and returned). Sizes (default settings): a pool of
    200,000 points (5,000 for quality-diversity) answers here, 1,600,000 (about 14,000)
    as a job (202), 413 above; at most 1,000 basis functions. Derivation:
    docs/solvers/design.md; jobs: docs/solvers/jobs.md.

    Args:
        prefer (None | str | Unset): respond-async: run the solve as a job whatever its size (RFC
            7240)
        body (DesignIn): Choose points of a public pool. Least squares (no ``quality``): a pool
            with a
            ``basis``, or a ``features`` matrix; ``method`` iid, dpp or volume; weights w_i =
            1 / (N rho_i); with ``y``, the weighted least-squares fit. Quality-diversity (with
            ``quality``): ``pool`` points, a diversity ``kernel``, k points from L = diag(q) K
            diag(q) by ``method`` sample (the k-DPP) or greedy (the MAP).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DesignOut | Problem | SolveAccepted]
    """

    kwargs = _get_kwargs(
        body=body,
        prefer=prefer,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: DesignIn,
    prefer: None | str | Unset = UNSET,
) -> DesignOut | Problem | SolveAccepted | None:
    """Solve Design

     Choose points of a public pool. Least squares: a ``pool`` with a ``basis``
    (legendre on [-1, 1], or polynomial on [-1, 1]^d) or a raw ``features`` matrix; with
    ``method`` iid (n draws from the leverage distribution), dpp (the projection DPP, m
    points) or volume (DPP plus n - m draws, the default) the indices and the optimal
    weights w_i = 1 / (N rho_i), the sample's Gram condition number, and with ``y`` (the
    pool's values) the weighted least-squares coefficients. Quality-diversity (with
    ``quality``): k pool points from L = diag(q) K diag(q), K the ``kernel`` on the pool,
    q_i = sqrt(max(answer_i, 0)) from the structure's DP answers at the pool points
    (post-processing, nothing is spent; the key must be allowed to query it), by
    ``method`` sample (the k-DPP) or greedy (the MAP, the default). ``seed`` is public
    randomness (omitted: drawn and returned). Sizes (default settings): a pool of
    200,000 points (5,000 for quality-diversity) answers here, 1,600,000 (about 14,000)
    as a job (202), 413 above; at most 1,000 basis functions. Derivation:
    docs/solvers/design.md; jobs: docs/solvers/jobs.md.

    Args:
        prefer (None | str | Unset): respond-async: run the solve as a job whatever its size (RFC
            7240)
        body (DesignIn): Choose points of a public pool. Least squares (no ``quality``): a pool
            with a
            ``basis``, or a ``features`` matrix; ``method`` iid, dpp or volume; weights w_i =
            1 / (N rho_i); with ``y``, the weighted least-squares fit. Quality-diversity (with
            ``quality``): ``pool`` points, a diversity ``kernel``, k points from L = diag(q) K
            diag(q) by ``method`` sample (the k-DPP) or greedy (the MAP).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DesignOut | Problem | SolveAccepted
    """

    return sync_detailed(
        client=client,
        body=body,
        prefer=prefer,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: DesignIn,
    prefer: None | str | Unset = UNSET,
) -> Response[DesignOut | Problem | SolveAccepted]:
    """Solve Design

     Choose points of a public pool. Least squares: a ``pool`` with a ``basis``
    (legendre on [-1, 1], or polynomial on [-1, 1]^d) or a raw ``features`` matrix; with
    ``method`` iid (n draws from the leverage distribution), dpp (the projection DPP, m
    points) or volume (DPP plus n - m draws, the default) the indices and the optimal
    weights w_i = 1 / (N rho_i), the sample's Gram condition number, and with ``y`` (the
    pool's values) the weighted least-squares coefficients. Quality-diversity (with
    ``quality``): k pool points from L = diag(q) K diag(q), K the ``kernel`` on the pool,
    q_i = sqrt(max(answer_i, 0)) from the structure's DP answers at the pool points
    (post-processing, nothing is spent; the key must be allowed to query it), by
    ``method`` sample (the k-DPP) or greedy (the MAP, the default). ``seed`` is public
    randomness (omitted: drawn and returned). Sizes (default settings): a pool of
    200,000 points (5,000 for quality-diversity) answers here, 1,600,000 (about 14,000)
    as a job (202), 413 above; at most 1,000 basis functions. Derivation:
    docs/solvers/design.md; jobs: docs/solvers/jobs.md.

    Args:
        prefer (None | str | Unset): respond-async: run the solve as a job whatever its size (RFC
            7240)
        body (DesignIn): Choose points of a public pool. Least squares (no ``quality``): a pool
            with a
            ``basis``, or a ``features`` matrix; ``method`` iid, dpp or volume; weights w_i =
            1 / (N rho_i); with ``y``, the weighted least-squares fit. Quality-diversity (with
            ``quality``): ``pool`` points, a diversity ``kernel``, k points from L = diag(q) K
            diag(q) by ``method`` sample (the k-DPP) or greedy (the MAP).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DesignOut | Problem | SolveAccepted]
    """

    kwargs = _get_kwargs(
        body=body,
        prefer=prefer,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: DesignIn,
    prefer: None | str | Unset = UNSET,
) -> DesignOut | Problem | SolveAccepted | None:
    """Solve Design

     Choose points of a public pool. Least squares: a ``pool`` with a ``basis``
    (legendre on [-1, 1], or polynomial on [-1, 1]^d) or a raw ``features`` matrix; with
    ``method`` iid (n draws from the leverage distribution), dpp (the projection DPP, m
    points) or volume (DPP plus n - m draws, the default) the indices and the optimal
    weights w_i = 1 / (N rho_i), the sample's Gram condition number, and with ``y`` (the
    pool's values) the weighted least-squares coefficients. Quality-diversity (with
    ``quality``): k pool points from L = diag(q) K diag(q), K the ``kernel`` on the pool,
    q_i = sqrt(max(answer_i, 0)) from the structure's DP answers at the pool points
    (post-processing, nothing is spent; the key must be allowed to query it), by
    ``method`` sample (the k-DPP) or greedy (the MAP, the default). ``seed`` is public
    randomness (omitted: drawn and returned). Sizes (default settings): a pool of
    200,000 points (5,000 for quality-diversity) answers here, 1,600,000 (about 14,000)
    as a job (202), 413 above; at most 1,000 basis functions. Derivation:
    docs/solvers/design.md; jobs: docs/solvers/jobs.md.

    Args:
        prefer (None | str | Unset): respond-async: run the solve as a job whatever its size (RFC
            7240)
        body (DesignIn): Choose points of a public pool. Least squares (no ``quality``): a pool
            with a
            ``basis``, or a ``features`` matrix; ``method`` iid, dpp or volume; weights w_i =
            1 / (N rho_i); with ``y``, the weighted least-squares fit. Quality-diversity (with
            ``quality``): ``pool`` points, a diversity ``kernel``, k points from L = diag(q) K
            diag(q) by ``method`` sample (the k-DPP) or greedy (the MAP).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DesignOut | Problem | SolveAccepted
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            prefer=prefer,
        )
    ).parsed
