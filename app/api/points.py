"""Query points in a request body, for every route that answers a batch of points
(structure queries, model predictions): JSON (a strict body model with ``points``) or
``application/x-npy`` in, JSON or ``.npy`` out."""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from numpy.typing import NDArray
from pydantic import BaseModel, ValidationError

from app.errors import InvalidInput, NotAcceptable, PayloadTooLarge, UnsupportedMediaType
from app.services.ingest import JSON_TYPES, NPY_TYPES, media_type, read_npy
from app.services.jsondoc import JSONDocumentError, loads_strict

NPY = "application/x-npy"
MAX_DIM = 65_536  # the largest dim a dataset may have (DatasetCreate)
Body = TypeVar("Body", bound=BaseModel)


def negotiate(request: Request) -> tuple[str, bool]:
    """The body's media type and whether the answer goes out as ``.npy``: 406 for an
    ``Accept`` that allows neither JSON nor ``.npy``, 415 for a body that is neither."""
    accept = request.headers.get("accept", "")
    wants_npy = NPY in accept
    if accept and not wants_npy and not any(t in accept for t in ("json", "*/*")):
        raise NotAcceptable("answers are available as application/json or application/x-npy")
    content_type = media_type(request.headers.get("content-type"))
    if content_type not in JSON_TYPES + NPY_TYPES:
        raise UnsupportedMediaType("send points as application/json or application/x-npy")
    return content_type, wants_npy


def too_many_points(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"at most {limit} query points per request "
                           "(PRIVSIM_MAX_QUERY_POINTS)", max_points=limit)


def _validated_json(schema: type[Body], body: bytes) -> Body | None:
    """The body read by pydantic's own JSON parser straight into ``schema`` (about half
    the time of ``loads_strict`` and then the model, for a 768-d point), where that is
    sure to be what the strict path gives; else None, and the strict path answers.

    A body the model accepts this way is one the strict rules accept too: pydantic's
    parser refuses what they refuse (invalid UTF-8 and JSON syntax, NaN and Infinity,
    trailing data), the model refuses infinite numbers and nesting deeper than its
    fields, and it reads numbers to the same floats as ``json`` (correctly rounded;
    ``tests/property/test_points.py``). It keeps the last of repeated keys, so the
    body's colons, inside strings too, must number the fields it gave: then no key is
    repeated and no object but the body's own has keys."""
    try:
        parsed = schema.model_validate_json(body)
    except ValidationError:
        return None
    return parsed if body.count(b":") == len(parsed.model_fields_set) else None


def read_points(body: bytes, content_type: str, schema: type[Body], *,
                max_points: int) -> tuple[Body | None, NDArray[np.float64]]:
    """The JSON body as ``schema`` (None for ``.npy``) and its points as a (q, dim)
    float array; 422 for a bad body, ragged points or an empty array, 413 above
    ``max_points``."""
    if content_type in JSON_TYPES:
        parsed = _validated_json(schema, body)
        if parsed is None:  # the strict parser, then the model: every error as it says
            try:
                parsed = schema.model_validate(loads_strict(body))
            except JSONDocumentError as exc:
                raise InvalidInput(str(exc)) from None
            except ValidationError as exc:
                raise RequestValidationError(
                    [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from exc
        points: list[list[float]] = getattr(parsed, "points")  # noqa: B009 (any schema)
        if len(points) > max_points:
            raise too_many_points(max_points)
        width = len(points[0])
        if any(len(p) != width for p in points):
            raise InvalidInput("points are ragged: every point must have the same length")
        return parsed, np.asarray(points, dtype=np.float64)
    if not body:
        raise InvalidInput("the body is empty")
    try:
        array: Any = read_npy(body, max_rows=max_points,
                              max_decoded_bytes=max_points * MAX_DIM * 8)
    except PayloadTooLarge:  # the same problem (max_points) as for JSON points
        raise too_many_points(max_points) from None
    if array.shape[0] == 0:
        raise InvalidInput("points must be a non-empty (q, dim) array")
    return None, np.asarray(array, dtype=np.float64)
