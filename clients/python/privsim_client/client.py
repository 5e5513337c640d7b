"""``Client``: privsim's HTTP API as Python methods, with NumPy arrays in and out.

    from privsim_client import Client

    with Client("http://127.0.0.1:8000", "psk_...") as api:
        dataset = api.create_dataset("demo", 3, {"type": "l2_ball", "radius": 1},
                                     {"epsilon": 2})
        api.upload_rows(dataset.id, rows)                       # (n, 3) array, sent as .npy
        build = api.build(dataset.id, "gaussian_kde", {"bandwidth": 0.5}, {"epsilon": 1})
        api.wait(build.job_id, progress=True)
        answer = api.query(build.structure_id, points, reduce="mean")
        answer.values, answer.std, answer.approximation_std     # NumPy arrays

What the methods return: the generated attrs models of ``privsim_client._generated``
wherever the OpenAPI schema names one (``DatasetRead``, ``KeyCreated``,
``StructureAccepted``, ``JobRead``, ``LedgerRead``...; each has ``to_dict()``), lists
of them for the paged lists (every page is fetched), ``QueryResult`` (NumPy arrays) for
a query, a ``Path`` for an export, and ``None`` for the deletions (204).

Every request carries the key as ``Authorization: Bearer``. Answers 429 and 503 are
retried ``max_retries`` times with exponential backoff and jitter, waiting at least
what ``Retry-After`` asks; so is a connection that could not be opened (the request
was never sent). Builds and models are sent with an ``Idempotency-Key``, so a retried
build never spends twice. Any other error status raises ``ProblemError`` (a problem
document, as privsim answers) or ``ApiError``.
"""

from __future__ import annotations

import io
import random
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

import httpx
import numpy as np
from numpy.typing import ArrayLike, NDArray
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
)

from privsim_client._generated.models import (
    AuditRead,
    DatasetPage,
    DatasetRead,
    EstimateOut,
    GrantRead,
    JobRead,
    KernelCatalog,
    KernelRead,
    KeyCreated,
    KeyPage,
    KeyRead,
    KeySelf,
    LedgerRead,
    ModelAccepted,
    ModelRead,
    PredictOut,
    RowsAccepted,
    StructureAccepted,
    StructurePage,
    StructureRead,
)
from privsim_client.errors import ApiError, JobFailed, ProblemError, WaitTimeout

__all__ = ["DEFAULT_TIMEOUT", "Client", "QueryResult"]

NPY = "application/x-npy"
PROBLEM = "application/problem+json"
DEFAULT_TIMEOUT = 30.0
RETRY_STATUSES = frozenset({429, 503})
# what one query request carries at most: the service's default PRIVSIM_MAX_QUERY_POINTS,
# and well under its default 100 MiB body limit
MAX_POINTS_PER_REQUEST = 100_000
MAX_BYTES_PER_REQUEST = 64 * 1024 * 1024
UPLOAD_CHUNK_BYTES = 1024 * 1024
FILE_TYPES = {".npy": NPY, ".parquet": "application/vnd.apache.parquet", ".csv": "text/csv"}
TERMINAL = frozenset({"succeeded", "failed"})

Id = str | uuid.UUID
Model = TypeVar("Model")
Model_co = TypeVar("Model_co", covariant=True)


class FromDict(Protocol[Model_co]):  # the generated models' constructor from JSON
    def from_dict(self, src_dict: Mapping[str, Any]) -> Model_co: ...


@dataclass(frozen=True, slots=True)
class QueryResult:
    """A query's answers, one per point: ``values``, the std of the privacy noise in
    each (``std``) and a bound on the std of the approximation error
    (``approximation_std``), all float64 arrays of shape (q,)."""

    reduce: str
    values: NDArray[np.float64]
    std: NDArray[np.float64]
    approximation_std: NDArray[np.float64]

    def to_dict(self) -> dict[str, Any]:
        return {"reduce": self.reduce, "values": self.values.tolist(),
                "std": self.std.tolist(), "approximation_std": self.approximation_std.tolist()}


