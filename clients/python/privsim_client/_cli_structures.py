"""Structures: the kinds, estimate and build (with a live progress bar), jobs, and the
analyst's commands: list, show, query a file of points into a file, export."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from privsim_client._cli_client import client
from privsim_client._cli_files import (
    ANSWER_SUFFIXES,
    POINT_SUFFIXES,
    read_points,
    write_answers,
)
from privsim_client._cli_output import (
    DatasetArg,
    ExitCode,
    JsonFlag,
    OutputFileError,
    as_dict,
    err,
    fail,
    fields_table,
    fmt,
    handled,
    out,
    print_json,
    table,
)

StructureArg = Annotated[str, typer.Argument(metavar="STRUCTURE", help="the structure's id",
                                              show_default=False)]
KindArg = Annotated[str, typer.Argument(
    metavar="KIND", help="the structure kind, e.g. gaussian_kde (`privsim kinds` lists them)",
    show_default=False)]
ParamOpt = Annotated[list[str] | None, typer.Option(
    "--param", "-p", metavar="NAME=VALUE",
    help="a parameter of the kind, e.g. -p bandwidth=0.5 (repeat; values are read as JSON, "
    "else as strings)", show_default=False)]
ParamsOpt = Annotated[str | None, typer.Option(
    "--params", metavar="JSON", help='all parameters as a JSON object, e.g. \'{"bandwidth": '
    '0.5}\' (-p entries are added to it)', show_default=False)]
EpsilonOpt = Annotated[float, typer.Option(help="the epsilon to spend", show_default=False)]
DeltaOpt = Annotated[float | None, typer.Option(
    help="the delta to spend (the Gaussian mechanism needs one)", show_default=False)]

structures_app = typer.Typer(help="Structures: list and show them", no_args_is_help=True)
jobs_app = typer.Typer(help="Build jobs: show one, or wait for it to end",
                       no_args_is_help=True)


def parse_params(pairs: list[str] | None, document: str | None) -> dict[str, Any] | None:
    params: dict[str, Any] = {}
    if document is not None:
        try:
            parsed = json.loads(document)
        except ValueError as exc:
            raise typer.BadParameter(f"not JSON: {exc}", param_hint="--params") from exc
        if not isinstance(parsed, dict):
            raise typer.BadParameter("must be a JSON object", param_hint="--params")
        params.update(parsed)
    for pair in pairs or []:
        name, sep, raw = pair.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--param")
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        params[name.strip()] = value
    return params if params or document is not None else None


def _privacy(epsilon: float, delta: float | None) -> dict[str, float]:
    return {"epsilon": epsilon} | ({"delta": delta} if delta is not None else {})


def _warn(warnings: Any) -> None:
    for warning in warnings or []:
        err.print(f"warning: {warning}", markup=False, highlight=False)


@handled
def kinds(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """The structure kinds the server builds, with their parameters (* = required)."""
    catalog = [as_dict(k) for k in client(ctx).kernels()]
    if as_json:
        print_json(catalog)
        return
    rows = []
    for kind in catalog:
        names = [p["name"] + ("*" if p.get("required") else "") for p in kind.get("params", [])]
        rows.append([kind["kind"], kind.get("title"), " ".join(names),
                     kind.get("mechanisms"), kind.get("example_params")])
    out.print(table(None, ["kind", "title", "params", "mechanisms", "example"], rows))


@handled
def estimate(ctx: typer.Context, dataset_id: DatasetArg, kind: KindArg,
             epsilon: EpsilonOpt, delta: DeltaOpt = None, param: ParamOpt = None,
             params: ParamsOpt = None, as_json: JsonFlag = False) -> None:
    """What a build would spend and how accurate it would be; nothing is spent."""
    answer = as_dict(client(ctx).estimate(dataset_id, kind, parse_params(param, params),
                                          _privacy(epsilon, delta)))
    if as_json:
        print_json(answer)
        return
    shown = {"kind": answer.get("kind"), "params": answer.get("params"),
             "affordable": answer.get("affordable"), "spend": answer.get("spend"),
             "remaining": answer.get("remaining")}
    shown |= {f"error.{k}": v for k, v in (answer.get("error") or {}).items()}
    shown |= {f"cost.{k}": v for k, v in (answer.get("cost") or {}).items()}
    shown |= {"minimum_rows": answer.get("minimum_rows"), "size_bytes": answer.get("size_bytes")}
    out.print(fields_table(f"estimate: {kind} on dataset {dataset_id}", shown))
    _warn(answer.get("warnings"))


def follow(api: Any, job_id: str, *, timeout: float | None,
           poll_seconds: float = 0.5) -> dict[str, Any]:
    """Wait for a job with a live progress bar on stderr; its last state."""
    columns = (TextColumn("job {task.fields[status]:<9}"), BarColumn(), TaskProgressColumn(),
               TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, transient=False) as bar:
            task = bar.add_task("build", total=1.0, status="queued")

            def show(job: Any) -> None:
                state = as_dict(job)
                done = 1.0 if state["status"] == "succeeded" else state.get("progress") or 0.0
                bar.update(task, completed=done, status=state["status"])

            return as_dict(api.wait(job_id, progress=show, poll_seconds=poll_seconds,
                                    timeout=timeout))
    except KeyboardInterrupt:
        fail(f"stopped waiting; the job goes on (`privsim jobs wait {job_id}`)",
             ExitCode.INTERRUPTED)


@handled
def build(
    ctx: typer.Context, dataset_id: DatasetArg, kind: KindArg, epsilon: EpsilonOpt,
    delta: DeltaOpt = None, param: ParamOpt = None, params: ParamsOpt = None,
    wait: Annotated[bool, typer.Option(
        "--wait/--no-wait", help="follow the build to its end with a progress bar")] = True,
    max_wait: Annotated[float | None, typer.Option(
        help="stop waiting after this many seconds (the build goes on)",
        show_default=False)] = None,
    as_json: JsonFlag = False,
) -> None:
    """Spend budget on a structure and follow its build. Prints the structure's id (with
    --no-wait, at once; the job's id goes to stderr)."""
    api = client(ctx)
    accepted = as_dict(api.build(dataset_id, kind, parse_params(param, params),
                                 _privacy(epsilon, delta)))
    _warn(accepted.get("warnings"))
    err.print(f"structure {accepted['structure_id']}, job {accepted['job_id']}",
              markup=False, highlight=False)
    if wait:
        accepted["job"] = follow(api, str(accepted["job_id"]), timeout=max_wait)
    if as_json:
        print_json(accepted)
    else:
        sys.stdout.write(f"{accepted['structure_id']}\n")


