"""Every JSON request body is parsed strictly (``app.services.jsondoc``): duplicate keys,
nesting deeper than 64 levels, NaN and Infinity are refused with 422 before validation.

FastAPI reads a JSON body through ``Request.json()``; routers built with
``route_class=StrictJSONRoute`` hand their endpoints a request whose ``json()`` is the
strict parser, raising the ``json.JSONDecodeError`` FastAPI turns into a validation
error (the rule it broke is the error's message, never a value from the body).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from app.services.jsondoc import JSONDocumentError, loads_strict


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = loads_strict(body)
            except JSONDocumentError as exc:
                raise json.JSONDecodeError(str(exc), "", 0) from None
        return self._json


class StrictJSONRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_handler