class Client:
    """One service, one key. ``http`` replaces the ``httpx.Client`` the client would
    open (a custom transport, proxies, an in-process app); its base URL and headers are
    not used, and the caller closes it. ``page_size``: the items per page the lists
    ask for (the service's default, 1000, when None). ``sleep`` is what waits between retries and
    polls (``time.sleep``)."""

    def __init__(self, base_url: str, api_key: str, *, timeout: float = DEFAULT_TIMEOUT,
                 max_retries: int = 5, backoff: float = 0.5, max_backoff: float = 60.0,
                 page_size: int | None = None, http: httpx.Client | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = base_url.rstrip("/").removesuffix("/v1")
        self._auth = {"Authorization": f"Bearer {api_key}"}
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(timeout=timeout)
        self._timeout = timeout
        self._max_retries = max_retries
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._sleep = sleep
        self._page_size = page_size

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    # keys (admin)

    def create_key(self, role: str, name: str,
                   dataset_ids: Sequence[Id] | None = None) -> KeyCreated:
        """A new key; its secret is ``.key``, shown only in this answer."""
        body: dict[str, Any] = {"role": role, "name": name}
        if dataset_ids:
            body["dataset_ids"] = [str(i) for i in dataset_ids]
        return self._json(KeyCreated, "POST", "/v1/keys", json=body)

    def whoami(self) -> KeySelf:
        """The key this client sends: its ``id``, ``name`` and ``role`` (any key)."""
        return self._json(KeySelf, "GET", "/v1/keys/me")

    def list_keys(self) -> list[KeyRead]:
        return [k for page in self._pages(KeyPage, "/v1/keys") for k in page.keys]

    def revoke_key(self, key_id: Id) -> None:
        self._request("DELETE", f"/v1/keys/{key_id}")

    # datasets

    def create_dataset(self, name: str, dim: int, domain: Mapping[str, Any],
                       budget: Mapping[str, Any], **extra: Any) -> DatasetRead:
        """``extra``: the other fields of a dataset (``neighbouring``, ``accounting``,
        ``classes``...), as docs/api.md describes them."""
        body = {"name": name, "dim": dim, "domain": dict(domain), "budget": dict(budget),
                **extra}
        return self._json(DatasetRead, "POST", "/v1/datasets", json=body)

    def list_datasets(self) -> list[DatasetRead]:
        return [d for page in self._pages(DatasetPage, "/v1/datasets") for d in page.datasets]

    def get_dataset(self, dataset_id: Id) -> DatasetRead:
        return self._json(DatasetRead, "GET", f"/v1/datasets/{dataset_id}")

    def delete_dataset(self, dataset_id: Id) -> None:
        self._request("DELETE", f"/v1/datasets/{dataset_id}")

    def grant(self, dataset_id: Id, key_id: Id) -> GrantRead:
        return self._json(GrantRead, "POST", f"/v1/datasets/{dataset_id}/grants",
                          json={"key_id": str(key_id)})

    def ledger(self, dataset_id: Id) -> LedgerRead:
        """The whole ledger: every page's entries in one ``LedgerRead``."""
        return self._numbered_pages(LedgerRead, f"/v1/datasets/{dataset_id}/ledger",
                                    "entries", after=0)

    def audit(self, dataset_id: Id, *, after: int = 0, limit: int | None = None) -> AuditRead:
        """The audit log after event ``after``: every page (of ``limit`` events) in one
        ``AuditRead``."""
        return self._numbered_pages(AuditRead, f"/v1/datasets/{dataset_id}/audit", "events",
                                    after=after, limit=limit)

    # rows

    def upload_rows(self, dataset_id: Id, rows: ArrayLike,
                    labels: ArrayLike | None = None) -> RowsAccepted:
        """Append rows, an (n, dim) array: sent as .npy, or as JSON with ``labels`` (a
        labelled dataset's rows; .npy has no place for them)."""
        array = _matrix(rows)
        path = f"/v1/datasets/{dataset_id}/rows"
        if labels is None:
            return self._json(RowsAccepted, "POST", path, content=_npy(array),
                              headers={"Content-Type": NPY})
        return self._json(RowsAccepted, "POST", path,
                          json={"rows": array.tolist(), "labels": np.asarray(labels).tolist()})

    def upload_file(self, dataset_id: Id, path: str | Path, *,
                    progress: Callable[[int, int], None] | None = None) -> RowsAccepted:
        """Append the rows of a .npy, .parquet or .csv file, streamed from disk in
        chunks of 1 MiB (the file is never read whole). ``progress(sent, total)`` is
        called with the bytes sent so far, after each chunk."""
        file = Path(path)
        content_type = FILE_TYPES.get(file.suffix.lower())
        if content_type is None:
            raise ValueError(f"{file.name}: expected a .npy, .parquet or .csv file")
        total = file.stat().st_size

        def chunks() -> Iterator[bytes]:
            sent = 0
            with file.open("rb") as handle:
                while chunk := handle.read(UPLOAD_CHUNK_BYTES):
                    yield chunk
                    sent += len(chunk)
                    if progress is not None:
                        progress(sent, total)

        headers = {"Content-Type": content_type, "Content-Length": str(total)}
        return self._json(RowsAccepted, "POST", f"/v1/datasets/{dataset_id}/rows",
                          content=chunks, headers=headers)

    # structures and jobs

    def kernels(self) -> list[KernelRead]:
        """The catalog of structure kinds and their parameters."""
        return self._json(KernelCatalog, "GET", "/v1/kernels").kernels

    def estimate(self, dataset_id: Id, kind: str, params: Mapping[str, Any] | None,
                 privacy: Mapping[str, Any]) -> EstimateOut:
        """What a build would cost and deliver; nothing is spent."""
        return self._json(EstimateOut, "POST",
                          f"/v1/datasets/{dataset_id}/structures:estimate",
                          json=_build_body(kind, params, privacy))

    def build(self, dataset_id: Id, kind: str, params: Mapping[str, Any] | None,
              privacy: Mapping[str, Any], *,
              idempotency_key: str | None = None) -> StructureAccepted:
        """Spend ``privacy`` on a structure; the answer has ``structure_id`` and
        ``job_id``. Sent with an ``Idempotency-Key`` (a fresh UUID unless given), so a
        retry after a lost answer spends nothing more."""
        return self._json(StructureAccepted, "POST", f"/v1/datasets/{dataset_id}/structures",
                          json=_build_body(kind, params, privacy),
                          headers={"Idempotency-Key": idempotency_key or str(uuid.uuid4())})

    def job(self, job_id: Id) -> JobRead:
        return self._json(JobRead, "GET", f"/v1/jobs/{job_id}")

    def wait(self, job_id: Id, *, progress: bool | Callable[[JobRead], None] = False,
             poll_seconds: float = 0.5, timeout: float | None = None) -> JobRead:
        """Poll a job until it succeeds (its last state is returned) or fails
        (``JobFailed``, with the job's error). ``progress=True`` draws a progress bar
        on the terminal; a callable gets every state read. ``timeout`` in seconds
        (``WaitTimeout``); None waits as long as it takes."""
        if progress is True:
            return self._wait_with_bar(job_id, poll_seconds, timeout)
        report = progress if callable(progress) else None
        return self._poll(job_id, report, poll_seconds, timeout)

    def list_structures(self, dataset_id: Id | None = None) -> list[StructureRead]:
        """Every structure the key can read (of one dataset, if given)."""
        found = [s for page in self._pages(StructurePage, "/v1/structures")
                 for s in page.structures]
        if dataset_id is None:
            return found
        return [s for s in found if str(s.dataset_id) == str(dataset_id)]

    def get_structure(self, structure_id: Id) -> StructureRead:
        return self._json(StructureRead, "GET", f"/v1/structures/{structure_id}")

    def query(self, structure_id: Id, points: ArrayLike, reduce: str = "sum", *,
              max_points: int | None = None) -> QueryResult:
        """Answer (q, dim) points, sent and received as .npy. More points than one
        request may carry are sent in several requests: at most ``max_points`` each
        (by default 100,000 and 64 MiB), fewer if the service answers 413 with the
        number it takes (``max_points`` or ``max_rows`` in the problem)."""
        array = _matrix(points)
        per_request = max(1, min(max_points or MAX_POINTS_PER_REQUEST,
                                 MAX_BYTES_PER_REQUEST // max(1, 8 * array.shape[1])))
        parts: list[NDArray[np.float64]] = []
        start = 0
        while start < array.shape[0]:
            part = array[start:start + per_request]
            try:
                parts.append(self._query_part(structure_id, part, reduce))
            except ProblemError as error:
                # max_points: the points this structure takes per request (point or cost
                # limit; servers before it was uniform said max_rows for .npy bodies)
                allowed = error.problem.get("max_points", error.problem.get("max_rows"))
                if error.status != 413 or not isinstance(allowed, int) \
                        or not 0 < allowed < part.shape[0]:
                    raise
                per_request = allowed
                continue
            start += part.shape[0]
        table = np.concatenate(parts) if parts else np.empty((0, 3))
        return QueryResult(reduce, table[:, 0].copy(), table[:, 1].copy(), table[:, 2].copy())

    def export(self, structure_id: Id, path: str | Path) -> Path:
        """Save the structure's release file to ``path`` (streamed; a directory gets
        the service's file name). ``privsim_client.offline.load_release`` reads it."""
        return self._download(f"/v1/structures/{structure_id}/export", Path(path))

    # models

    def create_model(self, dataset_id: Id, kind: str, privacy: Mapping[str, Any], *,
                     structure: Mapping[str, Any] | None = None,
                     idempotency_key: str | None = None, **extra: Any) -> ModelAccepted:
        """A classifier, regressor or vmf model of a labelled dataset's rows (docs/api.md,
        Models); ``extra``: ``rule``, ``reference``, ``mechanism``."""
        body: dict[str, Any] = {"kind": kind, "dataset_id": str(dataset_id),
                                "privacy": dict(privacy), **extra}
        if structure is not None:
            body["structure"] = dict(structure)
        return self._json(ModelAccepted, "POST", "/v1/models", json=body,
                          headers={"Idempotency-Key": idempotency_key or str(uuid.uuid4())})

    def get_model(self, model_id: Id) -> ModelRead:
        return self._json(ModelRead, "GET", f"/v1/models/{model_id}")

    def predict(self, model_id: Id, points: ArrayLike) -> PredictOut:
        """Predictions at (q, dim) points, sent as .npy."""
        return self._json(PredictOut, "POST", f"/v1/models/{model_id}/predict",
                          content=_npy(_matrix(points)), headers={"Content-Type": NPY})

    def export_model(self, model_id: Id, path: str | Path) -> Path:
        return self._download(f"/v1/models/{model_id}/export", Path(path))

    # the machinery

    def _request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                 json: Any = None, content: bytes | Callable[[], Iterator[bytes]] | None = None,
                 headers: Mapping[str, str] | None = None, stream: bool = False,
                 ) -> httpx.Response:
        """Send, retrying 429, 503 and refused connections; raise on an error status.
        A callable ``content`` is called again for each attempt (a fresh stream)."""
        url = f"{self.base_url}{path}"
        all_headers = {**self._auth, **(headers or {})}

        def attempt() -> httpx.Response:
            body = content() if callable(content) else content
            request = self._http.build_request(method, url, params=params, json=json,
                                               content=body, headers=all_headers,
                                               timeout=self._timeout)
            return self._http.send(request, stream=stream)

        retrying = Retrying(
            stop=stop_after_attempt(self._max_retries + 1),
            wait=_Backoff(self._backoff, self._max_backoff),
            retry=(retry_if_result(lambda r: r.status_code in RETRY_STATUSES)
                   | retry_if_exception_type((httpx.ConnectError, httpx.ConnectTimeout))),
            before_sleep=_close_answer, sleep=self._sleep,
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
            reraise=True)
        response: httpx.Response = retrying(attempt)
        if response.is_error:
            if stream:
                response.read()
                response.close()
            raise _error(response)
        return response

    def _json(self, model: FromDict[Model], method: str, path: str,
              **kwargs: Any) -> Model:
        return model.from_dict(self._request(method, path, **kwargs).json())

    def _pages(self, model: FromDict[Model], path: str) -> Iterator[Model]:
        """The pages of a list paged by an opaque ``next_after`` cursor."""
        params: dict[str, Any] = {"limit": self._page_size} if self._page_size else {}
        while True:
            page = self._json(model, "GET", path, params=params)
            yield page
            cursor = getattr(page, "next_after", None)
            if cursor is None:
                return
            params = params | {"after": cursor}

    def _numbered_pages(self, model: FromDict[Model], path: str, field: str, *,
                        after: int, limit: int | None = None) -> Model:
        """A log paged by entry id (ledger, audit): the first page, with every later
        page's items appended and ``next_after`` None."""
        limit = limit or self._page_size
        params: dict[str, Any] = {"after": after} | ({"limit": limit} if limit else {})
        first = self._json(model, "GET", path, params=params)
        page: Any = first
        while page.next_after is not None:
            params = params | {"after": page.next_after}
            page = self._json(model, "GET", path, params=params)
            getattr(first, field).extend(getattr(page, field))
        setattr(first, "next_after", None)  # noqa: B010  # typed by the model, not Model
        return first

    def _query_part(self, structure_id: Id, points: NDArray[np.float64],
                    reduce: str) -> NDArray[np.float64]:
        response = self._request("POST", f"/v1/structures/{structure_id}/query",
                                 params={"reduce": reduce}, content=_npy(points),
                                 headers={"Content-Type": NPY, "Accept": NPY})
        table = np.load(io.BytesIO(response.content), allow_pickle=False)
        return np.asarray(table, dtype=np.float64).reshape(-1, 3)

    def _download(self, path: str, target: Path) -> Path:
        response = self._request("GET", path, stream=True)
        try:
            if target.is_dir():
                target = target / _attachment_name(response, default=path.split("/")[-2])
            partial = target.with_name(target.name + ".part")
            with partial.open("wb") as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)
            partial.replace(target)
        finally:
            response.close()
        return target

    def _poll(self, job_id: Id, report: Callable[[JobRead], None] | None,
              poll_seconds: float, timeout: float | None) -> JobRead:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if report is not None:
                report(job)
            if job.status == "failed":
                raise JobFailed(str(job_id), job.error, job)
            if job.status in TERMINAL:
                return job
            if deadline is not None and time.monotonic() >= deadline:
                raise WaitTimeout(f"job {job_id} is still {job.status} after {timeout} s")
            self._sleep(poll_seconds)

    def _wait_with_bar(self, job_id: Id, poll_seconds: float,
                       timeout: float | None) -> JobRead:
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

        columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn())
        with Progress(*columns, transient=False) as bar:
            task = bar.add_task(f"job {job_id}", total=1.0)

            def show(job: JobRead) -> None:
                done = 1.0 if job.status == "succeeded" else job.progress
                bar.update(task, completed=done, description=f"job {job_id}: {job.status}")

            return self._poll(job_id, show, poll_seconds, timeout)


