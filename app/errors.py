"""Errors the service answers with, as RFC 9457 ``application/problem+json``.

    AppError (500)
    ├── InvalidInput (422)          ├── Conflict (409)
    │   ├── StructureTooLarge (422) │
    │   └── BuildTooCostly (422)    │
    ├── Unauthorized (401)          │   ├── BudgetExhausted (409)
    ├── Forbidden (403)             │   ├── NotReady (409)
    │                               │   └── IdempotencyKeyReused (409)
    ├── NotFound (404)              ├── PayloadTooLarge (413)
    ├── NotAcceptable (406)         ├── UnsupportedMediaType (415)
    ├── RateLimited (429)           │
    └── ServiceUnavailable (503)

``type`` is ``urn:privsim:problem:<code>``; ``instance`` is the request path. A detail
names the offending field or rule and never echoes data values: validation errors are
stripped of their ``input`` before they are returned.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import CoreError, CorruptRelease, IncompatibleArrays, InvalidParameter

logger = logging.getLogger(__name__)

PROBLEM_TYPE = "urn:privsim:problem:"
PROBLEM_MEDIA_TYPE = "application/problem+json"


class AppError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal"
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None,
                 **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers
        self.extensions = extensions


class InvalidInput(AppError):
    status, code, title = 422, "invalid-input", "Invalid input"


class StructureTooLarge(InvalidInput):
    code, title = "structure-too-large", "Structure too large"


class BuildTooCostly(InvalidInput):
    code, title = "build-too-costly", "Build too costly"


class Unauthorized(AppError):
    status, code, title = 401, "unauthorized", "Missing or invalid API key"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(AppError):
    status, code, title = 403, "forbidden", "Not allowed"


class NotFound(AppError):
    status, code, title = 404, "not-found", "Not found"


class NotAcceptable(AppError):
    status, code, title = 406, "not-acceptable", "Not acceptable"


class Conflict(AppError):
    status, code, title = 409, "conflict", "Conflict"


class BudgetExhausted(Conflict):
    code, title = "privacy-budget-exhausted", "Privacy budget exhausted"


class NotReady(Conflict):
    code, title = "not-ready", "Not ready"


class IdempotencyKeyReused(Conflict):
    code, title = "idempotency-key-reused", "Idempotency key reused"


class PayloadTooLarge(AppError):
    status, code, title = 413, "payload-too-large", "Request body too large"


class UnsupportedMediaType(AppError):
    status, code, title = 415, "unsupported-media-type", "Unsupported media type"


class RateLimited(AppError):
    """Over a rate limit (``app.api.rate_limits``); ``Retry-After`` says when to retry."""

    status, code, title = 429, "rate-limited", "Too many requests"


class ServiceUnavailable(AppError):
    status, code, title = 503, "service-unavailable", "Service unavailable"


_FROM_CORE: dict[type[CoreError], type[AppError]] = {
    InvalidParameter: InvalidInput,
    IncompatibleArrays: InvalidInput,
}

_HTTP_CODES = {404: ("not-found", "Not found"), 405: ("method-not-allowed", "Method not allowed"),
               413: ("payload-too-large", "Request body too large"),
               400: ("bad-request", "Bad request")}


def problem_response(request: Request, *, status: int, code: str, title: str, detail: str,
                     headers: dict[str, str] | None = None, **extensions: Any) -> JSONResponse:
    body = {"type": PROBLEM_TYPE + code, "title": title, "status": status, "detail": detail,
            "instance": request.url.path, **extensions}
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE,
                        headers=headers)


def _app_error(request: Request, exc: Exception) -> JSONResponse:
    exc = cast(AppError, exc)
    return problem_response(request, status=exc.status, code=exc.code, title=exc.title,
                            detail=exc.detail, headers=exc.headers, **exc.extensions)


def _core_error(request: Request, exc: Exception) -> JSONResponse:
    mapped = _FROM_CORE.get(cast(type[CoreError], type(exc)))
    if mapped is None:
        if isinstance(exc, CorruptRelease):
            logger.error("stored release failed verification: %s", exc)
        else:
            logger.error("unmapped core error", exc_info=exc)
        return _app_error(request, AppError("internal error"))
    return _app_error(request, mapped(str(exc)))


def _message(error: dict[str, Any]) -> str:
    """A validation error's message; for a body that is not strict JSON, the rule it
    broke (app.services.jsondoc: never a value from the body); for a discriminated union
    (a build's ``kind``, a domain's ``type``), the values allowed, not the one sent."""
    context = error.get("ctx") or {}
    if error.get("type") == "json_invalid":
        return str(context.get("error") or "the body is not valid JSON")
    if error.get("type") == "union_tag_invalid":
        return f"must be one of {context.get('expected_tags', '')}"
    if error.get("type") == "union_tag_not_found":
        return "Field required"
    return str(error.get("msg", ""))


def _location(error: dict[str, Any]) -> list[Any]:
    """Where the error is: the body as a whole for JSON that does not parse; the
    discriminator field itself for a missing or unknown union tag (pydantic points at
    the union)."""
    if error.get("type") == "json_invalid":
        return ["body"]
    loc = list(error.get("loc", ()))
    if error.get("type") in ("union_tag_invalid", "union_tag_not_found"):
        discriminator = str((error.get("ctx") or {}).get("discriminator", "")).strip("'")
        if discriminator:
            loc.append(discriminator)
    return loc


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    exc = cast(RequestValidationError, exc)
    errors = [{"loc": _location(e), "msg": _message(e), "type": str(e.get("type", ""))}
              for e in exc.errors()]
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    where = ".".join(str(p) for p in first["loc"])
    detail = f"{where}: {first['msg']}" if where else str(first["msg"])
    return problem_response(request, status=422, code="invalid-input", title="Invalid input",
                            detail=detail, errors=errors)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    exc = cast(StarletteHTTPException, exc)
    code, title = _HTTP_CODES.get(exc.status_code, ("http-error", "HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    return problem_response(request, status=exc.status_code, code=code, title=title,
                            detail=detail, headers=dict(exc.headers or {}))


def _database_error(request: Request, exc: Exception) -> JSONResponse:
    exc = cast(DBAPIError, exc)
    if isinstance(exc, OperationalError) or exc.connection_invalidated:
        logger.error("database unavailable: %s", type(exc.orig).__name__)
        return _app_error(request, ServiceUnavailable(
            "the database is unavailable; nothing was changed, retry later",
            headers={"Retry-After": "5"}))
    logger.error("database error", exc_info=exc)
    return _app_error(request, AppError("internal error"))


def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error", exc_info=exc)
    return _app_error(request, AppError("internal error"))


# most specific first: ``error_response`` takes the first that matches
_HANDLERS: tuple[tuple[type[Exception], Callable[[Request, Exception], JSONResponse]], ...] = (
    (AppError, _app_error), (CoreError, _core_error),
    (RequestValidationError, _validation_error), (StarletteHTTPException, _http_error),
    (DBAPIError, _database_error), (Exception, _unhandled))


def install_error_handlers(app: FastAPI) -> None:
    for kind, handler in _HANDLERS:
        app.add_exception_handler(kind, handler)


def error_response(request: Request, exc: Exception) -> JSONResponse:
    """The problem response the app's handlers give ``exc``, for code that answers a
    request outside FastAPI's routing (``app.api.fast_lane``)."""
    handler = next(h for kind, h in _HANDLERS if isinstance(exc, kind))
    return handler(request, exc)
