"""The client's errors.

    PrivsimError
    ├── ApiError            any answer with a 4xx or 5xx status
    │   └── ProblemError    ... that is an RFC 9457 problem document (what privsim sends)
    ├── JobFailed           a job ended with status "failed"
    └── WaitTimeout         a wait ran past its timeout (also a TimeoutError)

Transport failures (no connection, a read timeout) are httpx's own exceptions.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError", "JobFailed", "PrivsimError", "ProblemError", "WaitTimeout"]

PROBLEM_PREFIX = "urn:privsim:problem:"


class PrivsimError(Exception):
    """Every error this client raises itself."""


class ApiError(PrivsimError):
    """The service answered with an error status. ``body`` is the answer's text (at most
    its first 2,000 characters) when it was not a problem document."""

    def __init__(self, status: int, message: str, *, body: str = "") -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.body = body


class ProblemError(ApiError):
    """An ``application/problem+json`` answer. ``code`` is the last part of its ``type``
    (``urn:privsim:problem:privacy-budget-exhausted`` -> ``privacy-budget-exhausted``);
    ``problem`` is the whole document, with members such as ``errors``, ``remaining``
    or ``max_points``."""

    def __init__(self, status: int, code: str, title: str, detail: str,
                 problem: dict[str, Any]) -> None:
        super().__init__(status, f"{code}: {detail or title}")
        self.code = code
        self.title = title
        self.detail = detail
        self.problem = problem

    @classmethod
    def from_document(cls, status: int, problem: dict[str, Any]) -> ProblemError:
        kind = str(problem.get("type", ""))
        code = kind.removeprefix(PROBLEM_PREFIX) if kind else "about:blank"
        return cls(int(problem.get("status", status)), code, str(problem.get("title", "")),
                   str(problem.get("detail", "")), problem)


class JobFailed(PrivsimError):
    """A job failed. ``error`` is the job's own explanation; ``job`` the job as read."""

    def __init__(self, job_id: str, error: str | None, job: Any) -> None:
        super().__init__(f"job {job_id} failed: {error or 'no reason given'}")
        self.job_id = job_id
        self.error = error
        self.job = job


class WaitTimeout(PrivsimError, TimeoutError):
    """A job was still queued or running when the wait's timeout ran out."""
