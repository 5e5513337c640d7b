"""Typed dependencies: ``SettingsDep``, ``UoWDep``, ``PrincipalDep``, ``StateDep``,
``HeavyLimit`` (the heavy-work rate limit), and the paging parameters of list endpoints
(``AfterQuery``, ``LimitQuery``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

import anyio
from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.api.rate_limits import RateLimiter
from app.crypto import RowCipher
from app.errors import Unauthorized
from app.metrics import Metrics
from app.services.access import KeyCache, Principal, authenticate, hash_key
from app.services.paging import MAX_PAGE
from app.services.ports import UnitOfWorkPort
from app.services.structures import ReleaseCache
from app.settings import Settings


@dataclass
class AppState:
    settings: Settings
    uow: UnitOfWorkPort
    cipher: RowCipher
    cache: ReleaseCache
    metrics: Metrics
    # heavy request work (parsing uploads and queries, answering) runs in threads, at
    # most PRIVSIM_QUERY_CONCURRENCY at once, so the event loop and cheap requests stay
    # responsive while it runs
    compute: anyio.CapacityLimiter = field(
        default_factory=lambda: anyio.CapacityLimiter(4))
    # principals of recently seen keys (PRIVSIM_KEY_CACHE_SECONDS; app.services.access)
    keys: KeyCache = field(default_factory=lambda: KeyCache(0.0))
    # PRIVSIM_RATE_LIMIT and PRIVSIM_RATE_LIMIT_AUTH_FAILURES; None: both off
    limiter: RateLimiter | None = None


# The dependencies below are ``async`` although they never await: FastAPI runs a plain
# ``def`` dependency in a worker thread, a hop that costs more than the whole lookup.
async def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.privsim
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_settings_dep(state: StateDep) -> Settings:
    return state.settings


async def get_uow(state: StateDep) -> UnitOfWorkPort:
    return state.uow


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
UoWDep = Annotated[UnitOfWorkPort, Depends(get_uow)]

_bearer = HTTPBearer(auto_error=False, description="API key: 'Authorization: Bearer psk_...'")


async def get_principal(
    request: Request, state: StateDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    token = credentials.credentials if credentials is not None else None
    if token:  # a key seen recently needs no thread and no database
        cached = state.keys.get(hash_key(token))
        if cached is not None:
            if state.limiter is not None:
                await state.limiter.check_key(cached.key_id)
            return cached
    if state.limiter is None:
        return await run_in_threadpool(authenticate, state.uow, token, state.keys)
    return await _authenticate_limited(request, state, state.limiter, token)


async def _authenticate_limited(request: Request, state: AppState, limiter: RateLimiter,
                                token: str | None) -> Principal:
    """Authenticate under the rate limits: a failure counts against the client's
    address (never against a key), a success against the key."""
    address = request.client.host if request.client is not None else "unknown"
    if limiter.auth_failures:
        await limiter.check_address(address)
    try:
        principal = await run_in_threadpool(authenticate, state.uow, token, state.keys)
    except Unauthorized:
        if limiter.auth_failures:
            await limiter.record_failure(address)
        raise
    await limiter.check_key(principal.key_id)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def limit_heavy(state: StateDep, principal: PrincipalDep) -> None:
    """PRIVSIM_RATE_LIMIT_HEAVY: the routes that start heavy work (uploads, builds,
    solves) count once more, in their own windows, after the key's own limit."""
    if state.limiter is not None and state.limiter.heavy:
        await state.limiter.check_heavy(principal.key_id)


# on a route decorator: ``dependencies=[HeavyLimit]``
HeavyLimit = Depends(limit_heavy)

# ?after=&limit= of the lists keyed by UUID (datasets, structures, keys): an opaque cursor
AfterQuery = Annotated[str | None, Query(
    min_length=1, max_length=200,
    description="next_after of the previous page (omit for the first page)")]
LimitQuery = Annotated[int, Query(ge=1, le=MAX_PAGE, description="at most this many items")]
