"""What the ``privsim`` command prints, and how it ends: results on stdout (tables, or
JSON with ``--json``), progress and errors on stderr, and conventional exit codes."""

from __future__ import annotations

import enum
import functools
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Annotated, Any, NoReturn, ParamSpec, TypeVar

import httpx
import typer
from rich.console import Console
from rich.table import Table

from privsim_client._cli_config import ConfigError
from privsim_client.errors import ApiError, JobFailed, ProblemError, WaitTimeout

# the options and arguments several commands share
JsonFlag = Annotated[bool, typer.Option("--json", help="print JSON for scripts")]
DatasetArg = Annotated[str, typer.Argument(metavar="DATASET", help="the dataset's id",
                                            show_default=False)]

# Typer's own exits and usage errors (BadParameter...) go through to Typer, which prints
# usage errors with exit status 2. (Typer vendors click from 0.2x: find its base class.)
_CLICK_ERRORS = tuple(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
PASS_THROUGH: tuple[type[BaseException], ...] = (typer.Exit, typer.Abort, SystemExit,
                                                 *_CLICK_ERRORS)
P = ParamSpec("P")
R = TypeVar("R")


class ExitCode(enum.IntEnum):
    """The exit statuses (sysexits.h where one fits); docs/cli.md lists them."""

    OK = 0
    FAILED = 1  # the server refused the request (its problem is printed), or a job failed
    USAGE = 2  # bad options or arguments (Typer's own)
    DATA_ERROR = 65  # a local input file is not readable data
    UNAVAILABLE = 69  # the server cannot be reached, timed out, or answered 503
    SOFTWARE = 70  # an unexpected error in this program or the server (500)
    CANNOT_CREATE = 73  # an output file cannot be written
    TEMPORARY = 75  # a wait ran out of time; the job goes on (retry the wait later)
    PERMISSION = 77  # the key is missing, unknown or revoked (401) or not allowed (403)
    CONFIG = 78  # no server URL or key, or an unreadable config file
    INTERRUPTED = 130  # Ctrl-C


class DataFileError(Exception):
    """A local input file that cannot be read as the data it should hold."""


class OutputFileError(Exception):
    """An output file that cannot be written."""


def _console(stderr: bool) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty():
        return Console(stderr=stderr)
    # piped or captured: no colours, and tables as wide as they need (ids unbroken)
    columns = os.environ.get("COLUMNS", "")
    return Console(stderr=stderr, width=int(columns) if columns.isdigit() and int(columns) else 200,
                   no_color=True, highlight=False)


out = _console(stderr=False)
err = _console(stderr=True)

PROBLEM_MEMBERS = {"type", "title", "status", "detail", "instance", "request_id", "errors"}


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")


def as_dict(value: Any) -> dict[str, Any]:
    """A generated model (``to_dict()``) or a mapping, as a plain dict."""
    to_dict = getattr(value, "to_dict", None)
    result = to_dict() if callable(to_dict) else value
    if not isinstance(result, Mapping):
        raise TypeError(f"expected an object, got {type(value).__name__}")
    return dict(result)


def fmt(value: Any) -> str:
    """One cell of a table."""
    if value is None or (isinstance(value, Mapping | list | tuple) and not value):
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={fmt(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(fmt(v) for v in value)
    return str(value)


def table(title: str | None, columns: Sequence[str],
          rows: Iterable[Sequence[Any]]) -> Table:
    grid = Table(title=title, title_justify="left")
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*(fmt(cell) for cell in row))
    return grid


def fields_table(title: str | None, values: Mapping[str, Any]) -> Table:
    grid = Table(title=title, title_justify="left", show_header=False)
    grid.add_column("field", style="bold")
    grid.add_column("value", overflow="fold")
    for name, value in values.items():
        grid.add_row(name, fmt(value))
    return grid


def fail(message: str, code: ExitCode) -> NoReturn:
    err.print(f"error: {message}", markup=False, highlight=False)
    raise typer.Exit(int(code))


def status_code(status: int) -> ExitCode:
    if status in (401, 403):
        return ExitCode.PERMISSION
    if status == 503:
        return ExitCode.UNAVAILABLE
    if status >= 500:
        return ExitCode.SOFTWARE
    return ExitCode.FAILED


def render_problem(status: int, title: str | None, detail: str | None,
                   problem: Mapping[str, Any] | None) -> str:
    """The problem's title and detail (and status), then its extra members."""
    head = f"{title or 'Error'} ({status})"
    lines = [f"{head}: {detail}" if detail else head]
    for name, value in (problem or {}).items():
        if name not in PROBLEM_MEMBERS:
            lines.append(f"  {name}: {fmt(value)}")
    request_id = (problem or {}).get("request_id")
    if request_id:
        lines.append(f"  request id: {request_id}")
    return "\n".join(lines)


def handle(exc: BaseException) -> NoReturn:
    """Print ``exc`` as a one-line error (no traceback) and exit with its code."""
    if isinstance(exc, ProblemError):
        problem = exc.problem if isinstance(exc.problem, Mapping) else None
        fail(render_problem(exc.status, exc.title, exc.detail, problem), status_code(exc.status))
    if isinstance(exc, ApiError):
        body = " ".join(exc.body.split())[:200]
        fail(f"{exc}" + (f": {body}" if body else ""), status_code(exc.status))
    if isinstance(exc, JobFailed):
        fail(f"the job {exc.job_id} failed: {exc.error or 'no reason given'}", ExitCode.FAILED)
    if isinstance(exc, WaitTimeout):
        fail(f"{exc}; it goes on: `privsim jobs wait` follows it", ExitCode.TEMPORARY)
    if isinstance(exc, ConfigError):
        fail(str(exc), ExitCode.CONFIG)
    if isinstance(exc, DataFileError):
        fail(str(exc), ExitCode.DATA_ERROR)
    if isinstance(exc, OutputFileError):
        fail(str(exc), ExitCode.CANNOT_CREATE)
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        fail(f"the server URL is not usable: {exc}", ExitCode.CONFIG)
    if isinstance(exc, httpx.TimeoutException):
        fail(f"the server did not answer in time ({type(exc).__name__}); retry, or raise "
             "--timeout", ExitCode.UNAVAILABLE)
    if isinstance(exc, httpx.ConnectError):
        fail(f"cannot reach the server: {exc or type(exc).__name__}", ExitCode.UNAVAILABLE)
    if isinstance(exc, httpx.TransportError):
        fail(f"the connection to the server failed: {exc or type(exc).__name__}",
             ExitCode.UNAVAILABLE)
    if isinstance(exc, KeyboardInterrupt):
        fail("interrupted", ExitCode.INTERRUPTED)
    if os.environ.get("PRIVSIM_DEBUG"):
        raise exc
    fail(f"unexpected error ({type(exc).__name__}): {exc}; set PRIVSIM_DEBUG=1 for the "
         "traceback", ExitCode.SOFTWARE)


def handled(func: Callable[P, R]) -> Callable[P, R]:
    """A command that reports errors as messages and exit codes, never tracebacks."""
    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except PASS_THROUGH:
            raise
        except BaseException as exc:  # every other error is reported, not raised
            handle(exc)
    return run
