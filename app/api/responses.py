"""OpenAPI documentation of the operations: readable operation ids, the problem responses
each operation can return, and example responses.

    @router.get("/{dataset_id}", response_model=DatasetRead,
                responses=example(DATASET) | problems(Unauthorized, Forbidden, NotFound,
                                                      InvalidInput, ServiceUnavailable))

``problems`` takes the ``AppError`` classes an operation can answer with: one response per
status, with an example of each problem code under that status (409 may be
``privacy-budget-exhausted``, ``not-ready``...). ``example`` documents the success
response. Which problems an operation lists is what it can really return: 401 for every
operation that needs a key, 422 for every operation that takes input (a path id, a query
parameter, a body), 413 for every operation with a body (``PRIVSIM_MAX_BODY_BYTES``, before
routing), 503 for every operation that reads the database (an unreachable database,
``app.errors``).

``app.api.limits_doc`` then writes this server's configured limits into the document
(the numbers, and a 429 response on every operation behind a key).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi.routing import APIRoute

from app.api.schemas.common import Problem
from app.errors import (
    PROBLEM_MEDIA_TYPE,
    PROBLEM_TYPE,
    AppError,
    BudgetExhausted,
    BuildTooCostly,
    Conflict,
    Forbidden,
    IdempotencyKeyReused,
    InvalidInput,
    NotAcceptable,
    NotFound,
    NotReady,
    PayloadTooLarge,
    RateLimited,
    ServiceUnavailable,
    StructureTooLarge,
    Unauthorized,
    UnsupportedMediaType,
)

__all__ = ["AUTHENTICATED", "DESCRIPTIONS", "body_examples", "example", "operation_id",
           "problems", "success"]

Responses = dict[int | str, Any]


def operation_id(route: APIRoute) -> str:
    """The operation id of a route: its function's name (``create_structure``), which
    generated clients use as the method name. ``tests/api/test_openapi.py`` checks they
    are unique."""
    return route.name


# one example detail (and extension members) per problem code; never a data value
_EXAMPLES: dict[type[AppError], tuple[str, dict[str, Any]]] = {
    Unauthorized: ("the API key is not valid", {}),
    Forbidden: ("this key has no access to this dataset", {}),
    NotFound: ("dataset 0b7e4a52-4f3c-4c38-9d27-54f1f25f4a11 not found", {}),
    NotAcceptable: ("answers are available as application/json or application/x-npy", {}),
    Conflict: ("the dataset has no rows to build from", {}),
    BudgetExhausted: ("the request exceeds the dataset's remaining privacy budget", {
        "requested": {"epsilon": 5.0, "delta": 0.0},
        "remaining": {"epsilon": 1.0, "delta": 9e-07}}),
    NotReady: ("structure 6f1c2b9e-8d4a-4e57-b0c3-2a9d7e1f5c08 is pending, not ready", {}),
    IdempotencyKeyReused: ("this Idempotency-Key was already used with a different "
                           "request; use a new key for a new request", {}),
    PayloadTooLarge: ("the request body exceeds the limit of 104857600 bytes", {}),
    UnsupportedMediaType: ("send points as application/json or application/x-npy", {}),
    InvalidInput: ("body.privacy.epsilon: Input should be greater than 0", {
        "errors": [{"loc": ["body", "privacy", "epsilon"],
                    "msg": "Input should be greater than 0", "type": "greater_than"}]}),
    StructureTooLarge: ("this structure would take 1,073,741,824 bytes, above the limit of "
                        "536,870,912: lower features, terms, projection_dim or grid_levels "
                        "(or raise alpha)", {
                            "size_bytes": 1073741824, "limit_bytes": 536870912}),
    BuildTooCostly: ("this build is estimated at 7.2e+03 s of CPU and 2,147,483,648 bytes "
                     "of memory, above the limits of 600 s and 4,294,967,296 bytes: lower "
                     "features, terms, projection_dim or grid_levels (or raise alpha)", {
                         "estimated_seconds": 7200.0, "limit_seconds": 600.0,
                         "memory_bytes": 2147483648, "limit_memory_bytes": 4294967296,
                         "noise_values": 4097}),
    ServiceUnavailable: ("the database is unavailable; nothing was changed, retry later",
                         {}),
    RateLimited: ("too many requests: this API key is limited to 100 per 1 second; retry "
                  "after 1 s", {"retry_after": 1}),
}

DESCRIPTIONS = {
    401: "No API key, or an unknown or revoked one (`WWW-Authenticate: Bearer`)",
    403: "The key's role or grants do not allow this",
    404: "No such resource, or a deleted dataset",
    406: "The `Accept` header names no media type this operation answers with",
    409: "The request conflicts with the resource's state",
    413: "The request is too large",
    415: "The body's media type is not accepted",
    422: "The request is invalid: the detail names the field or rule",
    429: "Too many requests for this key (`Retry-After`, `RateLimit-*`)",
    503: "The database is unavailable; nothing was changed (`Retry-After`)",
}

# what every operation that needs a key can return: no or a bad key, no database
AUTHENTICATED: tuple[type[AppError], ...] = (Unauthorized, ServiceUnavailable)


def _problem_example(error: type[AppError]) -> dict[str, Any]:
    detail, extensions = _EXAMPLES[error]
    return {"type": PROBLEM_TYPE + error.code, "title": error.title, "status": error.status,
            "detail": detail, "instance": "/v1/...",
            "request_id": "6d4bf13d0df74b75a6a337f3db98fc8d", **extensions}


def problems(*errors: type[AppError]) -> Responses:
    """The problem responses for ``errors``: one per status, each problem code one named
    example; the body is an RFC 9457 ``Problem`` as ``application/problem+json``."""
    by_status: dict[int, list[type[AppError]]] = defaultdict(list)
    for error in dict.fromkeys(errors):
        by_status[error.status].append(error)
    responses: Responses = {}
    for status in sorted(by_status):
        examples = {error.code: {"summary": error.title, "value": _problem_example(error)}
                    for error in by_status[status]}
        responses[status] = {
            # ``model`` puts Problem into the document's components; the problem media
            # type is what the service sends
            "model": Problem,
            "description": DESCRIPTIONS.get(status, by_status[status][0].title),
            "content": {PROBLEM_MEDIA_TYPE: {
                "schema": {"$ref": "#/components/schemas/Problem"}, "examples": examples}},
        }
    return responses


def example(value: Any, *, status: int = 200, description: str | None = None,
            media_type: str = "application/json") -> Responses:
    """An example of the success response ``status``."""
    return success({media_type: {"example": value}}, status=status, description=description)


def success(content: dict[str, Any], *, status: int = 200,
            description: str | None = None) -> Responses:
    """The success response ``status`` with ``content`` (media type objects, merged into
    what FastAPI documents from the response model)."""
    response: dict[str, Any] = {"content": content}
    if description is not None:
        response["description"] = description
    return {status: response}


def body_examples(examples: dict[str, Any], *, media_type: str = "application/json",
                  summaries: dict[str, str] | None = None) -> dict[str, Any]:
    """``openapi_extra`` documenting named example request bodies (``{name: value}``)."""
    return {"requestBody": {"content": {media_type: {"examples": {
        name: {"summary": (summaries or {}).get(name, name), "value": value}
        for name, value in examples.items()}}}}}
