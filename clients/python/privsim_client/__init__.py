"""privsim's Python client: ``Client`` for the HTTP API (NumPy in and out),
``privsim_client.offline.load_release`` for exported structures, and the errors.

The names are imported on first use, so ``privsim --help`` does not pay for NumPy,
httpx and the generated models.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from privsim_client.client import Client, QueryResult
    from privsim_client.errors import (
        ApiError,
        JobFailed,
        PrivsimError,
        ProblemError,
        WaitTimeout,
    )

__all__ = ["ApiError", "Client", "JobFailed", "PrivsimError", "ProblemError", "QueryResult",
           "WaitTimeout"]

_HOMES = {"Client": "client", "QueryResult": "client", "ApiError": "errors",
          "JobFailed": "errors", "PrivsimError": "errors", "ProblemError": "errors",
          "WaitTimeout": "errors"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'privsim_client' has no attribute {name!r}")
    value = getattr(import_module(f"privsim_client.{home}"), name)
    globals()[name] = value
    return value
