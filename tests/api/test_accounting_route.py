"""Each dataset composes its spends by one route, fixed when it is created: a "basic"
dataset refuses what only zCDP would admit, the 409 names the route, a Gaussian build of
a "zcdp" dataset's whole budget fits, and the migration gives existing datasets the
default route."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.db.migrate import downgrade, upgrade
from app.db.session import create_db_engine
from tests.helpers import ADMIN, Api, unit_ball_rows

ROWS = unit_ball_rows(50, 3, seed=31)
GAUSSIAN = {"kind": "inner_product", "params": {"mechanism": "gaussian"}}


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


def _request(api: Api, dataset_id: str, epsilon: float, delta: float,
             estimate: bool = False):
    url = f"/v1/datasets/{dataset_id}/structures" + (":estimate" if estimate else "")
    return api.c.post(url, headers=ADMIN,
                      json=GAUSSIAN | {"privacy": {"epsilon": epsilon, "delta": delta}})


def _admitted(api: Api, dataset_id: str, epsilon: float, delta: float) -> tuple[int, dict]:
    """Request Gaussian builds until one is refused: how many were accepted, and the
    refusal."""
    for accepted in range(100):
        estimate = _request(api, dataset_id, epsilon, delta, estimate=True).json()
        r = _request(api, dataset_id, epsilon, delta)
        assert estimate["affordable"] is (r.status_code == 202)
        if r.status_code != 202:
            assert r.status_code == 409
            return accepted, r.json()
    raise AssertionError("never refused")


@pytest.mark.slow
def test_a_basic_dataset_refuses_what_only_zcdp_would_admit(api: Api) -> None:
    basic = api.dataset(ADMIN, epsilon=2.0, delta=1e-5, accounting="basic")
    zcdp = api.dataset(ADMIN, epsilon=2.0, delta=1e-5, accounting="zcdp")
    for dataset_id in (basic, zcdp):
        api.upload(ADMIN, dataset_id, ROWS)
    accepted, refusal = _admitted(api, basic, 0.5, 1e-6)
    assert accepted == 4  # 4 x 0.5 = 2.0 by basic composition
    assert refusal["type"].endswith("privacy-budget-exhausted")
    assert refusal["accounting"] == "basic" and "(basic)" in refusal["detail"]
    assert refusal["remaining"] == {"epsilon": 0.0, "delta": 6e-06}
    budget = api.c.get(f"/v1/datasets/{basic}", headers=ADMIN).json()["budget"]
    assert budget["accounting"] == "basic" and budget["epsilon"]["spent"] == 2.0
    # the same builds compose in zCDP: many more fit the same budget
    accepted, refusal = _admitted(api, zcdp, 0.5, 1e-6)
    assert accepted > 10 and refusal["accounting"] == "zcdp"
    budget = api.c.get(f"/v1/datasets/{zcdp}", headers=ADMIN).json()["budget"]
    assert budget["accounting"] == "zcdp" and budget["epsilon"]["spent"] <= 2.0
    assert budget["delta"]["spent"] == 1e-5


def test_a_zcdp_dataset_counts_pure_builds_as_rho(api: Api) -> None:
    """Under zcdp a Laplace build of epsilon counts as rho = epsilon^2 / 2, converted at
    the dataset's delta: one of epsilon = 1 costs more than a (2.0, 1e-5) budget."""
    zcdp = api.dataset(ADMIN, epsilon=2.0, delta=1e-5, accounting="zcdp")
    api.upload(ADMIN, zcdp, ROWS)
    r = api.c.post(f"/v1/datasets/{zcdp}/structures", headers=ADMIN, json={
        "kind": "inner_product", "params": {}, "privacy": {"epsilon": 1.0}})
    assert r.status_code == 409 and r.json()["accounting"] == "zcdp"
    r = api.c.post(f"/v1/datasets/{zcdp}/structures", headers=ADMIN, json={
        "kind": "inner_product", "params": {}, "privacy": {"epsilon": 0.1}})
    assert r.status_code == 202


@pytest.mark.parametrize(("epsilon", "delta"), [(1.0, 1e-5), (1.0, 1e-12), (0.01, 1e-6),
                                                (1e-3, 1e-12), (4.0, 1e-6)])
def test_a_gaussian_build_of_the_whole_budget_fits(api: Api, epsilon: float,
                                                   delta: float) -> None:
    dataset_id = api.dataset(ADMIN, epsilon=epsilon, delta=delta, accounting="zcdp")
    api.upload(ADMIN, dataset_id, ROWS)
    assert _request(api, dataset_id, epsilon, delta, estimate=True).json()["affordable"]
    r = _request(api, dataset_id, epsilon, delta)
    assert r.status_code == 202, r.text
    budget = api.c.get(f"/v1/datasets/{dataset_id}", headers=ADMIN).json()["budget"]
    assert budget["accounting"] == "zcdp"
    assert budget["epsilon"]["remaining"] == 0.0
    assert budget["epsilon"]["spent"] == pytest.approx(epsilon, abs=1e-7)
    r = _request(api, dataset_id, epsilon * 1e-3, delta)
    assert r.status_code == 409 and r.json()["accounting"] == "zcdp"


def _insert_dataset(conn, key: uuid.UUID, delta_total: int) -> uuid.UUID:
    uid = (lambda u: u.hex) if conn.dialect.name == "sqlite" else (lambda u: u)
    dataset = uuid.uuid4()
    conn.execute(text(
        "INSERT INTO datasets (id, name, owner_key_id, dim, domain, neighbouring, "
        "on_out_of_domain, labelled, epsilon_total, delta_total, epsilon_spent, "
        "delta_spent, row_count, chunk_count, created_at) VALUES (:id, 'd', :k, 3, '{}', "
        "'add_remove', 'clip', false, 1000000000, :delta, 0, 0, 0, 0, CURRENT_TIMESTAMP)"),
        {"id": uid(dataset), "k": uid(key), "delta": delta_total})
    return dataset


def test_the_migration_gives_existing_datasets_the_default_route(sqlite_url: str,
                                                                  tmp_path: Path) -> None:
    upgrade(sqlite_url, "0002")
    engine = create_db_engine(sqlite_url, pooled=False)
    key = uuid.uuid4()
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO api_keys (id, name, role, key_hash, created_at) "
                "VALUES (:id, 'k', 'admin', 'h', CURRENT_TIMESTAMP)"), {"id": key.hex})
            pure = _insert_dataset(conn, key, 0)
            approximate = _insert_dataset(conn, key, 10**12)
        upgrade(sqlite_url)
        with engine.connect() as conn:
            routes = dict(conn.execute(text("SELECT id, accounting FROM datasets")).all())
        assert routes == {pure.hex: "basic", approximate.hex: "basic"}
        with engine.begin() as conn, pytest.raises(IntegrityError, match="CHECK"):
            conn.execute(text("UPDATE datasets SET accounting = 'pure+zcdp'"))
        downgrade(sqlite_url, "0002")
        with engine.connect() as conn:
            columns = [r[1] for r in conn.execute(text("PRAGMA table_info(datasets)"))]
        assert "accounting" not in columns
        upgrade(sqlite_url)
    finally:
        engine.dispose()
