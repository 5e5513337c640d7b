"""core.parallel: blocks of a batch on the query pool, and a batch answered in parallel
blocks equal to the same batch answered in one thread; OpenBLAS's idle threads sleep
(core's package setting)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import core.parallel as parallel
import core.structures.feature_maps as feature_maps
from core.domain import L2Ball
from core.parallel import threads
from core.privacy.budget import PrivacyBudget
from core.structures import DataSpec, noise_plan, parse_spec


def test_every_row_is_done_once_on_the_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "threads", lambda: 2)
    seen = np.zeros(1_000, dtype=int)
    names: set[str] = set()

    def work(start: int, stop: int) -> None:
        names.add(threading.current_thread().name)
        seen[start:stop] += 1

    parallel.run_blocks(1_000, 128, work)
    assert np.all(seen == 1)
    assert names and all(name.startswith("query") for name in names)
    names.clear()
    parallel.run_blocks(100, 128, work)  # one block: the caller's thread
    assert names == {threading.current_thread().name}


def test_a_failing_block_raises_in_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "threads", lambda: 2)

    def work(start: int, stop: int) -> None:
        if start >= 256:
            raise ValueError("block failed")

    with pytest.raises(ValueError, match="block failed"):
        parallel.run_blocks(1_000, 128, work)


def test_a_structured_batch_split_over_threads_answers_as_one_thread(
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = DataSpec(16, L2Ball(1.0), "add_remove")
    spec = parse_spec("gaussian_kde", {"bandwidth": 0.5, "features": 512,
                                       "frequencies": "structured"}, data)
    builder = spec.builder(3)
    rng = np.random.default_rng(4)
    rows = rng.normal(size=(200, 16)) / 8.0
    plan = noise_plan(spec, PrivacyBudget(1.0))
    release = builder.finish(plan.apply(builder.accumulate(rows)), plan)
    queries = rng.normal(size=(700, 16)) / 8.0
    for module in (parallel, feature_maps):
        monkeypatch.setattr(module, "threads", lambda: 1)
    alone = release.query(queries, "mean")
    for module in (parallel, feature_maps):
        monkeypatch.setattr(module, "threads", lambda: 3)
    assert feature_maps.query_block_rows(1_024, 700) == 234  # three blocks
    blocks: list[int] = []
    real = parallel.run_blocks
    monkeypatch.setattr(parallel, "run_blocks", lambda n, block, work: (
        blocks.append(block), real(n, block, work))[1])
    import core.structures.feature_sums as feature_sums
    monkeypatch.setattr(feature_sums, "run_blocks", parallel.run_blocks)
    split = release.query(queries, "mean")
    assert blocks == [234]
    # the same rows answered in blocks of another size: equal up to float32 rounding
    np.testing.assert_allclose(split.values, alone.values, rtol=0, atol=1e-5)
    np.testing.assert_allclose(split.std, alone.std)


_SPIN = """
import resource, time
import app  # an entry point: its package imports core's first
import numpy as np
a = np.ones((1024, 1024), dtype=np.float32)
for _ in range(3):
    a @ a
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
before = cpu()
time.sleep(0.1)
print(cpu() - before)
"""


@pytest.mark.parametrize("timeout", [None, "28"])
def test_openblas_threads_sleep_after_a_product(timeout: str | None) -> None:
    """core sets OPENBLAS_THREAD_TIMEOUT before NumPy loads (an operator's value wins):
    after a product, OpenBLAS's threads burn no CPU while the process sleeps. With the
    library's default (28) one spins through the whole sleep: the control."""
    if threads() < 2:
        pytest.skip("one CPU: OpenBLAS runs no threads")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    if timeout is not None:
        env["OPENBLAS_THREAD_TIMEOUT"] = timeout
    out = subprocess.run([sys.executable, "-c", _SPIN], env=env, capture_output=True,
                         text=True, check=True, timeout=120)
    spent = float(out.stdout.strip().splitlines()[-1])
    if timeout is None:
        assert spent < 0.02, f"{spent:.3f} s of CPU while asleep"
    else:
        assert spent > 0.01, f"the control spun for only {spent:.3f} s"
