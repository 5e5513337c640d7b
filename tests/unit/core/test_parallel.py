"""core.parallel: blocks of a batch on the query pool, and a batch answered in parallel
blocks equal to the same batch answered in one thread."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import core.parallel as parallel
import core.structures.feature_maps as feature_maps
from core.domain import L2Ball
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
