"""Load test: locust users (``bench/locustfile.py``) against a real privsim server on
loopback, time-boxed, once without rate limits and once with a per-key limit on.

    python -m bench.load [--smoke] [--users 16] [--spawn-rate 8] [--time 60s]
                         [--rate-limit 100/second] [--out bench/results]

Each run starts its own server (``privsim serve``, the embedded default: SQLite in a
temporary directory, one in-process worker, JSON logs to a file), sets up an owner and
an analyst key, a dataset of the synthetic mixture (``.npy`` upload), a grant and a
ready gaussian_kde structure through the API, then runs locust headless for ``--time``
with ``--users`` users. The second run sets ``PRIVSIM_RATE_LIMIT`` so that the analyst
key's requests are refused now and then: there a 429 is expected (the users wait its
``Retry-After``) and counted apart, not as a failure. The load generator runs on the
same machine as the server, so the two share its cores.

Writes ``load.json`` and ``load.md`` (requests/s, p50/p95/p99 latency of each request
type, failures and 429s, the machine) to ``--out``, and locust's own CSV files beside
them in ``--out/load-csv/``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.kde import machine_info
from bench.perf import ROOT, ServiceSetUp, _admin_key, _free_port, _process, set_up_gaussian_kde

__all__ = ["main"]

LOCUSTFILE = Path(__file__).with_name("locustfile.py")


@dataclass(frozen=True, slots=True)
class Sizes:
    rows: int
    dim: int
    features: int
    users: int
    spawn_rate: int
    seconds: int


FULL = Sizes(rows=10_000, dim=64, features=1_024, users=16, spawn_rate=8, seconds=60)
SMOKE = Sizes(rows=200, dim=8, features=64, users=4, spawn_rate=4, seconds=3)
# the limited run's per-key limit: below what the users ask of the analyst key
FULL_LIMIT, SMOKE_LIMIT = "100/second", "10/second"


def set_up(base: str, admin: str, sizes: Sizes) -> ServiceSetUp:
    """Keys, a dataset with rows, a grant and a ready structure, through the API."""
    import httpx

    with httpx.Client(base_url=base, timeout=60) as http:
        return set_up_gaussian_kde(http, admin, rows=sizes.rows, dim=sizes.dim,
                                   features=sizes.features, label="load")


def _percentile(row: dict[str, str], column: str) -> float | None:
    value = row.get(column, "N/A")
    return None if value in ("N/A", "") else float(value)


def read_stats(prefix: Path) -> list[dict[str, Any]]:
    """Locust's ``<prefix>_stats.csv``: one entry per request type and the aggregate."""
    with Path(f"{prefix}_stats.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [{"name": row["Name"], "method": row["Type"],
             "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
             "requests_per_second": float(row["Requests/s"]),
             "p50_ms": _percentile(row, "50%"), "p95_ms": _percentile(row, "95%"),
             "p99_ms": _percentile(row, "99%"), "max_ms": _percentile(row, "100%")}
            for row in rows]


def run_once(label: str, sizes: Sizes, rate_limit: str | None, out: Path,
             log: Any) -> dict[str, Any]:
    """One server, one set-up, one locust run; its figures."""
    from app.crypto import new_data_key

    with tempfile.TemporaryDirectory(prefix="privsim-load-") as tmp, ExitStack() as stack:
        admin = _admin_key()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PRIVSIM_")}
        env.update({"PRIVSIM_VAR_DIR": str(Path(tmp) / "var"),
                    "PRIVSIM_BOOTSTRAP_ADMIN_KEY": admin, "PRIVSIM_DATA_KEY": new_data_key(),
                    "PRIVSIM_BACKEND": "cpu", "PRIVSIM_INPROCESS_WORKERS": "1"})
        if rate_limit is not None:
            env["PRIVSIM_RATE_LIMIT"] = rate_limit
        port = _free_port()
        stack.enter_context(_process(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1",
             "--port", str(port)], env, Path(tmp) / "app.log",
            f"http://127.0.0.1:{port}/readyz"))
        base = f"http://127.0.0.1:{port}"
        ready = set_up(base, admin, sizes)
        log(f"{label}: structure ready; locust {sizes.users} users for {sizes.seconds} s")
        csv_dir = out / "load-csv"
        csv_dir.mkdir(parents=True, exist_ok=True)
        prefix = csv_dir / label
        tally = Path(tmp) / "tally.json"
        locust_env = {k: v for k, v in os.environ.items() if not k.startswith("PRIVSIM_")}
        locust_env.update({
            "PRIVSIM_LOAD_STRUCTURE": ready.structure, "PRIVSIM_LOAD_DATASET": ready.dataset,
            "PRIVSIM_LOAD_DIM": str(sizes.dim), "PRIVSIM_LOAD_ANALYST_KEY": ready.analyst_key,
            "PRIVSIM_LOAD_OWNER_KEY": ready.owner_key,
            "PRIVSIM_LOAD_EXPECT_429": "1" if rate_limit is not None else "0",
            "PRIVSIM_LOAD_TALLY": str(tally)})
        command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
                   "-u", str(sizes.users), "-r", str(sizes.spawn_rate),
                   "-t", f"{sizes.seconds}s", "--host", base, "--csv", str(prefix),
                   "--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING",
                   "--exit-code-on-error", "0"]
        started = time.monotonic()
        done = subprocess.run(command, env=locust_env, cwd=ROOT, capture_output=True,  # noqa: S603
                              text=True, timeout=sizes.seconds + 120, check=False)
        wall = time.monotonic() - started
        (csv_dir / f"{label}.log").write_text(done.stdout + done.stderr)
        if done.returncode not in (0, 1):  # 1: some requests failed (reported below)
            raise RuntimeError(f"locust exited {done.returncode}:\n{done.stderr[-3000:]}")
        stats = read_stats(prefix)
        statuses = json.loads(tally.read_text()) if tally.exists() else {}
    for entry in stats:
        codes = statuses.get(entry["name"], {})
        entry["rate_limited_429"] = int(codes.get("429", 0)) if entry["name"] != "Aggregated" \
            else sum(int(c.get("429", 0)) for c in statuses.values())
        entry["statuses"] = codes
    return {"label": label, "rate_limit": rate_limit, "wall_seconds": wall,
            "locust_exit_code": done.returncode, "requests": stats}