class _Backoff:
    """Exponential backoff with jitter (``base`` * 2^(attempt - 1), up to ``cap``, plus
    up to ``base`` at random), never shorter than the answer's ``Retry-After``."""

    def __init__(self, base: float, cap: float) -> None:
        self._base, self._cap = base, cap

    def __call__(self, state: RetryCallState) -> float:
        exponent = min(state.attempt_number - 1, 32)
        jitter = random.uniform(0, self._base)  # noqa: S311  # spreads retries, no secret
        wait = min(self._base * 2.0**exponent, self._cap) + jitter
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            asked = _retry_after(outcome.result().headers.get("Retry-After"))
            if asked is not None:
                wait = max(wait, min(asked, self._cap))
        return wait


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _close_answer(state: RetryCallState) -> None:
    if state.outcome is not None and not state.outcome.failed:
        state.outcome.result().close()


def _error(response: httpx.Response) -> ApiError:
    if response.headers.get("Content-Type", "").startswith(PROBLEM):
        try:
            document = response.json()
        except ValueError:
            document = None
        if isinstance(document, dict):
            return ProblemError.from_document(response.status_code, document)
    text = response.text[:2000]
    return ApiError(response.status_code, response.reason_phrase or "error", body=text)


def _matrix(values: ArrayLike) -> NDArray[np.float64]:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    if array.ndim != 2:
        raise ValueError(f"expected an (n, dim) array, got {array.ndim} dimensions")
    return array


def _npy(array: NDArray[np.float64]) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def _build_body(kind: str, params: Mapping[str, Any] | None,
                privacy: Mapping[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": kind, "privacy": dict(privacy)}
    if params is not None:
        body["params"] = dict(params)
    return body


def _attachment_name(response: httpx.Response, *, default: str) -> str:
    disposition = response.headers.get("Content-Disposition", "")
    for part in disposition.split(";"):
        name, _, value = part.strip().partition("=")
        if name == "filename" and value.strip('"'):
            return Path(value.strip('"')).name  # never a path the server chose
    return f"{default}.privsim"

