"""The ``privsim`` command: serve, worker, migrate, keys create, import-parquet."""

from __future__ import annotations

import enum
import json
import logging
import signal
import sys
from types import FrameType
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import typer

from app.domain import Role

if TYPE_CHECKING:
    from app.settings import Settings

# The service's modules are imported inside each command: this module is loaded by every
# run of the ``privsim`` command (entry-point group ``privsim.cli``), client commands
# included, which should not pay for importing the whole service.

cli = typer.Typer(help="privsim: differentially private similarity structures as a service",
                  no_args_is_help=True, add_completion=False)
keys_cli = typer.Typer(help="Manage API keys", no_args_is_help=True)
cli.add_typer(keys_cli, name="keys")
logger = logging.getLogger("app.cli")


def get_settings() -> Settings:
    """The service's settings, imported on first use (tests replace this function)."""
    from app.settings import get_settings as settings

    return settings()


@cli.command()
def migrate() -> None:
    """Apply every database migration (idempotent)."""
    from app.db.migrate import upgrade
    from app.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    upgrade(settings.resolved_database_url)
    typer.echo("database migrated to head", err=True)


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="bind address (PRIVSIM_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (PRIVSIM_PORT)")] = None,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate",
                                                help="apply migrations first")] = True,
) -> None:
    """Run the API (and the in-process workers) with uvicorn."""
    import uvicorn

    from app.db.migrate import upgrade
    from app.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    if migrate_first:
        upgrade(settings.resolved_database_url)
    uvicorn.run("app.main:create_app", factory=True, host=host or settings.host,
                port=port or settings.port, log_config=None, proxy_headers=True)


class JobsOption(enum.StrEnum):
    ALL = "all"
    BUILDS = "builds"
    SOLVES = "solves"


@cli.command()
def worker(
    jobs: Annotated[JobsOption, typer.Option(
        help="the jobs it takes: all, builds or solves")] = JobsOption.ALL,
) -> None:
    """Run a worker (one job at a time) until SIGINT/SIGTERM; the job in hand is
    requeued. Run several for parallel jobs; ``--jobs solves`` keeps long solves apart
    from builds."""
    from app.bootstrap import build_worker, cipher_of, open_database
    from app.logging import configure_logging
    from app.workers.worker import BUILD_KINDS, SOLVE_KINDS, JobKinds

    kinds: dict[JobsOption, JobKinds] = {
        JobsOption.ALL: None, JobsOption.BUILDS: BUILD_KINDS, JobsOption.SOLVES: SOLVE_KINDS}
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    database = open_database(settings, pool="worker")
    database.check_at_head()
    instance = build_worker(settings, database.uow, cipher_of(settings), kinds=kinds[jobs])

    def _stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("signal %s: stopping", signum)
        instance.stop_event.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    instance.run()
    database.dispose()


@keys_cli.command("create")
def keys_create(
    role: Annotated[Role, typer.Option(help="admin, owner or analyst")],
    name: Annotated[str, typer.Option(help="a label for the key")] = "cli",
) -> None:
    """Create an API key in the local database (no server needed); print it once."""
    from app.bootstrap import open_database
    from app.services.access import create_key

    settings = get_settings()
    database = open_database(settings, pool="tool")
    database.check_at_head()
    new = create_key(database.uow, role=role, name=name)
    database.dispose()
    sys.stdout.write(new.token + "\n")


@cli.command("import-parquet")
def import_parquet_command(
    dataset_id: Annotated[UUID, typer.Argument(help="the dataset to append to")],
    source: Annotated[str, typer.Argument(
        help="a Parquet file, a directory of them, or a glob (quote it), on this machine")],
    api_key: Annotated[str, typer.Option(
        envvar="PRIVSIM_API_KEY", show_default=False,
        help="an owner or admin key of the dataset (from the environment, so that it "
        "stays out of the process list)")],
) -> None:
    """Append the rows of large Parquet files, a batch at a time (never the whole file
    in memory), each batch checked and stored exactly as an upload of it would be.
    Nothing is stored unless every batch passes; prints the counts as JSON."""
    from app.bootstrap import cipher_of, open_database
    from app.errors import AppError
    from app.logging import configure_logging
    from app.services.access import authenticate
    from app.services.ingest import UploadLimits
    from app.services.parquet_import import import_parquet

    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    database = open_database(settings, pool="tool")
    database.check_at_head()
    try:
        principal = authenticate(database.uow, api_key)
        result = import_parquet(
            database.uow, principal, dataset_id, source, cipher=cipher_of(settings),
            chunk_rows=settings.chunk_rows,
            limits=UploadLimits(settings.max_upload_rows, settings.max_upload_decoded_bytes))
    except AppError as exc:
        typer.echo(f"import failed: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    finally:
        database.dispose()
    sys.stdout.write(json.dumps({"files": result.files, "batches": result.batches,
                                 "accepted": result.accepted, "clipped": result.clipped,
                                 "rejected": result.rejected}) + "\n")


def register(root: typer.Typer) -> None:
    """Add the service's commands to the ``privsim`` command (the client's, entry-point
    group ``privsim.cli``). A group the root already has (``keys``: the client manages
    keys over the API) receives the service's commands instead of being replaced."""
    merge(root, cli)


def merge(root: typer.Typer, extra: typer.Typer) -> None:
    """Add ``extra``'s commands and groups to ``root``; groups of the same name are merged
    (recursively), and a command of the same name as one of ``root``'s is refused."""
    taken = {_command_name(command) for command in root.registered_commands}
    for command in extra.registered_commands:
        name = _command_name(command)
        if name in taken:
            raise ValueError(f"the command {name!r} is defined twice")
        root.registered_commands.append(command)
    groups = {group.name: group for group in root.registered_groups if group.name}
    for group in extra.registered_groups:
        same = groups.get(group.name) if group.name else None
        if same is None or same.typer_instance is None or group.typer_instance is None:
            root.registered_groups.append(group)
        else:
            merge(same.typer_instance, group.typer_instance)


def _command_name(command: typer.models.CommandInfo) -> str | None:
    """The name Typer gives a command: its own, or its function's with dashes."""
    if command.name:
        return command.name
    return command.callback.__name__.replace("_", "-") if command.callback else None


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
