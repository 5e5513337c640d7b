"""The query fast lane: a structure query from a key seen moments ago goes straight to
the query route's work (``routes.structures.answer_query``), past FastAPI's routing
and dependency resolution.

Under load those cost more than the query itself: matching the path against every
route, solving the route's dependencies (the state, the bearer key, the query
parameter, the path's UUID) and the exception middleware took about half of the API
process's time for a 768-d query answered in a tenth of a millisecond.

The lane takes a request only when everything the route would resolve is already known
and plain: ``POST /v1/structures/{uuid}/query`` with the UUID in canonical lower-case
form, no query string but ``reduce=sum`` or ``reduce=mean``, a declared body of at most
``INLINE_BODY_BYTES``, ``Authorization: Bearer <key>`` for a key in the key cache, and
a structure that key was admitted to (``ReleaseCache.admitted``, the same delay as the
route's). Anything else goes to FastAPI unchanged, so every refusal, first access and
unusual request takes the route's path. Once taken, the request is answered as the
route answers it: the same function, the same problem responses for its errors
(``app.errors.error_response``), the same route in the access log and metrics. The
key's rate limit (``PRIVSIM_RATE_LIMIT``) counts a taken request as ``get_principal``
counts a routed one.
"""

from __future__ import annotations

import re
from uuid import UUID

from starlette.requests import Request
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.deps import AppState
from app.api.routes import structures
from app.api.routes.structures import INLINE_BODY_BYTES, answer_query
from app.errors import error_response
from app.services.access import Principal, hash_key
from core.structures.base import Reduce

__all__ = ["QueryFastLane"]

_PATH = re.compile(r"/v1/structures/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                   r"[0-9a-f]{12})/query")
_REDUCE: dict[bytes, Reduce | None] = {b"": None, b"reduce=sum": "sum",
                                       b"reduce=mean": "mean"}
_BEARER = b"bearer "
_TEMPLATE = "/structures/{structure_id}/query"


class QueryFastLane:
    """ASGI middleware, inside the body limit and the request context."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._route: BaseRoute | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        taken = self._take(scope) if scope["type"] == "http" else None
        if taken is None:
            await self.app(scope, receive, send)
            return
        state, principal, structure_id, reduce = taken
        scope["route"] = self._query_route()
        request = Request(scope, receive)
        try:
            if state.limiter is not None:  # the key's rate limit, as get_principal applies it
                await state.limiter.check_key(principal.key_id)
            response = await answer_query(state, principal, structure_id, request, reduce)
        except Exception as exc:  # answered as the app's handlers answer it
            response = error_response(request, exc)
        await response(scope, receive, send)

    def _take(self, scope: Scope) -> tuple[AppState, Principal, UUID, Reduce | None] | None:
        """What the route's dependencies would resolve, if all of it is known without
        the database; else None (the request goes to FastAPI)."""
        if scope["method"] != "POST":
            return None
        match = _PATH.fullmatch(scope["path"])
        query = scope.get("query_string", b"")
        if match is None or query not in _REDUCE:
            return None
        length = token = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
            elif name == b"authorization":
                if token is not None:
                    return None
                token = value
        if (length is None or not length.isdigit() or int(length) > INLINE_BODY_BYTES
                or token is None or token[:7].lower() != _BEARER):
            return None
        key = token[7:]  # as HTTPBearer reads it: everything after the first space
        if not key or any(c in key for c in b" \t"):
            return None
        app = scope.get("app")
        state: AppState | None = getattr(getattr(app, "state", None), "privsim", None)
        if state is None:
            return None
        principal = state.keys.get(hash_key(key.decode("latin-1")))
        if principal is None:
            return None
        structure_id = UUID(match.group(1))
        if state.cache.admitted(principal.key_id, structure_id, False) is None:
            return None
        return state, principal, structure_id, _REDUCE[query]

    def _query_route(self) -> BaseRoute | None:
        """The query route, for the access log and metrics (found once)."""
        if self._route is None:
            self._route = next((route for route in structures.router.routes
                                if getattr(route, "path", "").endswith(_TEMPLATE)), None)
        return self._route
