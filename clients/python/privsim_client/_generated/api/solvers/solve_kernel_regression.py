from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.kernel_regression_in import KernelRegressionIn
from ...models.kernel_regression_out import KernelRegressionOut
from ...models.problem import Problem
from ...models.solve_accepted import SolveAccepted
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: KernelRegressionIn,
    prefer: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(prefer, Unset):
        headers["Prefer"] = prefer

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/solvers/kernel-regression",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> KernelRegressionOut | Problem | SolveAccepted | None:
    if response.status_code == 200:
        response_200 = KernelRegressionOut.from_dict(response.json())

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
) -> Response[KernelRegressionOut | Problem | SolveAccepted]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: KernelRegressionIn,
    prefer: None | str | Unset = UNSET,
) -> Response[KernelRegressionOut | Problem | SolveAccepted]:
    """Solve Kernel Regression

     Kernel ridge / GP regression of y on x with a positive-definite kernel kind of the
    catalog (distance kinds: 422): alpha = (K + ridge I)^-1 y by conjugate gradients with a
    Nystrom or pivoted-Cholesky preconditioner (or a dense Cholesky), then at ``points``
    the mean K*' alpha and the GP variance (or, with ``student_t``, the Student-t scale
    and degrees of freedom), and with ``loo`` the leave-one-out residuals. The training
    data must be public or DP-synthetic, or public points labelled by a released DP
    model (``y: {model_id, label?}``: a regressor's values or a classifier's probability
    of ``label`` at x, read through the model's predict route, its access rule and audit
    record), never private rows: nothing is read from a dataset and nothing is spent.
    Sizes (default settings): up to 5,000 training and 20,000 prediction points answer
    here, up to about 14,000 and 160,000 run as a job (202), 413 above. Hitting
    ``max_iter`` or ``time_limit`` answers with ``converged`` false. Derivation:
    docs/solvers/kernel_regression.md; jobs: docs/solvers/jobs.md.

    Args:
        prefer (None | str | Unset): respond-async: run the solve as a job whatever its size (RFC
            7240)
        body (KernelRegressionIn): Kernel ridge / GP regression of y on x: alpha = (K + ridge
            I)^-1 y by
            preconditioned conjugate gradients (or Cholesky), predictions K*' alpha at ``points``
            with the GP (or Student-t) variance. Training data must be public or DP-synthetic (or
            public points labelled by a released DP model, ``y: {model_id}``), never private
            rows.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[KernelRegressionOut | Problem | SolveAccepted]
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
    body: KernelRegressionIn,
    prefer: None | str | Unset = UNSET,
) -> KernelRegressionOut | Problem | SolveAccepted | None:
    """Solve Kernel Regression

     Kernel ridge / GP regression of y on x with a positive-definite kernel kind of the
    catalog (distance kinds: 422): alpha = (K + ridge I)^-1 y by conjugate gradients with a
    Nystrom or pivoted-Cholesky preconditioner (or a dense Cholesky), then at ``points``
    the mean K*' alpha and the GP variance (or, with ``student_t``, the Student-t scale
    and degrees of freedom), and with ``loo`` the leave-one-out residuals. The training
    data must be public or DP-synthetic, or public points labelled by a released DP
    model (``y: {model_id, label?}``: a regressor's values or a classifier's probability
    of ``label`` at x, read through the model's predict route, its access rule and audit
    record), never private rows: nothing is read from a dataset and nothing is spent.
    Sizes (default settings): up to 5,000 training and 20,000 prediction points answer
    here, up to about 14,000 and 160,000 run as a job (202), 413 above. Hitting
    ``max_iter`` or ``time_limit`` answers with ``converged`` false. Derivation:
    docs/solvers/kernel_regression.md; jobs: docs/solvers/jobs.md.

    Args:
        prefer (None | str | Unset): respond-async: run the solve as a job whatever its size (RFC
            7240)
        body (KernelRegressionIn): Kernel ridge / GP regression of y on x: alpha = (K + ridge
            I)^-1 y by
            preconditioned conjugate gradients (or Cholesky), predictions K*' alpha at ``points``
            with the GP (or Student-t) variance. Training data must be public or DP-synthetic (or
            public points labelled by a released DP model, ``y: {model_id}``), never private
            rows.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        KernelRegressionOut | Problem | SolveAccepted
    """

    return sync_detailed(
        client=client,
        body=body,
        prefer=prefer,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: KernelRegressionIn,
    prefer: None | str | Unset = UNSET,
) -> Response[KernelRegressionOut | Problem | SolveAccepted]:
    """Solve Kernel Regression

     Kernel ridge / GP regression of y on x with a positive-definite kernel kind of the
    catalog (distance kinds: 422): alpha = (K + ridge I)^-1 y by conjugate gradients with a
    Nystrom or pivoted-Cholesky preconditioner (or a dense Cholesky), then at ``points``
    the mean K*' alpha and the GP variance (or, with ``student_t``, the Student-t scale
    and degrees of freedom), and with ``loo`` the leave-one-out residuals. The training
    data must be public or DP-synthetic, or public points labelled by a released DP
    model (``y: {model_id, label?}``: a regressor's values or a classifier's probability
    of ``label`` at x, read through the model's predict route, its access rule and audit
    record), never private rows: nothing is read from a dataset and nothing is spent.
    Sizes (default settings): up to 5,000 training and 20,000 prediction points answer
    here, up to about 14,000 and 160,000 run as a job (202), 413 above. Hitting
    ``max_iter`` or ``time_limit`` answers with ``converged`` false. Derivation:
    docs/solvers/kernel_regression.md; jobs: docs/solvers/jobs.md.

    Args:
        prefer (None | str | Unset): respond-async: run the solve as a job whatever its size (RFC
            7240)
        body (KernelRegressionIn): Kernel ridge / GP regression of y on x: alpha = (K + ridge
            I)^-1 y by
            preconditioned conjugate gradients (or Cholesky), predictions K*' alpha at ``points``
            with the GP (or Student-t) variance. Training data must be public or DP-synthetic (or
            public points labelled by a released DP model, ``y: {model_id}``), never private
            rows.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[KernelRegressionOut | Problem | SolveAccepted]
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
    body: KernelRegressionIn,
    prefer: None | str | Unset = UNSET,
) -> KernelRegressionOut | Problem | SolveAccepted | None:
    """Solve Kernel Regression

     Kernel ridge / GP regression of y on x with a positive-definite kernel kind of the
    catalog (distance kinds: 422): alpha = (K + ridge I)^-1 y by conjugate gradients with a
    Nystrom or pivoted-Cholesky preconditioner (or a dense Cholesky), then at ``points``
    the mean K*' alpha and the GP variance (or, with ``student_t``, the Student-t scale
    and degrees of freedom), and with ``loo`` the leave-one-out residuals. The training
    data must be public or DP-synthetic, or public points labelled by a released DP
    model (``y: {model_id, label?}``: a regressor's values or a classifier's probability
    of ``label`` at x, read through the model's predict route, its access rule and audit
    record), never private rows: nothing is read from a dataset and nothing is spent.
    Sizes (default settings): up to 5,000 training and 20,000 prediction points answer
    here, up to about 14,000 and 160,000 run as a job (202), 413 above. Hitting
    ``max_iter`` or ``time_limit`` answers with ``converged`` false. Derivation:
    docs/solvers/kernel_regression.md; jobs: docs/solvers/jobs.md.

    Args:
        prefer (None | str | Unset): respond-async: run the solve as a job whatever its size (RFC
            7240)
        body (KernelRegressionIn): Kernel ridge / GP regression of y on x: alpha = (K + ridge
            I)^-1 y by
            preconditioned conjugate gradients (or Cholesky), predictions K*' alpha at ``points``
            with the GP (or Student-t) variance. Training data must be public or DP-synthetic (or
            public points labelled by a released DP model, ``y: {model_id}``), never private
            rows.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        KernelRegressionOut | Problem | SolveAccepted
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            prefer=prefer,
        )
    ).parsed
