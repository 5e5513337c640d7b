"""The ``privsim`` command. Other installed packages add commands through the
``privsim.cli`` entry-point group: each entry is a function that takes the root Typer
app (the service adds serve, worker, migrate, keys create and import-parquet)."""

from __future__ import annotations

from importlib.metadata import entry_points

import typer

app = typer.Typer(help="privsim: differentially private similarity structures as a service",
                  no_args_is_help=True, add_completion=False)


def load_plugins(root: typer.Typer) -> None:
    for entry in entry_points(group="privsim.cli"):
        entry.load()(root)


def main() -> None:
    load_plugins(app)
    app()


if __name__ == "__main__":
    main()
