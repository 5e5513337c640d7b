"""Local files of the ``privsim`` command: the formats an upload sends, the points a
query reads (.npy, .csv, .json) and the answers it writes (.npy, .csv, .json)."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from privsim_client._cli_output import DataFileError, OutputFileError

UPLOAD_TYPES = {  # what Client.upload_file streams
    ".npy": "application/x-npy",
    ".parquet": "application/vnd.apache.parquet",
    ".csv": "text/csv",
}
POINT_SUFFIXES = (".npy", ".csv", ".json")
ANSWER_SUFFIXES = (".npy", ".csv", ".json")
NPY_MAGIC = b"\x93NUMPY"
ANSWER_COLUMNS = ("value", "std", "approximation_std")


def upload_type(path: Path) -> str | None:
    """The Content-Type an upload of ``path`` is sent with, by its suffix."""
    return UPLOAD_TYPES.get(path.suffix.lower())


def read_points(path: Path) -> NDArray[np.float64]:
    """A (q, dim) float64 array of query points from a .npy, .csv or .json file."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".npy":
            with path.open("rb") as handle:
                if handle.read(6) != NPY_MAGIC:
                    raise DataFileError(f"{path} is not a .npy file")
            raw: Any = np.load(path, allow_pickle=False)
        elif suffix == ".csv":
            raw = _csv_points(path.read_text(encoding="utf-8-sig"))
        elif suffix == ".json":
            document = json.loads(path.read_text(encoding="utf-8"))
            raw = document["points"] if isinstance(document, dict) else document
        else:
            raise DataFileError(f"{path}: points must be a .npy, .csv or .json file")
        points = np.asarray(raw, dtype=np.float64)
    except DataFileError:
        raise
    except OSError as exc:
        raise DataFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path} does not hold a table of numbers ({_reason(exc)})") from exc
    if points.ndim == 1 and points.size:
        points = points.reshape(1, -1) if suffix == ".json" else points.reshape(-1, 1)
    if points.ndim != 2 or points.shape[0] == 0 or points.shape[1] == 0:
        raise DataFileError(f"{path}: expected a non-empty table of points (q, dim), "
                            f"got shape {points.shape}")
    if not np.all(np.isfinite(points)):
        row = int(np.argwhere(~np.isfinite(points))[0][0])
        raise DataFileError(f"{path}: point {row} has a value that is not finite")
    return points


def _reason(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return "a JSON object needs a 'points' member"
    if "pickle" in str(exc):
        return "it holds Python objects, which are refused"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _csv_points(text: str) -> list[list[float]]:
    """Rows of numbers; a first record with no number in it is a header."""
    records = [r for r in csv.reader(io.StringIO(text)) if any(f.strip() for f in r)]
    if records and not any(_is_number(field) for field in records[0]):
        records = records[1:]
    widths = {len(r) for r in records}
    if len(widths) > 1:
        raise ValueError("the records do not all have the same number of fields")
    return [[float(field) for field in record] for record in records]


def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def answer_suffix(path: Path) -> str:
    return path.suffix.lower()


def write_answers(path: Path | None, reduce: str, values: NDArray[np.float64],
                  std: NDArray[np.float64], approximation_std: NDArray[np.float64]) -> None:
    """Write a query's answers to ``path`` (by its suffix), or JSON to stdout for None.
    The file is written whole or not at all (a temporary file, then renamed)."""
    table = np.column_stack([values, std, approximation_std]).astype(np.float64)
    document = {"reduce": reduce, "values": table[:, 0].tolist(), "std": table[:, 1].tolist(),
                "approximation_std": table[:, 2].tolist()}
    if path is None:
        sys.stdout.write(json.dumps(document) + "\n")
        return
    suffix = answer_suffix(path)
    buffer = io.BytesIO()
    if suffix == ".npy":
        np.save(buffer, table)  # columns: value, std, approximation_std (as the server's .npy)
    elif suffix == ".csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(ANSWER_COLUMNS)
        writer.writerows([repr(float(x)) for x in row] for row in table)
        buffer.write(text.getvalue().encode())
    elif suffix == ".json":
        buffer.write(json.dumps(document).encode() + b"\n")
    else:
        raise OutputFileError(f"{path}: answers are written as .npy, .csv or .json")
    write_atomically(path, buffer.getvalue())


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomically(path: Path, data: bytes) -> None:
    directory = path.parent if str(path.parent) else Path()
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                os.fchmod(out.fileno(), 0o666 & ~_umask())  # as open() would create it
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputFileError(f"cannot write {path}: {exc.strerror or exc}") from exc