def report_markdown(report: dict[str, Any]) -> str:
    sizes = report["sizes"]
    lines = ["# Load test (locust)", "",
             f"`{report['command']}`: {sizes['users']} users (spawned {sizes['spawn_rate']}/s) "
             f"for {sizes['seconds']} s per run against one `privsim serve` process on "
             f"loopback (SQLite, one in-process worker); gaussian_kde, {sizes['rows']:,} rows, "
             f"d = {sizes['dim']}, {sizes['features']:,} features. The load generator runs "
             "on the same machine. Latencies in ms; a 429 in the limited run is expected "
             "(the user waits its Retry-After) and is not a failure.", ""]
    for run in report["runs"]:
        limit = f"`PRIVSIM_RATE_LIMIT={run['rate_limit']}`" if run["rate_limit"] else \
            "no rate limit"
        lines += [f"## {run['label']} ({limit})", "",
                  "| request | requests | req/s | p50 | p95 | p99 | failures | 429 |",
                  "|" + " --- |" * 8]
        for entry in run["requests"]:
            def ms(value: float | None) -> str:
                return "n/a" if value is None else f"{value:.0f}"
            lines.append(
                f"| {entry['method'] + ' ' if entry['method'] else ''}{entry['name']} | "
                f"{entry['requests']:,} | {entry['requests_per_second']:.1f} | "
                f"{ms(entry['p50_ms'])} | {ms(entry['p95_ms'])} | {ms(entry['p99_ms'])} | "
                f"{entry['failures']} | {entry['rate_limited_429']} |")
        lines.append("")
    machine = report["machine"]
    lines.append(f"Machine: {machine['cpu_count']} CPUs ({machine['cpu_model']}), shared; "
                 f"Python {machine['python']}; load average at start "
                 f"{machine['load_average_start']}.")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    parser.add_argument("--users", type=int, default=None)
    parser.add_argument("--spawn-rate", type=int, default=None)
    parser.add_argument("--time", default=None, help="per run, e.g. 60s")
    parser.add_argument("--rate-limit", default=None,
                        help="PRIVSIM_RATE_LIMIT of the limited run (default: "
                        f"{FULL_LIMIT}, with --smoke {SMOKE_LIMIT})")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    sizes = SMOKE if args.smoke else FULL
    sizes = Sizes(sizes.rows, sizes.dim, sizes.features, args.users or sizes.users,
                  args.spawn_rate or sizes.spawn_rate,
                  int(args.time.rstrip("s")) if args.time else sizes.seconds)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    command = "python -m bench.load" + (" --smoke" if args.smoke else "")
    machine = machine_info()
    limit = args.rate_limit or (SMOKE_LIMIT if args.smoke else FULL_LIMIT)
    runs = [run_once("unlimited", sizes, None, args.out, log),
            run_once("limited", sizes, limit, args.out, log)]
    report = {"benchmark": "load", "mode": "smoke" if args.smoke else "full",
              "command": command, "sizes": asdict(sizes), "runs": runs, "machine": machine}
    markdown = report_markdown(report)
    print(markdown)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "load.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "load.md").write_text(markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
