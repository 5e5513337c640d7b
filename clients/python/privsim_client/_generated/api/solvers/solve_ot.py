from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.ot_in import OtIn
from ...models.ot_out import OtOut
from ...models.problem import Problem
from ...models.solve_accepted import SolveAccepted
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: OtIn,
    prefer: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(prefer, Unset):
        headers["Prefer"] = prefer

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/solvers/ot",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> OtOut | Problem | SolveAccepted | None:
    if response.status_code == 200:
        response_200 = OtOut.from_dict(response.json())

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
) -> Response[OtOut | Problem | SolveAccepted]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: OtIn,
    prefer: None | str | Unset = UNSET,
) -> Response[OtOut | Problem | SolveAccepted]:
    """Solve Ot

     Entropic optimal transport, min <P, C> + reg sum P (log P - 1) over the plans with
    marginals a and b (POT's ``ot.sinkhorn``), by Sinkhorn-Newton-Sparse: 20 Sinkhorn
    sweeps then sparsified Newton steps. The cost is ``cost`` (n x m) or computed
    from the supports x (n x d) and y (m x d) by ``metric``. A marginal is a list of
    weights or ``{structure_id, points}``: weights proportional to that structure's DP
    answers at the points, clipped at 0 (the points are then that side's support;
    post-processing of the release, nothing is spent; the key must be allowed to query the
    structure). A structure marginal is rescaled to the other side's mass (both to 1 when
    both come from structures); two lists must have the same mass. Sizes (default
    settings): up to 1,000,000 cost entries answer here, up to 8,000,000 run as a job
    (202), 413 above; a returned plan is at most 1,000,000 entries. Hitting ``max_iter``
    or ``time_limit`` answers with ``converged`` false. Derivation: docs/solvers/ot.md;
    jobs: docs/solvers/jobs.md.

    Args:
        prefer (None | str | Unset): respond-async: run the solve as a job whatever its size (RFC
            7240)
        body (OtIn): Entropic OT between two discrete measures: min <P, C> + reg sum P (log P - 1)
            over plans with marginals a and b (POT's ``ot.sinkhorn(a, b, C, reg)``), solved by
            Sinkhorn-Newton-Sparse. The cost is ``cost`` or computed from the supports by
            ``metric``; a support is ``x`` (``y``) or the points of a structure marginal.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OtOut | Problem | SolveAccepted]
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
    body: OtIn,
    prefer: None | str | Unset = UNSET,
) -> OtOut | Problem | SolveAccepted | None:
    """Solve Ot

     Entropic optimal transport, min <P, C> + reg sum P (log P - 1) over the plans with
    marginals a and b (POT's ``ot.sinkhorn``), by Sinkhorn-Newton-Sparse: 20 Sinkhorn
    sweeps then sparsified Newton steps. The cost is ``cost`` (n x m) or computed
    from the supports x (n x d) and y (m x d) by ``metric``. A marginal is a list of
    weights or ``{structure_id, points}``: weights proportional to that structure's DP
    answers at the points, clipped at 0 (the points are then that side's support;
    post-processing of the release, nothing is spent; the key must be allowed to query the
    structure). A structure marginal is rescaled to the other side's mass (both to 1 when
    both come from structures); two lists must have the same mass. Sizes (default
    settings): up to 1,000,000 cost entries answer here, up to 8,000,000 run as a job
    (202), 413 above; a returned plan is at most 1,000,000 entries. Hitting ``max_iter``
    or ``time_limit`` answers with ``converged`` false. Derivation: docs/solvers/ot.md;
    jobs: docs/solvers/jobs.md.

    Args:
        prefer (None | str | Unset): respond-async: run the solve as a job whatever its size (RFC
            7240)
        body (OtIn): Entropic OT between two discrete measures: min <P, C> + reg sum P (log P - 1)
            over plans with marginals a and b (POT's ``ot.sinkhorn(a, b, C, reg)``), solved by
            Sinkhorn-Newton-Sparse. The cost is ``cost`` or computed from the supports by
            ``metric``; a support is ``x`` (``y``) or the points of a structure marginal.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OtOut | Problem | SolveAccepted
    """

    return sync_detailed(
        client=client,
        body=body,
        prefer=prefer,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: OtIn,
    prefer: None | str | Unset = UNSET,
) -> Response[OtOut | Problem | SolveAccepted]:
    """Solve Ot

     Entropic optimal transport, min <P, C> + reg sum P (log P - 1) over the plans with
    marginals a and b (POT's ``ot.sinkhorn``), by Sinkhorn-Newton-Sparse: 20 Sinkhorn
    sweeps then sparsified Newton steps. The cost is ``cost`` (n x m) or computed
    from the supports x (n x d) and y (m x d) by ``metric``. A marginal is a list of
    weights or ``{structure_id, points}``: weights proportional to that structure's DP
    answers at the points, clipped at 0 (the points are then that side's support;
    post-processing of the release, nothing is spent; the key must be allowed to query the
    structure). A structure marginal is rescaled to the other side's mass (both to 1 when
    both come from structures); two lists must have the same mass. Sizes (default
    settings): up to 1,000,000 cost entries answer here, up to 8,000,000 run as a job
    (202), 413 above; a returned plan is at most 1,000,000 entries. Hitting ``max_iter``
    or ``time_limit`` answers with ``converged`` false. Derivation: docs/solvers/ot.md;
    jobs: docs/solvers/jobs.md.

    Args:
        prefer (None | str | Unset): respond-async: run the solve as a job whatever its size (RFC
            7240)
        body (OtIn): Entropic OT between two discrete measures: min <P, C> + reg sum P (log P - 1)
            over plans with marginals a and b (POT's ``ot.sinkhorn(a, b, C, reg)``), solved by
            Sinkhorn-Newton-Sparse. The cost is ``cost`` or computed from the supports by
            ``metric``; a support is ``x`` (``y``) or the points of a structure marginal.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OtOut | Problem | SolveAccepted]
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
    body: OtIn,
    prefer: None | str | Unset = UNSET,
) -> OtOut | Problem | SolveAccepted | None:
    """Solve Ot

     Entropic optimal transport, min <P, C> + reg sum P (log P - 1) over the plans with
    marginals a and b (POT's ``ot.sinkhorn``), by Sinkhorn-Newton-Sparse: 20 Sinkhorn
    sweeps then sparsified Newton steps. The cost is ``cost`` (n x m) or computed
    from the supports x (n x d) and y (m x d) by ``metric``. A marginal is a list of
    weights or ``{structure_id, points}``: weights proportional to that structure's DP
    answers at the points, clipped at 0 (the points are then that side's support;
    post-processing of the release, nothing is spent; the key must be allowed to query the
    structure). A structure marginal is rescaled to the other side's mass (both to 1 when
    both come from structures); two lists must have the same mass. Sizes (default
    settings): up to 1,000,000 cost entries answer here, up to 8,000,000 run as a job
    (202), 413 above; a returned plan is at most 1,000,000 entries. Hitting ``max_iter``
    or ``time_limit`` answers with ``converged`` false. Derivation: docs/solvers/ot.md;
    jobs: docs/solvers/jobs.md.

    Args:
        prefer (None | str | Unset): respond-async: run the solve as a job whatever its size (RFC
            7240)
        body (OtIn): Entropic OT between two discrete measures: min <P, C> + reg sum P (log P - 1)
            over plans with marginals a and b (POT's ``ot.sinkhorn(a, b, C, reg)``), solved by
            Sinkhorn-Newton-Sparse. The cost is ``cost`` or computed from the supports by
            ``metric``; a support is ``x`` (``y``) or the points of a structure marginal.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OtOut | Problem | SolveAccepted
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            prefer=prefer,
        )
    ).parsed
