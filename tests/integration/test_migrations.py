"""Migrations run forwards, backwards and forwards again on SQLite and PostgreSQL, and
leave a schema identical to the models (``alembic check``)."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from app.db.base import Base
from app.db.migrate import alembic_config, downgrade, head_revision, upgrade
from app.db.session import create_db_engine

TABLES = {"api_keys", "datasets", "dataset_grants", "row_chunks", "structures",
          "structure_blobs", "jobs", "solve_data", "ledger_entries", "audit_events"}


def _tables(url: str) -> set[str]:
    engine = create_db_engine(url, pooled=False)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(db_url: str) -> None:
    upgrade(db_url)
    assert _tables(db_url) == TABLES
    downgrade(db_url, "base")
    assert _tables(db_url) == set()
    upgrade(db_url)
    assert _tables(db_url) == TABLES
    engine = create_db_engine(db_url, pooled=False)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert context.get_current_revision() == head_revision()
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_alembic_check_command(db_url: str) -> None:
    upgrade(db_url)
    command.check(alembic_config(db_url))  # raises if models and migrations disagree


def test_solve_jobs_go_on_a_downgrade_below_them(db_url: str) -> None:
    """0007 makes a job's structure and dataset nullable for solve jobs; going back to
    0006 removes the solve jobs (and their data), which the older schema cannot hold."""
    import uuid

    from sqlalchemy import text

    upgrade(db_url)
    engine = create_db_engine(db_url, pooled=False)
    job = uuid.uuid4()
    try:
        with engine.begin() as conn:
            uid = (lambda u: u.hex) if conn.dialect.name == "sqlite" else (lambda u: u)
            conn.execute(text(
                "INSERT INTO jobs (id, kind, status, progress, attempts, created_at, "
                "updated_at) VALUES (:id, 'solve_ot', 'queued', 0, 0, CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP)"), {"id": uid(job)})
            conn.execute(text("INSERT INTO solve_data (job_id, problem) VALUES (:id, :p)"),
                         {"id": uid(job), "p": b"npz"})
        downgrade(db_url, "0006")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM jobs")).scalar_one() == 0
        assert "solve_data" not in _tables(db_url)
        upgrade(db_url)
    finally:
        engine.dispose()


def test_the_app_refuses_an_unmigrated_database(sqlite_url: str, tmp_path) -> None:
    from fastapi.testclient import TestClient

    from app.main import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(sqlite_url, tmp_path / "var"))
    with pytest.raises(RuntimeError, match="privsim migrate"), TestClient(app):
        pass


def test_zcdp_counters_are_backfilled_from_the_ledger(db_url: str) -> None:
    """Spends recorded before the zCDP counters existed get them from their mechanism."""
    import json
    import uuid

    from sqlalchemy import text

    upgrade(db_url, "0001")
    engine = create_db_engine(db_url, pooled=False)
    key, dataset = uuid.uuid4(), uuid.uuid4()
    laplace, gaussian = uuid.uuid4(), uuid.uuid4()
    gauss_plan = {"mechanism": "gaussian", "statistics": [
        {"statistic": "features", "rho": 0.01}, {"statistic": "count", "rho": 0.005}]}
    try:
        with engine.begin() as conn:
            uid = (lambda u: u.hex) if conn.dialect.name == "sqlite" else (lambda u: u)
            conn.execute(text(
                "INSERT INTO api_keys (id, name, role, key_hash, created_at) "
                "VALUES (:id, 'k', 'admin', 'h', CURRENT_TIMESTAMP)"), {"id": uid(key)})
            conn.execute(text(
                "INSERT INTO datasets (id, name, owner_key_id, dim, domain, neighbouring, "
                "on_out_of_domain, labelled, epsilon_total, delta_total, epsilon_spent, "
                "delta_spent, row_count, chunk_count, created_at) VALUES (:id, 'd', :k, 3, "
                "'{}', 'add_remove', 'clip', false, 5000000000, 1000000000000, 1500000000, "
                "0, 0, 0, CURRENT_TIMESTAMP)"), {"id": uid(dataset), "k": uid(key)})
            for structure, entry, eps, delta, mech in (
                    (laplace, "spend", 500_000_000, 0, {"mechanism": "laplace"}),
                    (gaussian, "spend", 1_000_000_000, 1_000_000_000_000, gauss_plan),
                    (gaussian, "refund", -1_000_000_000, -1_000_000_000_000, {"reason": "x"})):
                conn.execute(text(
                    "INSERT INTO ledger_entries (dataset_id, structure_id, entry, epsilon, "
                    "delta, mechanism, created_at) VALUES (:d, :s, :e, :eps, :delta, :m, "
                    "CURRENT_TIMESTAMP)"), {"d": uid(dataset), "s": uid(structure), "e": entry,
                                            "eps": eps, "delta": delta,
                                            "m": json.dumps(mech)})
        upgrade(db_url)
        with engine.connect() as conn:
            counters = conn.execute(text(
                "SELECT pure_epsilon_spent, rho_spent, pure_rho_spent FROM datasets")).one()
            ledger = conn.execute(text(
                "SELECT entry, pure_epsilon, rho, pure_rho FROM ledger_entries ORDER BY id")).all()
        # 0.5^2 / 2 = 0.125 -> 125e9 units of 1e-12; the Gaussian 0.015 was refunded
        assert tuple(counters) == (500_000_000, 0, 125_000_000_000)
        assert [tuple(r) for r in ledger] == [
            ("spend", 500_000_000, 0, 125_000_000_000),
            ("spend", 0, 15_000_000_000, 0),
            ("refund", 0, -15_000_000_000, 0)]
        downgrade(db_url, "0001")  # and back, with the data in place
        upgrade(db_url)
    finally:
        engine.dispose()


def test_error_models_are_rewritten_to_the_shared_shape(db_url: str) -> None:
    """Error models stored by older builds, with per-kind keys, get the shape every kind
    now reports; the moment kinds' noise_std_sum comes from their stored stds and the
    dataset's public facts, as a fresh build reports it."""
    import json
    import uuid

    from sqlalchemy import text

    from core.domain import L2Ball
    from core.structures.base import DataSpec, upgrade_error_model

    upgrade(db_url, "0004")
    engine = create_db_engine(db_url, pooled=False)
    key, dataset = uuid.uuid4(), uuid.uuid4()
    kde, moments, pending = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    kde_model = {"noise_std_sum": 13.5, "count_noise_std": 2.0,
                 "approximation_std_mean": 0.25}
    moment_model = {"sum_noise_std": 3.0, "count_noise_std": 2.0,
                    "approximation_std_mean": 0.0, "sum_sq_noise_std": 5.0}
    try:
        with engine.begin() as conn:
            uid = (lambda u: u.hex) if conn.dialect.name == "sqlite" else (lambda u: u)
            conn.execute(text(
                "INSERT INTO api_keys (id, name, role, key_hash, created_at) "
                "VALUES (:id, 'k', 'admin', 'h', CURRENT_TIMESTAMP)"), {"id": uid(key)})
            conn.execute(text(
                "INSERT INTO datasets (id, name, owner_key_id, dim, domain, neighbouring, "
                "on_out_of_domain, labelled, epsilon_total, delta_total, epsilon_spent, "
                "delta_spent, pure_epsilon_spent, rho_spent, pure_rho_spent, row_count, "
                "chunk_count, accounting, created_at) VALUES (:id, 'd', :k, 3, :domain, "
                "'add_remove', 'clip', false, 5000000000, 0, 0, 0, 0, 0, 0, 0, 0, 'basic', "
                "CURRENT_TIMESTAMP)"),
                {"id": uid(dataset), "k": uid(key),
                 "domain": json.dumps({"type": "l2_ball", "radius": 2.0})})
            for structure, kind, model in ((kde, "gaussian_kde", kde_model),
                                           (moments, "sq_l2_distance", moment_model),
                                           (pending, "inner_product", None)):
                conn.execute(text(
                    "INSERT INTO structures (id, dataset_id, kind, params, seed, status, "
                    "epsilon, delta, noise_plan, error_model, created_by, created_at) "
                    "VALUES (:id, :d, :kind, '{}', 's', 'ready', 1000000000, 0, '{}', "
                    ":model, :k, CURRENT_TIMESTAMP)"),
                    {"id": uid(structure), "d": uid(dataset), "kind": kind, "k": uid(key),
                     "model": None if model is None else json.dumps(model)})
        upgrade(db_url)

        def models() -> dict[str, object]:
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT kind, error_model FROM structures")).all()
            return {kind: (json.loads(model) if isinstance(model, str) else model)
                    for kind, model in rows}

        data = DataSpec(3, L2Ball(2.0), "add_remove")
        upgraded = models()
        assert upgraded["gaussian_kde"] == {**kde_model, "details": {}}
        assert upgraded["sq_l2_distance"] == upgrade_error_model("sq_l2_distance",
                                                                 moment_model, data)
        assert set(upgraded["sq_l2_distance"]) == {  # type: ignore[arg-type]
            "noise_std_sum", "count_noise_std", "approximation_std_mean", "details"}
        assert upgraded["sq_l2_distance"]["details"] == {  # type: ignore[index]
            "sum_noise_std": 3.0, "sum_sq_noise_std": 5.0}
        assert upgraded["inner_product"] is None
        downgrade(db_url, "0004")  # and back: the flat per-kind mappings again
        assert models() == {"gaussian_kde": kde_model, "sq_l2_distance": moment_model,
                            "inner_product": None}
        upgrade(db_url)
        assert models() == upgraded
    finally:
        engine.dispose()
