"""What the per-key rate limit (``PRIVSIM_RATE_LIMIT``) costs a request, in this process:
CPU per request through the ASGI app with the limit off, on in memory (``memory://``)
and on in Redis (``redis://``, when one answers), side by side.

    python -m bench.perf_limits [--smoke] [--redis URL] [--out DIR]

One app (the embedded default, as ``bench.perf_asgi`` sets it up, with
``bench.perf``'s service structure: gaussian_kde, d = 768, 4,096 features) answers the
same requests from one analyst key with three limiters in turn, swapped between rounds
(``AppState.limiter``, as ``app.bootstrap.rate_limiter`` builds it from the settings):
none (the default: no work), ``1000000/second;100000000/hour`` in memory (two windows,
never reached: every request is counted twice and passes) and the same in Redis. One
app for all three, because two apps in one process differ by more than the limiter
(measured: two apps without limits, 480 and 640 us a query). Two requests: a
single-point query, answered by the query fast lane, and ``GET /v1/kernels`` (FastAPI's
routing and dependencies, the key from the key cache). As in ``bench.perf_asgi``, the
app is called directly on the event loop of a ``TestClient`` and the figure is the
process's CPU time per request; the rounds of the three limiters alternate, so the
machine's noise falls on all of them alike. A last row times ``check_key`` alone (the
same two windows, one key). Writes ``perf_limits.json`` and ``perf_limits.md`` to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from contextlib import ExitStack, redirect_stderr
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.kde import machine_info
from bench.perf import FULL, SMOKE, Config, Mixture, _admin_key, set_up_structure

__all__ = ["main"]

LIMIT = "1000000/second;100000000/hour"
REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True, slots=True)
class Sizes:
    config: Config
    calls: int  # requests per round
    rounds: int  # rounds of each app, alternating, after a warm-up round


FULL_SIZES = Sizes(FULL, calls=1_000, rounds=7)
SMOKE_SIZES = Sizes(SMOKE, calls=20, rounds=2)


@dataclass(frozen=True, slots=True)
class Request:
    name: str
    method: str
    path: str
    body: bytes
    headers: tuple[tuple[bytes, bytes], ...]


async def _run(app: Any, request: Request, calls: int) -> tuple[float, set[int]]:
    """CPU seconds per call of ``app`` for ``request``, and the statuses it answered."""
    statuses: set[int] = set()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": request.body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.add(message["status"])

    cpu = time.process_time()
    for _ in range(calls):
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": request.method, "scheme": "http", "path": request.path,
                 "raw_path": request.path.encode(), "query_string": b"", "root_path": "",
                 "headers": list(request.headers), "client": ("127.0.0.1", 50000),
                 "server": ("127.0.0.1", 80), "state": {}, "app": app}
        await app(scope, receive, send)
    return (time.process_time() - cpu) / calls, statuses


async def _check_key(limiter: Any, key_id: uuid.UUID, calls: int) -> float:
    """CPU seconds per ``limiter.check_key`` call."""
    cpu = time.process_time()
    for _ in range(calls):
        await limiter.check_key(key_id)
    return (time.process_time() - cpu) / calls


def _redis_answers(url: str) -> bool:
    try:
        import redis
    except ImportError:
        return False
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=0.5).ping())
    except redis.RedisError:
        return False


def measure(sizes: Sizes, redis_url: str | None, tmp: Path,
            log: Any) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from app.bootstrap import rate_limiter
    from app.crypto import new_data_key
    from app.db.migrate import upgrade
    from app.logging import configure_logging
    from app.main import create_app
    from app.settings import Settings

    admin = _admin_key()
    settings = Settings(database_url=f"sqlite:///{tmp / 'privsim.sqlite'}",
                        var_dir=tmp / "var", data_key=new_data_key(), bootstrap_admin_key=admin,
                        inprocess_workers=1, backend="cpu", log_format="json",
                        log_level="INFO")
    upgrade(settings.resolved_database_url)
    with (tmp / "app.log").open("a") as app_log, ExitStack() as stack:
        with redirect_stderr(app_log):  # the app's JSON log lines go to a file
            app = create_app(settings)
        stack.callback(configure_logging, "text", "WARNING")  # back to stderr after
        client = stack.enter_context(TestClient(app))
        state = app.state.privsim
        limiters: dict[str, Any] = {"off": None}
        for name, overrides in (("memory", {"rate_limit": LIMIT}),
                                ("redis", {"rate_limit": LIMIT,
                                           "rate_limit_storage": redis_url})):
            if name == "redis" and redis_url is None:
                continue
            limiters[name] = rate_limiter(settings.model_copy(update=overrides), state.metrics)
        structure, analyst = set_up_structure(client, admin, sizes.config)
        point = Mixture(1, sizes.config.service_dim, 1).queries(1)
        body = json.dumps({"points": point.tolist(), "reduce": "mean"}).encode()
        auth = (b"authorization", f"Bearer {analyst}".encode())
        requests = [
            Request("query (fast lane)", "POST", f"/v1/structures/{structure}/query", body,
                    ((b"host", b"bench"), auth, (b"content-type", b"application/json"),
                     (b"content-length", str(len(body)).encode()))),
            Request("GET /v1/kernels (routed)", "GET", "/v1/kernels", b"",
                    ((b"host", b"bench"), auth)),
        ]
        samples: dict[str, dict[str, list[float]]] = {
            r.name: {v: [] for v in limiters} for r in requests}
        for request in requests:
            for name, limiter in limiters.items():  # warm-up; the key gets cached
                state.limiter = limiter
                _, statuses = client.portal.call(_run, app, request, max(1, sizes.calls // 3))
                if statuses != {200}:
                    raise RuntimeError(f"{name} {request.name} answered {sorted(statuses)}")
            for _ in range(sizes.rounds):
                for name, limiter in limiters.items():
                    state.limiter = limiter
                    cpu, statuses = client.portal.call(_run, app, request, sizes.calls)
                    if statuses != {200}:
                        raise RuntimeError(f"{name} {request.name} answered {statuses}")
                    samples[request.name][name].append(cpu)
            log(request.name + ": " + ", ".join(
                f"{v} {1e6 * statistics.median(s):.1f} us"
                for v, s in samples[request.name].items()))
        state.limiter = None
        # the limiter alone: one key's check (two windows)
        alone = "check_key alone"
        samples[alone] = {v: [] for v in limiters if v != "off"}
        key_id = uuid.uuid4()
        for _ in range(sizes.rounds):
            for name, limiter in limiters.items():
                if limiter is not None:
                    samples[alone][name].append(
                        client.portal.call(_check_key, limiter, key_id, sizes.calls))
        log(alone + ": " + ", ".join(f"{v} {1e6 * statistics.median(s):.1f} us"
                                     for v, s in samples[alone].items()))
        for limiter in limiters.values():
            if limiter is not None:
                client.portal.call(limiter.aclose)
    return {name: {variant: {"median": statistics.median(s), "min": min(s), "max": max(s),
                             "samples": s}
                   for variant, s in by_variant.items()}
            for name, by_variant in samples.items()}


def report_markdown(report: dict[str, Any]) -> str:
    lines = ["# Rate-limit overhead (CPU per request, in process)", "",
             f"`python -m bench.perf_limits{' --smoke' if report['mode'] == 'smoke' else ''}"
             f" --out bench/results`; limit `{report['limit']}`; {report['calls']} requests "
             f"a round, {report['rounds']} rounds per limiter, alternating (one app); "
             "median [min, max] in microseconds.", "",
             "| request | " + " | ".join(report["variants"]) + " | "
             + " | ".join(f"{v} - off" for v in report["variants"][1:]) + " |",
             "|" + " --- |" * (1 + 2 * len(report["variants"]) - 1)]
    for name, by_variant in report["results"].items():
        cells = [f"{1e6 * s['median']:.1f} [{1e6 * s['min']:.1f}, {1e6 * s['max']:.1f}]"
                 if (s := by_variant.get(v)) else "-" for v in report["variants"]]
        off = by_variant["off"]["median"] if "off" in by_variant else 0.0
        deltas = [f"{1e6 * (by_variant[v]['median'] - off):+.1f}"
                  for v in report["variants"][1:]]
        lines.append(f"| {name} | " + " | ".join(cells + deltas) + " |")
    machine = report["machine"]
    lines += ["", f"Machine: {machine['cpu_count']} CPUs ({machine['cpu_model']}), "
              f"Python {machine['python']}, load average at start "
              f"{machine['load_average_start']}."]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.perf_limits",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="the smallest sizes: seconds")
    parser.add_argument("--redis", default=REDIS_URL,
                        help="Redis for the shared-storage variant (skipped if it does "
                        "not answer)")
    parser.add_argument("--out", type=Path, default=None,
                        help="where perf_limits.{json,md} go (default: only printed)")
    args = parser.parse_args(argv)
    sizes = SMOKE_SIZES if args.smoke else FULL_SIZES

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    redis_url = args.redis if _redis_answers(args.redis) else None
    if redis_url is None:
        log(f"no Redis answers at {args.redis}: the redis variant is left out")
    machine = machine_info()
    with tempfile.TemporaryDirectory(prefix="privsim-limits-") as tmp:
        results = measure(sizes, redis_url, Path(tmp), log)
    variants = ["off", "memory"] + (["redis"] if redis_url is not None else [])
    report = {"benchmark": "perf_limits", "mode": "smoke" if args.smoke else "full",
              "limit": LIMIT, "redis": redis_url, "calls": sizes.calls,
              "rounds": sizes.rounds, "dim": sizes.config.service_dim,
              "features": sizes.config.service_features, "variants": variants,
              "results": results, "machine": machine}
    markdown = report_markdown(report)
    print(markdown)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "perf_limits.json").write_text(json.dumps(report, indent=2) + "\n")
        (args.out / "perf_limits.md").write_text(markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
