"""The command line's parts that need no server: the config file and its precedence,
the files a query reads and writes, how problems are printed, and how the service's
commands are merged into the ``privsim`` command."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import httpx
import numpy as np
import pytest
import typer
from privsim_client._cli_config import ConfigError, read_config, resolve, write_config
from privsim_client._cli_files import read_points, write_answers
from privsim_client._cli_output import (
    DataFileError,
    ExitCode,
    OutputFileError,
    handle,
    render_problem,
    status_code,
)
from privsim_client.errors import ApiError, JobFailed, ProblemError, WaitTimeout

from app.cli import merge

POINTS = np.array([[0.5, -1.0, 2.0], [1e-300, 3.25, -0.0]])


@pytest.mark.parametrize(("name", "text"), [
    ("header.csv", "x,y,z\n0.5,-1,2\n1e-300,3.25,-0.0\n"),
    ("plain.csv", "\ufeff0.5,-1,2\n\n1e-300,3.25,-0.0\n"),
    ("list.json", json.dumps(POINTS.tolist())),
    ("object.json", json.dumps({"points": POINTS.tolist()})),
])
def test_points_are_read_from_csv_and_json(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    np.testing.assert_array_equal(read_points(tmp_path / name), POINTS)


def test_points_are_read_from_npy(tmp_path: Path) -> None:
    np.save(tmp_path / "p.npy", POINTS.astype(np.float32))
    np.testing.assert_array_equal(read_points(tmp_path / "p.npy"), POINTS.astype(np.float32))


@pytest.mark.parametrize(("name", "content", "message"), [
    ("ragged.csv", "1,2\n3\n", "same number of fields"),
    ("words.csv", "a,b\n1,x\n", "does not hold a table of numbers"),
    ("nan.csv", "1,2\nnan,3\n", "point 1 has a value that is not finite"),
    ("empty.json", "[]", "non-empty"),
    ("nested.json", "[[[1]]]", "shape (1, 1, 1)"),
    ("noarray.json", '{"rows": [[1]]}', "'points' member"),
    ("text.npy", "not an array", "not a .npy file"),
    ("points.txt", "1,2\n", ".npy, .csv or .json"),
])
def test_bad_points_files_are_named_errors(tmp_path: Path, name: str, content: str,
                                           message: str) -> None:
    (tmp_path / name).write_text(content)
    with pytest.raises(DataFileError, match=re.escape(message)):
        read_points(tmp_path / name)


def test_pickled_npy_is_refused(tmp_path: Path) -> None:
    np.save(tmp_path / "objects.npy", np.array([{}], dtype=object), allow_pickle=True)
    with pytest.raises(DataFileError, match="Python objects"):
        read_points(tmp_path / "objects.npy")


@pytest.mark.parametrize("suffix", [".npy", ".csv", ".json"])
def test_answers_round_trip_exactly(tmp_path: Path, suffix: str) -> None:
    values, std, approx = POINTS[0], np.abs(POINTS[1]), np.array([0.1, 0.2, 1 / 3])
    target = tmp_path / f"answers{suffix}"
    write_answers(target, "mean", values, std, approx)
    if suffix == ".npy":
        table = np.load(target)
    elif suffix == ".csv":
        lines = target.read_text().splitlines()
        assert lines[0] == "value,std,approximation_std"
        table = np.loadtxt(lines[1:], delimiter=",")
    else:
        document = json.loads(target.read_text())
        assert document["reduce"] == "mean"
        table = np.column_stack([document["values"], document["std"],
                                 document["approximation_std"]])
    np.testing.assert_array_equal(table, np.column_stack([values, std, approx]))
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary left


def test_answers_that_cannot_be_written_are_named_errors(tmp_path: Path) -> None:
    one = np.ones(1)
    with pytest.raises(OutputFileError, match="cannot write"):
        write_answers(tmp_path / "missing" / "a.json", "sum", one, one, one)
    with pytest.raises(OutputFileError, match=r"\.npy, \.csv or \.json"):
        write_answers(tmp_path / "a.txt", "sum", one, one, one)


def test_the_config_file_is_private_and_updated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('url = "http://old"\n')
    path.chmod(0o644)
    write_config({"key": 'psk_"quoted"\\'}, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert read_config(path) == {"url": "http://old", "key": 'psk_"quoted"\\'}
    write_config({"url": "http://new"}, path)
    assert read_config(path) == {"url": "http://new", "key": 'psk_"quoted"\\'}


@pytest.mark.parametrize(("text", "message"), [
    ("url = ", "cannot read the config file"), ("key = 3\n", "key must be a string")])
def test_a_bad_config_file_is_a_config_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "config.toml").write_text(text)
    with pytest.raises(ConfigError, match=message):
        read_config(tmp_path / "config.toml")


def test_precedence_is_option_then_environment_then_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIVSIM_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("PRIVSIM_URL", raising=False)
    monkeypatch.delenv("PRIVSIM_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="no server URL"):
        resolve(None, None, 1.0)
    write_config({"url": "http://file/", "key": "psk_file"})
    assert (resolve(None, None, 1.0).url, resolve(None, None, 1.0).key) == (
        "http://file", "psk_file")
    monkeypatch.setenv("PRIVSIM_URL", "http://env")
    monkeypatch.setenv("PRIVSIM_API_KEY", "psk_env")
    assert (resolve(None, None, 1.0).url, resolve(None, None, 1.0).key) == (
        "http://env", "psk_env")
    given = resolve("http://flag", "psk_flag", 1.0)
    assert (given.url, given.key) == ("http://flag", "psk_flag")


def test_problems_print_title_status_detail_and_extra_members() -> None:
    text = render_problem(409, "Privacy budget exhausted", "over budget", {
        "type": "urn:privsim:problem:privacy-budget-exhausted", "status": 409,
        "remaining": {"epsilon": 0.5, "delta": 0.0}, "request_id": "abc"})
    assert text.splitlines() == ["Privacy budget exhausted (409): over budget",
                                 "  remaining: epsilon=0.5, delta=0", "  request id: abc"]
    assert [status_code(s) for s in (401, 403, 404, 409, 422, 500, 503)] == [
        ExitCode.PERMISSION, ExitCode.PERMISSION, ExitCode.FAILED, ExitCode.FAILED,
        ExitCode.FAILED, ExitCode.SOFTWARE, ExitCode.UNAVAILABLE]


def test_groups_of_the_same_name_are_merged_and_commands_never_replaced() -> None:
    root, keys = typer.Typer(), typer.Typer()
    keys.command("add")(lambda: None)
    root.add_typer(keys, name="keys")
    root.command("upload")(lambda: None)
    service, service_keys = typer.Typer(), typer.Typer()
    service_keys.command("create")(lambda: None)
    service.add_typer(service_keys, name="keys")
    service.command("serve")(lambda: None)
    merge(root, service)
    command = typer.main.get_command(root)
    assert set(command.commands) == {"keys", "upload", "serve"}  # type: ignore[attr-defined]
    assert set(command.commands["keys"].commands) == {"add", "create"}  # type: ignore[attr-defined]

    clash = typer.Typer()
    clash.command("upload")(lambda: None)
    with pytest.raises(ValueError, match="'upload' is defined twice"):
        merge(root, clash)


@pytest.mark.parametrize(("error", "code", "message"), [
    (JobFailed("j1", "the build failed after reading rows; the charge is kept", None),
     ExitCode.FAILED, "the job j1 failed: the build failed after reading rows"),
    (WaitTimeout("job j1 is still running after 5 s"), ExitCode.TEMPORARY, "jobs wait"),
    (ApiError(502, "Bad Gateway", body="<html>proxy</html>"), ExitCode.SOFTWARE,
     "HTTP 502: Bad Gateway: <html>proxy</html>"),
    (ProblemError(403, "forbidden", "Not allowed", "needs owner", {"status": 403}),
     ExitCode.PERMISSION, "Not allowed (403): needs owner"),
    (httpx.ConnectTimeout("timed out"), ExitCode.UNAVAILABLE, "did not answer in time"),
    (httpx.ConnectError("refused"), ExitCode.UNAVAILABLE, "cannot reach the server: refused"),
    (httpx.UnsupportedProtocol("no scheme"), ExitCode.CONFIG, "URL is not usable"),
    (httpx.RemoteProtocolError("closed"), ExitCode.UNAVAILABLE, "connection to the server failed"),
    (KeyboardInterrupt(), ExitCode.INTERRUPTED, "interrupted"),
    (ZeroDivisionError("a bug"), ExitCode.SOFTWARE, "unexpected error (ZeroDivisionError)"),
])
def test_each_error_has_its_message_and_exit_code(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        error: BaseException, code: ExitCode, message: str) -> None:
    monkeypatch.delenv("PRIVSIM_DEBUG", raising=False)
    with pytest.raises(typer.Exit) as raised:
        handle(error)
    assert raised.value.exit_code == code
    assert message in capsys.readouterr().err
