"""Per-key rate limits (``PRIVSIM_RATE_LIMIT``; ``PRIVSIM_RATE_LIMIT_HEAVY`` for the
operations that start heavy work), and a limit on failed authentications per client
address (``PRIVSIM_RATE_LIMIT_AUTH_FAILURES``), counted with the ``limits`` library.

All are off unless set. When on, each authenticated request counts once against its
key's windows (``check_key``, called by ``app.api.deps.get_principal`` and by the query
fast lane), an upload, build or solve once more against its heavy-work windows
(``check_heavy``, the routes' ``HeavyLimit`` dependency), and a request over a window is
refused with 429 ``rate-limited`` and ``Retry-After``. A request that fails
authentication never counts against a key; it counts against its client address, whose
requests with a key not seen recently are refused with 429 while the address is over its
limit (a key already authenticated by this process is never held up by the failures of
others at the same address).

The counts live in ``PRIVSIM_RATE_LIMIT_STORAGE``: ``memory://`` (the default) keeps
them in the API process, so each process of several counts on its own; a
``redis://`` URL shares them between every process that names the same server. The
in-memory storage is called directly (microseconds, no I/O); any other storage through
``limits``' asyncio API, so a round trip to Redis never blocks the event loop. When that
storage cannot be reached, requests are let through and an error is logged (at most
every 10 s): the limit protects the service and must not take it down.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from limits import RateLimitItem, parse_many
from limits import strategies as sync_strategies
from limits.aio import strategies as async_strategies
from limits.aio.storage import Storage as AsyncStorage
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from prometheus_client import Counter

from app.errors import RateLimited

__all__ = ["RateLimiter", "Strategy", "describe", "parse_limits"]

logger = logging.getLogger(__name__)

Strategy = Literal["fixed-window", "moving-window", "sliding-window-counter"]

_SYNC: dict[str, type[sync_strategies.RateLimiter]] = {
    "fixed-window": sync_strategies.FixedWindowRateLimiter,
    "moving-window": sync_strategies.MovingWindowRateLimiter,
    "sliding-window-counter": sync_strategies.SlidingWindowCounterRateLimiter}
_ASYNC: dict[str, type[async_strategies.RateLimiter]] = {
    "fixed-window": async_strategies.FixedWindowRateLimiter,
    "moving-window": async_strategies.MovingWindowRateLimiter,
    "sliding-window-counter": async_strategies.SlidingWindowCounterRateLimiter}
_PREFIX = "privsim"


def parse_limits(text: str | None) -> tuple[RateLimitItem, ...]:
    """``"100/second;5000/minute"`` as ``limits`` items; empty or None: no limit."""
    if text is None or not text.strip():
        return ()
    return tuple(parse_many(text))


def describe(item: RateLimitItem) -> str:
    """``3 per 1 second``: a limit in words, for details and descriptions."""
    unit = item.GRANULARITY.name
    return f"{item.amount} per {item.multiples} {unit}{'s' if item.multiples != 1 else ''}"


@dataclass(frozen=True, slots=True)
class _Refusal:
    item: RateLimitItem
    retry_after: int


class RateLimiter:
    """The windows of every key (and of failed authentications per address)."""

    def __init__(self, per_key: Sequence[RateLimitItem], *,
                 heavy: Sequence[RateLimitItem] = (),
                 auth_failures: Sequence[RateLimitItem] = (), storage_url: str = "memory://",
                 strategy: Strategy = "fixed-window", rejected: Counter | None = None) -> None:
        self.per_key = tuple(per_key)
        self.heavy = tuple(heavy)
        self.auth_failures = tuple(auth_failures)
        self._rejected = rejected
        self._sync: sync_strategies.RateLimiter | None = None
        self._async: async_strategies.RateLimiter | None = None
        self._storage: AsyncStorage | None = None
        self._warned = -math.inf
        if storage_url.startswith("memory://"):
            self._sync = _SYNC[strategy](MemoryStorage())
        else:
            url = storage_url if storage_url.startswith("async+") else "async+" + storage_url
            # redis-py's asyncio client (the package 'redis'), not limits' default coredis
            storage = storage_from_string(url, implementation="redispy", wrap_exceptions=True)
            if not isinstance(storage, AsyncStorage):  # an async+ scheme gives one
                raise ValueError("PRIVSIM_RATE_LIMIT_STORAGE has no asyncio storage")
            self._storage = storage
            self._async = _ASYNC[strategy](storage)

    async def aclose(self) -> None:
        """Close the storage's connections (Redis), in the event loop that opened them;
        ``limits`` has no call for it, so the redis-py client under it is closed."""
        client = getattr(getattr(self._storage, "bridge", None), "storage", None)
        close = getattr(client, "aclose", None)
        if close is not None:
            await close()

    async def check_key(self, key_id: UUID) -> None:
        """Count one request of ``key_id``; RateLimited if a window is full."""
        refusal = await self._hit(self.per_key, ("key", str(key_id)))
        if refusal is not None:
            self._refuse("key", refusal, "this API key")

    async def check_heavy(self, key_id: UUID) -> None:
        """Count one request of ``key_id`` that starts heavy work (an upload, a build, a
        solve); RateLimited if one of those windows is full."""
        refusal = await self._hit(self.heavy, ("heavy", str(key_id)))
        if refusal is not None:
            self._refuse("heavy", refusal, "this API key's uploads, builds and solves")

    async def check_address(self, address: str) -> None:
        """RateLimited while ``address`` is over its failed-authentication windows
        (counts nothing)."""
        ids = ("auth-failures", address)
        for item in self.auth_failures:
            if not await self._test(item, ids):
                self._refuse("auth-failures", _Refusal(item, await self._retry_after(item, ids)),
                             "failed authentications from this address")

    async def record_failure(self, address: str) -> None:
        """Count one failed authentication from ``address``."""
        await self._hit(self.auth_failures, ("auth-failures", address))

    async def _hit(self, items: Sequence[RateLimitItem],
                   ids: tuple[str, str]) -> _Refusal | None:
        # in the order given: a request refused by one window is not counted by the next
        for item in items:
            if self._sync is not None:
                allowed = self._sync.hit(item, _PREFIX, *ids)
            else:
                try:
                    allowed = await self._strategy().hit(item, _PREFIX, *ids)
                except StorageError as exc:
                    self._unavailable(exc)
                    return None
            if not allowed:
                return _Refusal(item, await self._retry_after(item, ids))
        return None

    async def _test(self, item: RateLimitItem, ids: tuple[str, str]) -> bool:
        if self._sync is not None:
            return self._sync.test(item, _PREFIX, *ids)
        try:
            return await self._strategy().test(item, _PREFIX, *ids)
        except StorageError as exc:
            self._unavailable(exc)
            return True

    def _unavailable(self, exc: StorageError) -> None:
        """An unreachable storage lets requests through (a limit protects the service;
        it must not take it down): logged, at most once every 10 seconds."""
        now = time.monotonic()
        if now - self._warned >= 10:
            self._warned = now
            logger.error("rate-limit storage unavailable, requests are not limited: %s",
                         type(exc.storage_error).__name__)

    async def _retry_after(self, item: RateLimitItem, ids: tuple[str, str]) -> int:
        """Whole seconds until the window lets a request through again (at least 1)."""
        if self._sync is not None:
            stats = self._sync.get_window_stats(item, _PREFIX, *ids)
        else:
            try:
                stats = await self._strategy().get_window_stats(item, _PREFIX, *ids)
            except StorageError:
                return max(1, math.ceil(item.get_expiry()))  # the whole window, to be safe
        return max(1, math.ceil(stats.reset_time - time.time()))

    def _strategy(self) -> async_strategies.RateLimiter:
        if self._async is None:  # only a memory:// limiter has none, and never calls this
            raise RuntimeError("no asyncio storage")
        return self._async

    def _refuse(self, kind: str, refusal: _Refusal, what: str) -> None:
        if self._rejected is not None:
            self._rejected.labels(kind=kind).inc()
        item, seconds = refusal.item, refusal.retry_after
        window = item.get_expiry()
        raise RateLimited(
            f"too many requests: {what} is limited to {describe(item)}; retry after "
            f"{seconds} s", retry_after=seconds,
            headers={"Retry-After": str(seconds), "RateLimit-Limit": str(item.amount),
                     "RateLimit-Remaining": "0", "RateLimit-Reset": str(seconds),
                     "RateLimit-Policy": f"{item.amount};w={window}"})
