"""Locust users of a privsim server with one ready structure: the load of ``bench.load``.

    python -m bench.load [--smoke]            # starts the server, sets up, runs this

Each user is an analyst querying the structure (single points and small batches as JSON,
a larger batch as ``.npy``), reading the dataset and the structure now and then, and,
with the owner's key, the dataset's ledger once in a while. ``bench.load`` passes what
it set up in ``PRIVSIM_LOAD_*`` environment variables:

- ``PRIVSIM_LOAD_STRUCTURE``, ``PRIVSIM_LOAD_DATASET``, ``PRIVSIM_LOAD_DIM``;
- ``PRIVSIM_LOAD_ANALYST_KEY``, ``PRIVSIM_LOAD_OWNER_KEY``;
- ``PRIVSIM_LOAD_EXPECT_429``: ``1`` when the server has a rate limit on: a 429 is then
  counted as a success (the client did what it must: waited ``Retry-After`` seconds)
  and tallied apart; otherwise a 429 is a failure;
- ``PRIVSIM_LOAD_TALLY``: a JSON file this writes at the end with the 429s and the
  statuses of each request type.
"""

from __future__ import annotations

import io
import json
import os
from collections import Counter, defaultdict
from typing import Any

import gevent
import numpy as np
from locust import HttpUser, between, events, task

STRUCTURE = os.environ.get("PRIVSIM_LOAD_STRUCTURE", "")
DATASET = os.environ.get("PRIVSIM_LOAD_DATASET", "")
DIM = int(os.environ.get("PRIVSIM_LOAD_DIM", "8"))
ANALYST = {"Authorization": f"Bearer {os.environ.get('PRIVSIM_LOAD_ANALYST_KEY', '')}"}
OWNER = {"Authorization": f"Bearer {os.environ.get('PRIVSIM_LOAD_OWNER_KEY', '')}"}
EXPECT_429 = os.environ.get("PRIVSIM_LOAD_EXPECT_429") == "1"
TALLY = os.environ.get("PRIVSIM_LOAD_TALLY")

# statuses of each request type, for the report (locust's CSV has no statuses)
_statuses: defaultdict[str, Counter[int]] = defaultdict(Counter)


def _points(count: int, seed: int) -> np.ndarray:
    """Points inside the unit ball of the dataset's domain (public, synthetic)."""
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(count, DIM))
    return 0.5 * points / np.linalg.norm(points, axis=1, keepdims=True)


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


# a few fixed bodies, made once: the load generator's own CPU goes to sending them
_ONE = [json.dumps({"points": _points(1, s).tolist(), "reduce": "mean"}) for s in range(8)]
_TEN = [json.dumps({"points": _points(10, s).tolist()}) for s in range(4)]
_NPY_100 = _npy(_points(100, 99))


class Analyst(HttpUser):
    """An analyst's client: mostly queries, some reads, a ledger check now and then."""

    wait_time = between(0.005, 0.05)

    def _call(self, method: str, path: str, name: str, **kwargs: Any) -> None:
        with self.client.request(method, path, name=name, catch_response=True,
                                 **kwargs) as response:
            _statuses[name][response.status_code] += 1
            if response.status_code == 429 and EXPECT_429:
                response.success()  # expected under a limit: wait as told, then go on
                gevent.sleep(float(response.headers.get("Retry-After", "1")))
            elif response.status_code >= 400:
                response.failure(f"{response.status_code}")

    sent = 0

    @task(6)
    def query_one_point(self) -> None:
        self.sent += 1
        body = _ONE[self.sent % len(_ONE)]
        self._call("POST", f"/v1/structures/{STRUCTURE}/query", "query 1 point (JSON)",
                   data=body, headers=ANALYST | {"Content-Type": "application/json"})

    @task(2)
    def query_ten_points(self) -> None:
        self._call("POST", f"/v1/structures/{STRUCTURE}/query", "query 10 points (JSON)",
                   data=_TEN[0], headers=ANALYST | {"Content-Type": "application/json"})

    @task(1)
    def query_npy(self) -> None:
        self._call("POST", f"/v1/structures/{STRUCTURE}/query?reduce=mean",
                   "query 100 points (.npy)", data=_NPY_100,
                   headers=ANALYST | {"Content-Type": "application/x-npy",
                                      "Accept": "application/x-npy"})

    @task(2)
    def read_dataset(self) -> None:
        self._call("GET", f"/v1/datasets/{DATASET}", "read dataset", headers=ANALYST)

    @task(1)
    def read_structure(self) -> None:
        self._call("GET", f"/v1/structures/{STRUCTURE}", "read structure", headers=ANALYST)

    @task(1)
    def read_ledger(self) -> None:
        self._call("GET", f"/v1/datasets/{DATASET}/ledger", "read ledger (owner)",
                   headers=OWNER)


@events.quitting.add_listener
def _write_tally(environment: Any, **_: Any) -> None:
    if TALLY:
        with open(TALLY, "w") as out:
            json.dump({name: {str(code): n for code, n in sorted(codes.items())}
                       for name, codes in _statuses.items()}, out, indent=2)
