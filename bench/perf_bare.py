"""The bare endpoints ``python -m bench.perf`` loads next to privsim's query route: the
least a FastAPI service must do for a query request, so that the ratio of privsim's
requests/s to theirs says what privsim's own work costs.

    uvicorn bench.perf_bare:app --workers 1

- ``POST /pydantic``: FastAPI reads the JSON body into a pydantic model shaped like the
  query body (``points``: a list of float lists, ``reduce``) and answers a small JSON
  document shaped like a one-point answer;
- ``POST /orjson``: the same body parsed by orjson, the same answer written by orjson.

Neither authenticates, reads a database, answers a query or writes an audit record.
"""

from __future__ import annotations

from typing import Literal

import orjson
from fastapi import FastAPI, Request, Response
from pydantic import BaseModel

__all__ = ["PointsIn", "app"]


class PointsIn(BaseModel):
    """The query body's shape: points and how to reduce their answers."""

    points: list[list[float]]
    reduce: Literal["sum", "mean"] = "sum"


app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.post("/pydantic")
async def parse_with_pydantic(body: PointsIn) -> dict[str, object]:
    """FastAPI's own body parsing (on the event loop, no thread hop); one value per
    point in the answer."""
    zeros = [0.0] * len(body.points)
    return {"reduce": body.reduce, "values": zeros, "std": zeros, "approximation_std": zeros}


@app.post("/orjson")
async def parse_with_orjson(request: Request) -> Response:
    """The body parsed and the answer written with orjson."""
    body = orjson.loads(await request.body())
    zeros = [0.0] * len(body["points"])
    answer = {"reduce": body.get("reduce", "sum"), "values": zeros, "std": zeros,
              "approximation_std": zeros}
    return Response(orjson.dumps(answer), media_type="application/json")
