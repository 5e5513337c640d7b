"""The ``privsim`` command. Other installed packages add commands through the
``privsim.cli`` entry-point group: each entry is a function that takes the root Typer
app (the service adds serve, worker, migrate, keys create and import-parquet; a group
it shares with the client, ``keys``, is merged). The client's own commands talk to a
server over HTTP; docs/cli.md describes them."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Annotated

import typer

from privsim_client import _cli_datasets as datasets
from privsim_client import _cli_keys as keys
from privsim_client import _cli_structures as structures
from privsim_client._cli_client import GlobalOptions
from privsim_client._cli_output import err

app = typer.Typer(help="privsim: differentially private similarity structures as a service",
                  no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False, rich_markup_mode=None)


@app.callback()
def _connection(
    ctx: typer.Context,
    url: Annotated[str | None, typer.Option(
        help="the server's URL; else PRIVSIM_URL, else the config file", show_default=False)]
    = None,
    key: Annotated[str | None, typer.Option(
        help="the API key; better PRIVSIM_API_KEY or the config file (`privsim config "
        "set-key`), which keep it out of the process list", show_default=False)] = None,
    timeout: Annotated[float, typer.Option(help="seconds to wait for each answer")] = 60.0,
) -> None:
    """privsim: differentially private similarity structures as a service."""
    ctx.obj = GlobalOptions(url, key, timeout)


app.add_typer(datasets.datasets_app, name="datasets")
app.command("upload")(datasets.upload)
app.command("grant")(datasets.grant)
app.command("budget")(datasets.budget)
app.command("ledger")(datasets.ledger)
app.command("audit")(datasets.audit)
app.command("kinds")(structures.kinds)
app.command("estimate")(structures.estimate)
app.command("build")(structures.build)
app.add_typer(structures.jobs_app, name="jobs")
app.add_typer(structures.structures_app, name="structures")
app.command("query")(structures.query)
app.command("export")(structures.export)
app.add_typer(keys.keys_app, name="keys")
app.add_typer(keys.config_app, name="config")
app.command("login")(keys.login)


def load_plugins(root: typer.Typer) -> None:
    """Let every installed ``privsim.cli`` entry point add its commands. One that fails
    is reported in a line on stderr and left out; the other commands still work."""
    for entry in entry_points(group="privsim.cli"):
        try:
            entry.load()(root)
        except Exception as exc:  # a broken plugin must not take the client's commands down
            err.print(f"warning: the commands of {entry.name} ({entry.value}) are not "
                      f"available: {type(exc).__name__}: {exc}", markup=False, highlight=False)


def main() -> None:
    load_plugins(app)
    app()


if __name__ == "__main__":
    main()
