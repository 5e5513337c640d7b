"""The data owner's commands: datasets, upload, grant, and the budget, ledger and audit
log of a dataset."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from privsim_client._cli_client import client
from privsim_client._cli_files import UPLOAD_TYPES, upload_type
from privsim_client._cli_output import (
    DatasetArg,
    JsonFlag,
    as_dict,
    err,
    fields_table,
    fmt,
    handled,
    out,
    print_json,
    table,
)

datasets_app = typer.Typer(help="Datasets: create, list, show and delete them",
                           no_args_is_help=True)


def _domain(radius: float | None, low: float | None, high: float | None,
            domain: str | None) -> dict[str, Any]:
    given = sum(x is not None for x in (radius, domain)) + (low is not None or high is not None)
    if given != 1:
        raise typer.BadParameter("give exactly one of --radius, --low/--high or --domain",
                                 param_hint="domain")
    if radius is not None:
        return {"type": "l2_ball", "radius": radius}
    if domain is not None:
        try:
            parsed = json.loads(domain)
        except ValueError as exc:
            raise typer.BadParameter(f"not JSON: {exc}", param_hint="--domain") from exc
        if not isinstance(parsed, dict):
            raise typer.BadParameter("must be a JSON object", param_hint="--domain")
        return parsed
    if low is None or high is None:
        raise typer.BadParameter("a box needs both --low and --high", param_hint="domain")
    return {"type": "box", "low": low, "high": high}


@datasets_app.command("create")
@handled
def datasets_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="a name for the dataset",
                                        show_default=False)],
    dim: Annotated[int, typer.Option(help="the rows' dimension", show_default=False)],
    epsilon: Annotated[float, typer.Option(help="the total privacy budget's epsilon",
                                           show_default=False)],
    delta: Annotated[float, typer.Option(help="the total budget's delta")] = 0.0,
    radius: Annotated[float | None, typer.Option(
        help="domain: the l2 ball of this radius", show_default=False)] = None,
    low: Annotated[float | None, typer.Option(
        help="domain: a box, this lower bound on every coordinate", show_default=False)] = None,
    high: Annotated[float | None, typer.Option(
        help="domain: a box, this upper bound on every coordinate", show_default=False)] = None,
    domain: Annotated[str | None, typer.Option(
        help='domain as JSON, e.g. \'{"type": "box", "low": [0, -1], "high": [1, 1]}\'',
        show_default=False)] = None,
    neighbouring: Annotated[str | None, typer.Option(
        help="add_remove (the server's default) or replace_one", show_default=False)] = None,
    on_out_of_domain: Annotated[str | None, typer.Option(
        help="clip (default) or reject rows outside the domain", show_default=False)] = None,
    accounting: Annotated[str | None, typer.Option(
        help="basic (default) or zcdp", show_default=False)] = None,
    classes: Annotated[str | None, typer.Option(
        help="a classifier's labels, comma-separated integers, e.g. 0,1,2",
        show_default=False)] = None,
    label_range: Annotated[tuple[float, float] | None, typer.Option(
        help="a regressor's label range: LO HI", show_default=False)] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a dataset and print its id (the key used becomes its owner)."""
    extra: dict[str, Any] = {
        field: value for field, value in (("neighbouring", neighbouring),
                                          ("on_out_of_domain", on_out_of_domain),
                                          ("accounting", accounting)) if value is not None}
    if classes is not None:
        try:
            extra["classes"] = [int(c) for c in classes.split(",") if c.strip()]
        except ValueError as exc:
            raise typer.BadParameter("comma-separated integers",
                                     param_hint="--classes") from exc
    if label_range is not None:
        extra["label_range"] = list(label_range)
    budget = {"epsilon": epsilon, "delta": delta}
    created = as_dict(client(ctx).create_dataset(
        name, dim, _domain(radius, low, high, domain), budget, **extra))
    if as_json:
        print_json(created)
    else:
        sys.stdout.write(f"{created['id']}\n")


def _budget_cell(dataset: dict[str, Any]) -> str:
    epsilon = (dataset.get("budget") or {}).get("epsilon") or {}
    return f"{fmt(epsilon.get('remaining'))} of {fmt(epsilon.get('total'))}"


@datasets_app.command("list")
@handled
def datasets_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """The datasets the key can see (owned or granted), oldest first."""
    found = [as_dict(d) for d in client(ctx).list_datasets()]
    if as_json:
        print_json(found)
        return
    out.print(table(None, ["id", "name", "dim", "rows", "epsilon left", "created"],
                    [[d["id"], d["name"], d["dim"], d.get("row_count"), _budget_cell(d),
                      d.get("created_at")] for d in found]))


@datasets_app.command("show")
@handled
def datasets_show(ctx: typer.Context, dataset_id: DatasetArg, as_json: JsonFlag = False) -> None:
    """One dataset: its domain, relation, budget and row count (owners and admins)."""
    dataset = as_dict(client(ctx).get_dataset(dataset_id))
    if as_json:
        print_json(dataset)
        return
    shown = {k: v for k, v in dataset.items() if k != "budget"}
    out.print(fields_table(f"dataset {dataset['id']}", shown))
    out.print(_budget_table(dataset.get("budget") or {}))


