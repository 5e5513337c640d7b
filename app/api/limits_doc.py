"""The limits of this server, stated in its OpenAPI document at app creation
(``install_limits_doc``, called by ``app.main.create_app``): a client generated from, or
reading, ``/openapi.json`` sees the numbers it must stay within.

- ``info.x-privsim-limits``: every limit's configured value (``limits_of``);
- ``maxItems`` on the JSON batches a setting bounds: a query's or a prediction's
  ``points`` (``PRIVSIM_MAX_QUERY_POINTS``), an upload's ``rows``
  (``PRIVSIM_MAX_UPLOAD_ROWS``);
- the 413 and 422 descriptions of each operation, with the numbers that apply to it;
- a 429 problem response with ``Retry-After`` on every operation behind a key (through
  ``get_principal``; ``/metrics`` authenticates apart), describing the rate limits, or
  saying that none is set: the response is documented either way, so a client generated
  from one server handles another's limits.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI, routing
from fastapi.routing import APIRoute

from app.api.deps import limit_heavy
from app.api.rate_limits import describe, parse_limits
from app.api.responses import DESCRIPTIONS, operation_id, problems
from app.errors import RateLimited
from app.settings import Settings

__all__ = ["document_limits", "heavy_operations", "install_limits_doc", "limits_of"]


# operations whose JSON body carries a batch bounded by a setting: (operation id, member)
_QUERY_BATCHES = (("query_structure", "points"), ("predict", "points"))
_UPLOADS = ("upload_rows",)
_BUILDS = ("create_structure", "estimate_structure", "create_model")
_SOLVERS = ("solve_ot", "solve_kernel_regression", "solve_design")


def limits_of(settings: Settings) -> dict[str, Any]:
    """The limits a client can rely on, as ``info.x-privsim-limits`` states them."""
    return {
        "max_body_bytes": settings.max_body_bytes,
        "max_upload_rows": settings.max_upload_rows,
        "max_upload_decoded_bytes": settings.max_upload_decoded_bytes,
        "max_query_points": settings.max_query_points,
        "max_query_seconds": settings.max_query_seconds,
        "max_build_seconds": settings.max_build_seconds,
        "max_build_memory_bytes": settings.max_build_memory_bytes,
        "max_structure_bytes": settings.max_structure_bytes,
        "solver_sync_scale": settings.solver_sync_scale,
        "solver_job_scale": settings.solver_job_scale,
        "solver_job_seconds": settings.solver_job_seconds,
        "rate_limit": settings.rate_limit,
        "rate_limit_heavy": settings.rate_limit_heavy,
        "rate_limit_auth_failures": settings.rate_limit_auth_failures,
    }


def _rate_limit_text(settings: Settings, heavy: bool) -> str:
    per_key = parse_limits(settings.rate_limit)
    if not per_key:
        stated = "no per-key limit is set on this server (`PRIVSIM_RATE_LIMIT`)"
    else:
        stated = ("each key may make " + " and ".join(describe(item) for item in per_key)
                  + " (`PRIVSIM_RATE_LIMIT`)")
    heavy_limits = parse_limits(settings.rate_limit_heavy)
    if heavy:
        stated += ("; this operation starts heavy work: " + (
            "each key may also make " + " and ".join(describe(i) for i in heavy_limits)
            + " of them" if heavy_limits else "no limit of its own is set")
            + " (`PRIVSIM_RATE_LIMIT_HEAVY`)")
    failures = parse_limits(settings.rate_limit_auth_failures)
    if failures:
        stated += ("; an address over " + " and ".join(describe(item) for item in failures)
                   + " failed authentications is refused (`PRIVSIM_RATE_LIMIT_AUTH_FAILURES`)")
    return (f"Too many requests: {stated}. Wait `Retry-After` seconds; `RateLimit-Limit`, "
            "`RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy` describe the "
            "window that refused the request")


def _too_large_text(op_id: str, settings: Settings) -> str:
    text = f"The request is too large: a body over {settings.max_body_bytes} bytes " \
           "(`PRIVSIM_MAX_BODY_BYTES`)"
    if op_id in _UPLOADS:
        text += (f"; more than {settings.max_upload_rows} rows (`PRIVSIM_MAX_UPLOAD_ROWS`) "
                 f"or more than {settings.max_upload_decoded_bytes} bytes decoded as float64 "
                 "(`PRIVSIM_MAX_UPLOAD_DECODED_BYTES`)")
    if op_id in {op for op, _ in _QUERY_BATCHES} | {"structure_expectation"}:
        text += (f"; more than {settings.max_query_points} points "
                 f"(`PRIVSIM_MAX_QUERY_POINTS`) or more than {settings.max_query_seconds} "
                 "estimated CPU seconds (`PRIVSIM_MAX_QUERY_SECONDS`)")
    if op_id in _SOLVERS:
        text += (f"; a size above {settings.solver_job_scale} times its base limit "
                 "(`PRIVSIM_SOLVER_JOB_SCALE`, docs/solvers/jobs.md)")
    return text


def _invalid_text(op_id: str, settings: Settings) -> str:
    text = DESCRIPTIONS[422]
    if op_id in _BUILDS:
        text += (f"; a build estimated above {settings.max_build_seconds} CPU seconds "
                 f"(`PRIVSIM_MAX_BUILD_SECONDS`) or {settings.max_build_memory_bytes} bytes "
                 "of memory (`PRIVSIM_MAX_BUILD_MEMORY_BYTES`) is `build-too-costly`, a "
                 f"release above {settings.max_structure_bytes} bytes "
                 "(`PRIVSIM_MAX_STRUCTURE_BYTES`) `structure-too-large`")
    if op_id in _SOLVERS:
        text += (f"; a job's time_limit above {settings.solver_job_seconds} s "
                 "(`PRIVSIM_SOLVER_JOB_SECONDS`)")
    return text


def _bound_batch(operation: dict[str, Any], member: str, most: int) -> None:
    schema = (operation.get("requestBody", {}).get("content", {})
              .get("application/json", {}).get("schema", {}))
    prop = schema.get("properties", {}).get(member)
    if prop is not None and prop.get("type") == "array":
        prop["maxItems"] = most


def heavy_operations(app: FastAPI) -> frozenset[str]:
    """The operation ids of the routes under ``PRIVSIM_RATE_LIMIT_HEAVY`` (``HeavyLimit``)."""
    routes = (context.original_route for context in routing.iter_route_contexts(app.routes))
    return frozenset(
        operation_id(route) for route in routes if isinstance(route, APIRoute)
        and any(dep.call is limit_heavy for dep in route.dependant.dependencies))


def document_limits(document: dict[str, Any], settings: Settings,
                    heavy: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A copy of the OpenAPI ``document`` that states ``settings``' limits; ``heavy``:
    the operations that count against ``PRIVSIM_RATE_LIMIT_HEAVY`` as well."""
    document = copy.deepcopy(document)
    document["info"]["x-privsim-limits"] = limits_of(settings)
    batches = dict(_QUERY_BATCHES)
    too_many = problems(RateLimited)[429]
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            op_id = operation.get("operationId", "")
            responses = operation.setdefault("responses", {})
            if op_id in batches:
                _bound_batch(operation, batches[op_id], settings.max_query_points)
            if op_id in _UPLOADS:
                _bound_batch(operation, "rows", settings.max_upload_rows)
            if "413" in responses:
                responses["413"]["description"] = _too_large_text(op_id, settings)
            if "422" in responses:
                responses["422"]["description"] = _invalid_text(op_id, settings)
            # behind a key, through the key's dependency (/metrics authenticates apart)
            if "401" in responses and op_id != "metrics":
                responses["429"] = {"description": _rate_limit_text(settings, op_id in heavy),
                                    "content": copy.deepcopy(too_many["content"]),
                                    "headers": {"Retry-After": {
                                        "description": "whole seconds to wait",
                                        "schema": {"type": "integer", "minimum": 1}}}}
    return document


def install_limits_doc(app: FastAPI, settings: Settings) -> None:
    """Make ``app.openapi()`` (and ``/openapi.json``) return the document with
    ``settings``' limits in it, built once."""
    generate = app.openapi
    documented: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        if not documented:
            documented.append(document_limits(generate(), settings, heavy_operations(app)))
        return documented[0]

    app.openapi = openapi  # type: ignore[method-assign]
