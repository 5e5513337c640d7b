"""CPU per query request through the ASGI apps, in this process: privsim's query route
(dense and structured frequencies) against the bare endpoints of ``bench.perf_bare``,
with no HTTP server, load generator or socket in between.

    python -m bench.perf_asgi [--smoke] [--out DIR]

``bench.perf``'s service section measures requests/s over loopback, where uvicorn, the
load generator and the machine's other work share 2 cores and move the figures by
+-10% between rounds. Here each app is called directly, one request after another, on
the event loop of a ``TestClient`` (the same for both apps), and the figure is the
process's CPU time per request (its background threads included: the audit journal's
flush, the in-process worker's polling): what the app itself costs, and the ratio the
service goal is about without the noise of the load.

privsim runs on its embedded default (SQLite in a temporary directory, one in-process
worker, JSON logs at INFO to a file), set up through its API as ``bench.perf`` does:
the same 768-d point, the same structure sizes. It writes ``perf_asgi.json`` to
``--out``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack, redirect_stderr
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.perf import FULL, SMOKE, Config, Mixture, _admin_key, set_up_structure

__all__ = ["main", "measure"]


@dataclass(frozen=True, slots=True)
class Sizes:
    config: Config  # the service section's sizes (rows, d, features)
    calls: int  # requests per round
    rounds: int  # rounds after a warm-up round; median and min reported


FULL_SIZES = Sizes(FULL, calls=1_000, rounds=7)
SMOKE_SIZES = Sizes(SMOKE, calls=20, rounds=2)


def measure(app: Any, path: str, body: bytes, headers: Sequence[tuple[bytes, bytes]],
            portal: Any, sizes: Sizes) -> dict[str, Any]:
    """CPU and wall seconds per request of ``app`` for this request, in rounds."""

    async def run(calls: int) -> tuple[float, float, set[int]]:
        statuses: set[int] = set()

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.add(message["status"])

        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(calls):
            scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                     "method": "POST", "scheme": "http", "path": path,
                     "raw_path": path.encode(), "query_string": b"", "root_path": "",
                     "headers": list(headers), "client": ("127.0.0.1", 50000),
                     "server": ("127.0.0.1", 80), "state": {}, "app": app}
            await app(scope, receive, send)
        return ((time.process_time() - cpu) / calls, (time.perf_counter() - wall) / calls,
                statuses)

    portal.call(run, max(1, sizes.calls // 3))  # warm-up
    cpus, walls, statuses = [], [], set()
    for _ in range(sizes.rounds):
        cpu, wall, seen = portal.call(run, sizes.calls)
        cpus.append(cpu)
        walls.append(wall)
        statuses |= seen
    if statuses != {200}:
        raise RuntimeError(f"{path} answered {sorted(statuses)}")
    return {"cpu_seconds": {"median": statistics.median(cpus), "min": min(cpus),
                            "samples": cpus},
            "wall_seconds": {"median": statistics.median(walls), "min": min(walls)}}


def _privsim(sizes: Sizes, body: bytes, tmp: Path,
             log: Callable[[str], None]) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from app.crypto import new_data_key
    from app.db.migrate import upgrade
    from app.logging import configure_logging
    from app.main import create_app
    from app.settings import Settings

    admin = _admin_key()
    settings = Settings(database_url=f"sqlite:///{tmp / 'privsim.sqlite'}",
                        var_dir=tmp / "var", data_key=new_data_key(),
                        bootstrap_admin_key=admin, inprocess_workers=1, backend="cpu",
                        log_format="json", log_level="INFO")
    upgrade(settings.resolved_database_url)
    out = {}
    with (tmp / "app.log").open("a") as app_log, ExitStack() as stack:
        with redirect_stderr(app_log):  # the app's JSON log lines go to a file
            app = create_app(settings)
        stack.callback(configure_logging, "text", "WARNING")  # back to stderr after
        client = stack.enter_context(TestClient(app))
        for frequencies in ("orthogonal", "structured"):
            structure, analyst = set_up_structure(client, admin, sizes.config, frequencies)
            path = f"/v1/structures/{structure}/query"
            headers = [(b"host", b"bench"), (b"authorization", f"Bearer {analyst}".encode()),
                       (b"content-type", b"application/json"),
                       (b"content-length", str(len(body)).encode())]
            check = client.post(path, content=body, headers={
                k.decode(): v.decode() for k, v in headers if k != b"content-length"})
            check.raise_for_status()
            out[frequencies] = measure(app, path, body, headers, client.portal, sizes)
            log(f"privsim {frequencies}: "
                f"{1e6 * out[frequencies]['cpu_seconds']['median']:.0f} us CPU a request")
    return out


def _bare(sizes: Sizes, body: bytes, log: Callable[[str], None]) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from bench.perf_bare import app

    headers = [(b"host", b"bench"), (b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode())]
    out = {}
    with TestClient(app) as client:
        for name in ("pydantic", "orjson"):
            out[name] = measure(app, f"/{name}", body, headers, client.portal, sizes)
            log(f"bare {name}: {1e6 * out[name]['cpu_seconds']['median']:.0f} us CPU a request")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.perf_asgi",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="the smallest sizes: seconds")
    parser.add_argument("--out", type=Path, default=None,
                        help="where perf_asgi.json goes (default: only printed)")
    args = parser.parse_args(argv)
    sizes = SMOKE_SIZES if args.smoke else FULL_SIZES
    config = sizes.config

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    point = Mixture(1, config.service_dim, 1).queries(1)
    body = json.dumps({"points": point.tolist(), "reduce": "mean"}).encode()
    with tempfile.TemporaryDirectory(prefix="privsim-asgi-") as tmp:
        privsim = _privsim(sizes, body, Path(tmp), log)
    bare = _bare(sizes, body, log)
    reference = bare["pydantic"]["cpu_seconds"]["median"]
    report = {
        "benchmark": "perf_asgi", "mode": "smoke" if args.smoke else "full",
        "dim": config.service_dim, "features": config.service_features,
        "rows": config.service_rows, "calls": sizes.calls, "rounds": sizes.rounds,
        "privsim": privsim, "bare": bare,
        "ratio_to_bare_pydantic": {name: reference / v["cpu_seconds"]["median"]
                                   for name, v in privsim.items()},
    }
    for name, ratio in report["ratio_to_bare_pydantic"].items():
        print(f"privsim {name}: {1e6 * privsim[name]['cpu_seconds']['median']:.0f} us CPU "
              f"a request, {ratio:.2f} of the bare pydantic endpoint's requests per CPU "
              f"second ({1e6 * reference:.0f} us)")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "perf_asgi.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
