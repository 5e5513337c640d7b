"""The ``privsim`` command's connection: the global options, and the client built from
them (``privsim_client.client.Client``)."""

from __future__ import annotations

from dataclasses import dataclass

import typer

from privsim_client._cli_config import resolve
from privsim_client.client import Client


@dataclass(frozen=True, slots=True)
class GlobalOptions:
    url: str | None = None
    key: str | None = None
    timeout: float = 60.0


def options(ctx: typer.Context) -> GlobalOptions:
    found = ctx.find_root().obj
    return found if isinstance(found, GlobalOptions) else GlobalOptions()


def client(ctx: typer.Context) -> Client:
    """A client for the server and key the settings name (option > env > config file)."""
    given = options(ctx)
    connection = resolve(given.url, given.key, given.timeout)
    return Client(connection.url, connection.key, timeout=connection.timeout, max_retries=2)
