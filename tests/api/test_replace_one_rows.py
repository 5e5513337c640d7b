"""Under replace_one the row count is public and released exactly, so which rows enter a
build must not depend on their values: out-of-domain rows are clipped, never dropped.
A dataset stored with replace_one and on_out_of_domain "reject" before that combination
was refused is built as add_remove (a noisy count)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from app.db.models import DatasetRow
from core.structures.serialization import read_header
from tests.helpers import ADMIN, Api, unit_ball_rows

ROWS = unit_ball_rows(10, 3, seed=21)
FAR = np.array([[50.0, -40.0, 30.0]])  # far outside the unit ball
BUILDS: list[tuple[str, dict[str, Any]]] = [
    ("inner_product", {}),
    ("gaussian_kde", {"bandwidth": 0.5, "features": 16}),
]


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


def _released_count(api: Api, structure_id: str) -> tuple[float, dict[str, Any]]:
    """The count in the exported release file, and the plan's entry for it."""
    r = api.c.get(f"/v1/structures/{structure_id}/export", headers=ADMIN)
    assert r.status_code == 200, r.text
    header, _ = read_header(r.content)
    count = next(s for s in header["plan"]["statistics"] if s["statistic"] == "count")
    return float(header["count"]), count


def _plan(api: Api, structure_id: str) -> dict[str, dict[str, Any]]:
    read = api.c.get(f"/v1/structures/{structure_id}", headers=ADMIN).json()
    return {s["statistic"]: s for s in read["privacy"]["statistics"]}


@pytest.mark.parametrize(("kind", "params"), BUILDS)
def test_a_replacement_by_an_outside_value_does_not_change_the_released_count(
        api: Api, kind: str, params: dict[str, Any]) -> None:
    """The review's neighbouring pair: D has 10 in-domain rows; D' has the same first 9
    and one far outside the domain in place of the 10th. Both are replace_one (clip):
    their releases carry the same exact count, 10."""
    counts = []
    for rows in (ROWS, np.vstack([ROWS[:9], FAR])):
        dataset = api.dataset(ADMIN, epsilon=10.0, delta=0.0, neighbouring="replace_one")
        uploaded = api.upload(ADMIN, dataset, rows)
        assert uploaded["accepted"] == 10 and uploaded["rejected"] == 0
        structure = api.built(ADMIN, dataset, kind=kind, params=params, epsilon=1.0)
        count, spec = _released_count(api, structure)
        assert spec["mechanism"] == "none" and spec["sensitivity"] == 0.0
        counts.append(count)
    assert counts == [10.0, 10.0]


def _make_legacy(api: Api, dataset_id: str) -> None:
    """What a replace_one + reject dataset created before the fix looks like: the same
    row, written directly."""
    with api.state.uow(write=True) as tx:
        tx.session.execute(update(DatasetRow).where(DatasetRow.id == UUID(dataset_id))
                           .values(on_out_of_domain="reject"))
        tx.commit()


@pytest.mark.parametrize(("kind", "params"), BUILDS)
def test_a_legacy_replace_one_reject_dataset_is_built_as_add_remove(
        api: Api, kind: str, params: dict[str, Any]) -> None:
    legacy = api.dataset(ADMIN, epsilon=10.0, delta=0.0, neighbouring="replace_one")
    _make_legacy(api, legacy)
    read = api.c.get(f"/v1/datasets/{legacy}", headers=ADMIN).json()
    assert (read["neighbouring"], read["on_out_of_domain"]) == ("replace_one", "reject")
    assert api.upload(ADMIN, legacy, np.vstack([ROWS, FAR]))["rejected"] == 1
    reference = api.dataset(ADMIN, epsilon=10.0, delta=0.0, neighbouring="add_remove",
                            on_out_of_domain="reject")
    api.upload(ADMIN, reference, ROWS)

    built = api.built(ADMIN, legacy, kind=kind, params=params, epsilon=1.0)
    plan = _plan(api, built)
    # the count is released with noise, and every statistic is planned as under add_remove
    assert plan["count"]["mechanism"] == "laplace" and plan["count"]["sensitivity"] == 1.0
    expected = _plan(api, api.built(ADMIN, reference, kind=kind, params=params, epsilon=1.0))
    assert {name: (s["mechanism"], s["sensitivity"], s["noise_scale"])
            for name, s in plan.items()} == {
        name: (s["mechanism"], s["sensitivity"], s["noise_scale"])
        for name, s in expected.items()}
    count, spec = _released_count(api, built)
    assert spec["mechanism"] == "laplace"
    assert count != 10.0  # noisy (a Laplace draw landing on exactly 10.0 is impossible)