def _job_fields(job: dict[str, Any]) -> dict[str, Any]:
    return {k: job.get(k) for k in ("id", "kind", "status", "progress", "structure_id",
                                    "dataset_id", "error", "attempts", "created_at",
                                    "updated_at", "finished_at")}


@jobs_app.command("show")
@handled
def jobs_show(ctx: typer.Context, job_id: Annotated[str, typer.Argument(
        metavar="JOB", help="the job's id", show_default=False)],
              as_json: JsonFlag = False) -> None:
    """A job's status and progress (admins and the dataset's owner)."""
    job = as_dict(client(ctx).job(job_id))
    if as_json:
        print_json(job)
        return
    out.print(fields_table(f"job {job_id}", _job_fields(job)))


@jobs_app.command("wait")
@handled
def jobs_wait(
    ctx: typer.Context,
    job_id: Annotated[str, typer.Argument(metavar="JOB", help="the job's id",
                                          show_default=False)],
    max_wait: Annotated[float | None, typer.Option(
        help="stop waiting after this many seconds", show_default=False)] = None,
    as_json: JsonFlag = False,
) -> None:
    """Follow a job with a progress bar until it ends (exit 1 if it failed)."""
    job = follow(client(ctx), job_id, timeout=max_wait)
    if as_json:
        print_json(job)
    else:
        err.print(f"job {job_id}: {job.get('status')}", markup=False, highlight=False)


