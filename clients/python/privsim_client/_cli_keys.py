"""``privsim config``, ``privsim login`` and the remote half of ``privsim keys`` (an
admin's keys over the API; the service adds ``keys create``, on its own database)."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from privsim_client._cli_client import client, options
from privsim_client._cli_config import (
    KEY_ENV,
    URL_ENV,
    ConfigError,
    config_path,
    mask,
    read_config,
    resolve,
    write_config,
)
from privsim_client._cli_output import JsonFlag, as_dict, err, handled, out, print_json, table
from privsim_client.client import Client

keys_app = typer.Typer(help="API keys: add, list and revoke them over the API (an admin "
                       "key); `keys create` writes one to the service's own database",
                       no_args_is_help=True)
config_app = typer.Typer(help="The config file: the server URL and API key to use",
                         no_args_is_help=True)


ROLES = ("admin", "owner", "analyst")


@keys_app.command("add")
@handled
def keys_add(
    ctx: typer.Context,
    role: Annotated[str, typer.Option(help="admin, owner or analyst")],
    name: Annotated[str, typer.Option(help="a label for the key")],
    dataset: Annotated[list[str] | None, typer.Option(
        "--dataset", "-d", help="a dataset to grant the new key (repeat for several)")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a key on the server and print it (shown once: store it now). Its id, to
    grant it datasets, goes to stderr (or use --json)."""
    if role not in ROLES:
        raise typer.BadParameter(f"must be one of {', '.join(ROLES)}", param_hint="--role")
    created = as_dict(client(ctx).create_key(role, name, dataset_ids=dataset or None))
    if as_json:
        print_json(created)
        return
    sys.stdout.write(f"{created['key']}\n")
    err.print(f"key id {created['id']} ({created['role']}, {created['name']}); the key "
              "is shown only once", markup=False, highlight=False)


@keys_app.command("list")
@handled
def keys_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Every key (revoked ones too), oldest first; never the keys themselves."""
    keys = [as_dict(k) for k in client(ctx).list_keys()]
    if as_json:
        print_json(keys)
        return
    out.print(table(None, ["id", "name", "role", "created", "revoked"],
                    [[k["id"], k["name"], k["role"], k.get("created_at"), k.get("revoked_at")]
                     for k in keys]))


@keys_app.command("whoami")
@handled
def keys_whoami(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """The key in use: its id, name and role (any key)."""
    me = as_dict(client(ctx).whoami())
    if as_json:
        print_json(me)
        return
    out.print(table(None, ["id", "name", "role"], [[me["id"], me["name"], me["role"]]]))


@keys_app.command("revoke")
@handled
def keys_revoke(
    ctx: typer.Context,
    key_id: Annotated[str, typer.Argument(metavar="KEY_ID",
                                          help="the key's id (from `keys list`)")],
) -> None:
    """Revoke a key: the server refuses it from now on."""
    client(ctx).revoke_key(key_id)
    err.print(f"revoked key {key_id}", markup=False, highlight=False)


@config_app.command("set-url")
@handled
def config_set_url(url: Annotated[str, typer.Argument(metavar="URL", help="e.g. http://127.0.0.1:8000")],
                   ) -> None:
    """Store the server URL in the config file."""
    path = write_config({"url": url.rstrip("/")})
    err.print(f"server URL stored in {path}", markup=False, highlight=False)


def _read_key(key: str | None) -> str:
    if key is None or key == "-":
        if sys.stdin.isatty():
            key = typer.prompt("API key", hide_input=True)
        else:
            key = sys.stdin.readline()
    key = key.strip()
    if not key:
        raise ConfigError("no key given")
    return key


@config_app.command("set-key")
@handled
def config_set_key(key: Annotated[str | None, typer.Argument(
        metavar="[KEY]", help="the key; better left out: it is then prompted for, or read "
        "from stdin, and stays out of the shell history and the process list")] = None) -> None:
    """Store the API key in the config file (readable by its owner only)."""
    path = write_config({"key": _read_key(key)})
    err.print(f"API key stored in {path}", markup=False, highlight=False)


@config_app.command("show")
@handled
def config_show(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """The settings in effect and where each comes from (the key masked)."""
    given, stored = options(ctx), read_config()
    shown: dict[str, dict[str, str | None]] = {}
    for name, flag, env in (("url", given.url, URL_ENV), ("key", given.key, KEY_ENV)):
        if flag:
            value, source = flag, f"--{name}"
        elif os.environ.get(env):
            value, source = os.environ[env], env
        elif stored.get(name):
            value, source = stored[name], str(config_path())
        else:
            value, source = None, None
        if name == "key" and value:
            value = mask(value)
        shown[name] = {"value": value, "source": source}
    if as_json:
        print_json(shown | {"config_file": str(config_path())})
        return
    out.print(table(f"config file: {config_path()}", ["setting", "value", "from"],
                    [[name, entry["value"], entry["source"]] for name, entry in shown.items()]))


@config_app.command("path")
def config_show_path() -> None:
    """Print the config file's path (PRIVSIM_CONFIG, or the default)."""
    sys.stdout.write(f"{config_path()}\n")


@handled
def login(
    ctx: typer.Context,
    url: Annotated[str | None, typer.Option(help="the server URL (prompted if not given)")]
    = None,
) -> None:
    """Check a server URL and key, then store them in the config file. The key is
    prompted for (or read from stdin), never taken from the command line."""
    given = options(ctx)
    url = url or given.url or typer.prompt("Server URL")
    key = _read_key(given.key)
    connection = resolve(url, key, given.timeout)
    with Client(connection.url, connection.key, timeout=connection.timeout,
                max_retries=1) as api:
        me = api.whoami()  # any key may ask who it is
    path = write_config({"url": connection.url, "key": connection.key})
    err.print(f"logged in to {connection.url} as {me.name!r} ({me.role}); settings stored "
              f"in {path}", markup=False, highlight=False)