@datasets_app.command("delete")
@handled
def datasets_delete(
    ctx: typer.Context, dataset_id: DatasetArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask")] = False,
) -> None:
    """Delete a dataset: its rows, structures and jobs go; its ledger and audit log stay.
    The budget spent is not returned."""
    if not yes:
        typer.confirm(f"Delete dataset {dataset_id}, its rows and every structure?",
                      abort=True, err=True)
    client(ctx).delete_dataset(dataset_id)
    err.print(f"deleted dataset {dataset_id}", markup=False, highlight=False)


@handled
def upload(
    ctx: typer.Context, dataset_id: DatasetArg,
    file: Annotated[Path, typer.Argument(
        metavar="FILE", help="rows: a .npy, .parquet or .csv file (streamed)", exists=True,
        dir_okay=False,
        readable=True, show_default=False)],
    as_json: JsonFlag = False,
) -> None:
    """Append the rows of a file to a dataset, with a progress bar of the bytes sent.
    All or nothing: the server checks every row before storing any."""
    if upload_type(file) is None:
        raise typer.BadParameter(f"{file.name}: the file must end in one of "
                                 f"{', '.join(UPLOAD_TYPES)}", param_hint="FILE")
    api = client(ctx)
    with Progress(TextColumn("uploading {task.description}"), BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), TimeRemainingColumn(), console=err,
                  transient=False) as bar:
        task = bar.add_task(file.name, total=file.stat().st_size)

        def sent(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        counts = as_dict(api.upload_file(dataset_id, file, progress=sent))
    if as_json:
        print_json(counts)
        return
    out.print(f"{counts.get('accepted')} rows accepted ({counts.get('clipped')} clipped into "
              f"the domain, {counts.get('rejected')} rejected)", markup=False, highlight=False)


@handled
def grant(
    ctx: typer.Context, dataset_id: DatasetArg,
    key_id: Annotated[str, typer.Argument(metavar="KEY_ID",
                                          help="the id of the key to grant (not the key)",
                                          show_default=False)],
) -> None:
    """Let a key read and query a dataset's structures."""
    answer = as_dict(client(ctx).grant(dataset_id, key_id))
    already = "" if answer.get("created", True) else " (it already had it)"
    err.print(f"granted key {key_id} access to dataset {dataset_id}{already}",
              markup=False, highlight=False)


def _budget_table(budget: dict[str, Any]) -> Any:
    rows = [[name, (budget.get(name) or {}).get("total"), (budget.get(name) or {}).get("spent"),
             (budget.get(name) or {}).get("remaining")] for name in ("epsilon", "delta")]
    title = "budget" + (f" ({budget['accounting']} accounting)" if budget.get("accounting")
                        else "")
    return table(title, ["", "total", "spent", "remaining"], rows)


@handled
def budget(ctx: typer.Context, dataset_id: DatasetArg, as_json: JsonFlag = False) -> None:
    """A dataset's privacy budget: total, spent and remaining."""
    found = as_dict(client(ctx).get_dataset(dataset_id)).get("budget") or {}
    if as_json:
        print_json(found)
        return
    out.print(_budget_table(found))


def _mechanism(entry: dict[str, Any]) -> str:
    mechanism = entry.get("mechanism") or {}
    if not isinstance(mechanism, dict):
        return fmt(mechanism)
    if mechanism.get("reason"):
        return f"{mechanism.get('structure_kind', '')}: {mechanism['reason']}"
    return " ".join(str(mechanism[k]) for k in ("structure_kind", "mechanism") if k in mechanism)


@handled
def ledger(ctx: typer.Context, dataset_id: DatasetArg, as_json: JsonFlag = False) -> None:
    """Every spend and refund of a dataset's budget, oldest first, and the budget now."""
    found = as_dict(client(ctx).ledger(dataset_id))
    if as_json:
        print_json(found)
        return
    entries = [as_dict(e) for e in found.get("entries") or []]
    out.print(table(f"ledger of dataset {dataset_id}",
                    ["id", "entry", "structure", "epsilon", "delta", "mechanism", "key",
                     "at"],
                    [[e.get("id"), e.get("entry"), e.get("structure_id"), e.get("epsilon"),
                      e.get("delta"), _mechanism(e), e.get("key_id"), e.get("created_at")]
                     for e in entries]))
    out.print(_budget_table(as_dict(found.get("budget") or {})))


@handled
def audit(ctx: typer.Context, dataset_id: DatasetArg, as_json: JsonFlag = False) -> None:
    """Who did what to a dataset, oldest first (never data values)."""
    found = client(ctx).audit(dataset_id)
    document = as_dict(found) if not isinstance(found, list) else {"events": found}
    if as_json:
        print_json(document)
        return
    events = [as_dict(e) for e in document.get("events") or []]
    out.print(table(f"audit log of dataset {dataset_id}",
                    ["id", "at", "action", "key", "details"],
                    [[e.get("id"), e.get("created_at"), e.get("action"), e.get("key_id"),
                      e.get("details")] for e in events]))