@structures_app.command("list")
@handled
def structures_list(
    ctx: typer.Context,
    dataset: Annotated[str | None, typer.Option(
        "--dataset", "-d", help="only this dataset's", show_default=False)] = None,
    as_json: JsonFlag = False,
) -> None:
    """The structures the key can read, oldest first."""
    found = [as_dict(s) for s in client(ctx).list_structures(dataset)]
    if as_json:
        print_json(found)
        return
    out.print(table(None, ["id", "dataset", "kind", "status", "epsilon", "delta", "bytes",
                           "created"],
                    [[s["id"], s.get("dataset_id"), s.get("kind"), s.get("status"),
                      (s.get("privacy") or {}).get("epsilon"),
                      (s.get("privacy") or {}).get("delta"), s.get("size_bytes"),
                      s.get("created_at")] for s in found]))


@structures_app.command("show")
@handled
def structures_show(ctx: typer.Context, structure_id: StructureArg,
                    as_json: JsonFlag = False) -> None:
    """One structure: its parameters, status, noise plan and error model."""
    found = as_dict(client(ctx).get_structure(structure_id))
    if as_json:
        print_json(found)
        return
    privacy = dict(found.get("privacy") or {})
    statistics = privacy.pop("statistics", None) or []
    shown = {k: v for k, v in found.items() if k not in ("privacy", "error_model")}
    shown |= {f"privacy.{k}": v for k, v in privacy.items()}
    shown |= {f"error_model.{k}": v for k, v in (found.get("error_model") or {}).items()}
    out.print(fields_table(f"structure {structure_id}", shown))
    if statistics:
        columns = ["statistic", "size", "mechanism", "sensitivity", "noise_scale"]
        out.print(table("noise plan", columns,
                        [[s.get(c) for c in columns] for s in statistics]))


@handled
def query(
    ctx: typer.Context, structure_id: StructureArg,
    points: Annotated[Path, typer.Argument(
        metavar="POINTS", help="the points: a .npy (q, dim) array, a .csv table or a .json "
        'list of lists (or {"points": ...})', exists=True, dir_okay=False, readable=True,
        show_default=False)],
    output: Annotated[str, typer.Argument(
        metavar="OUT", help="where the answers go: .npy (a (q, 3) array), .csv or .json, "
        "columns value, std, approximation_std; - prints JSON", show_default=False)],
    reduce: Annotated[str, typer.Option(help="sum (the default) or mean")] = "sum",
) -> None:
    """Answer a file of points and write the answers to a file (no budget is spent)."""
    if reduce not in ("sum", "mean"):
        raise typer.BadParameter("sum or mean", param_hint="--reduce")
    if points.suffix.lower() not in POINT_SUFFIXES:
        raise typer.BadParameter(f"the points are read from {', '.join(POINT_SUFFIXES)}",
                                 param_hint="POINTS")
    target = None if output == "-" else Path(output)
    if target is not None and target.suffix.lower() not in ANSWER_SUFFIXES:
        raise typer.BadParameter(f"the answers are written as {', '.join(ANSWER_SUFFIXES)}",
                                 param_hint="OUT")
    array = read_points(points)
    answer = client(ctx).query(structure_id, array, reduce)
    write_answers(target, reduce, answer.values, answer.std, answer.approximation_std)
    if target is not None:
        err.print(f"{len(answer.values)} answers ({reduce}) written to {target}",
                  markup=False, highlight=False)


@handled
def export(
    ctx: typer.Context, structure_id: StructureArg,
    path: Annotated[Path, typer.Argument(
        metavar="[PATH]",
        help="a file, or a directory for the server's file name (<kind>-<id>.privsim)")]
    = Path(),
) -> None:
    """Save a structure's release file (a DP release: shareable, queried offline with
    ``core.structures.load_release``). Prints the file's path."""
    try:
        saved = client(ctx).export(structure_id, path)
    except OSError as exc:
        raise OutputFileError(f"cannot write {path}: {exc.strerror or exc}") from exc
    sys.stdout.write(f"{saved}\n")
    err.print(f"saved {fmt(saved.stat().st_size)} bytes", markup=False, highlight=False)
