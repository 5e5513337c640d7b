"""The client against the real app in process: an owner's session and an analyst's,
paging, queries split over several requests, problems as ProblemError, waiting."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import numpy as np
import pytest
from privsim_client import ApiError, Client, JobFailed, ProblemError, WaitTimeout
from privsim_client._generated.models import DatasetRead, JobRead, StructureAccepted
from privsim_client.offline import load_release

from tests.client.conftest import AppFactory, InProcess
from tests.helpers import ADMIN, Api, unit_ball_rows

BALL = {"type": "l2_ball", "radius": 1.0}


def _owner_with_structure(app: InProcess, rows: np.ndarray) -> tuple[Client, str, str]:
    """An owner key, a dataset of ``rows`` and a ready gaussian_kde structure."""
    owner = app.client(app.admin.create_key("owner", "alice").key)
    me = owner.whoami()
    assert (me.name, me.role) == ("alice", "owner")
    dataset = owner.create_dataset("demo", rows.shape[1], BALL, {"epsilon": 2, "delta": 1e-6})
    owner.upload_rows(dataset.id, rows)
    build = owner.build(dataset.id, "gaussian_kde", {"bandwidth": 0.5, "features": 256},
                        {"epsilon": 1})
    owner.wait(build.job_id, poll_seconds=0.05, timeout=60)
    return owner, str(dataset.id), str(build.structure_id)


def test_an_owner_and_an_analyst_session(app: InProcess, tmp_path: Path) -> None:
    rows = unit_ball_rows(300, 3, seed=1)
    owner = app.client(app.admin.create_key("owner", "alice").key)
    dataset = owner.create_dataset("demo", 3, BALL, {"epsilon": 2, "delta": 1e-6},
                                   neighbouring="add_remove")
    assert isinstance(dataset, DatasetRead) and dataset.dim == 3
    outside = np.array([[0.8, 0.8, 0.8]])
    uploaded = owner.upload_rows(dataset.id, np.vstack([rows, outside]))
    assert (uploaded.accepted, uploaded.clipped, uploaded.rejected) == (301, 1, 0)
    assert owner.get_dataset(dataset.id).row_count == 301

    kernels = {k.kind for k in owner.kernels()}
    assert {"gaussian_kde", "inner_product"} <= kernels
    params = {"bandwidth": 0.5, "features": 256}
    estimate = owner.estimate(dataset.id, "gaussian_kde", params, {"epsilon": 1})
    assert estimate.affordable and estimate.spend.epsilon == 1
    build = owner.build(dataset.id, "gaussian_kde", params, {"epsilon": 1})
    assert isinstance(build, StructureAccepted)
    seen: list[str] = []
    job = owner.wait(build.job_id, progress=lambda j: seen.append(j.status),
                     poll_seconds=0.05, timeout=60)
    assert isinstance(job, JobRead) and job.status == "succeeded"
    assert seen[-1] == "succeeded"
    assert owner.get_structure(build.structure_id).status == "ready"
    assert [str(s.id) for s in owner.list_structures(dataset.id)] == [str(build.structure_id)]

    points = unit_ball_rows(5, 3, seed=2)
    answer = owner.query(build.structure_id, points, reduce="mean")
    assert answer.reduce == "mean"
    assert answer.values.shape == answer.std.shape == answer.approximation_std.shape == (5,)
    assert answer.values.dtype == np.float64 and np.all(answer.std > 0)

    analyst_key = app.admin.create_key("analyst", "bob")
    granted = owner.grant(dataset.id, analyst_key.id)
    assert granted.created
    analyst = app.client(analyst_key.key)
    assert analyst.get_dataset(dataset.id).row_count is None  # the count is private
    again = analyst.query(build.structure_id, points, reduce="mean")
    np.testing.assert_array_equal(again.values, answer.values)  # a release is fixed
    with pytest.raises(ProblemError) as refused:
        analyst.build(dataset.id, "inner_product", None, {"epsilon": 0.1})
    assert (refused.value.status, refused.value.code) == (403, "forbidden")

    exported = analyst.export(build.structure_id, tmp_path)
    assert exported.parent == tmp_path and exported.suffix == ".privsim"
    offline = load_release(exported).query(points, reduce="mean")
    np.testing.assert_array_equal(offline.values, answer.values)
    np.testing.assert_array_equal(offline.std, answer.std)
    np.testing.assert_array_equal(offline.approximation_std, answer.approximation_std)

    ledger = owner.ledger(dataset.id)
    assert [(e.entry, e.epsilon) for e in ledger.entries] == [("spend", 1.0)]
    assert ledger.budget.epsilon.remaining == 1.0
    actions = [e.action for e in owner.audit(dataset.id).events]
    assert actions[:3] == ["create", "upload", "build"] and "query" in actions


def test_lists_and_logs_follow_every_page(app: InProcess) -> None:
    owner_key = app.admin.create_key("owner", "alice").key
    owner = app.client(owner_key)
    made = [str(owner.create_dataset(f"d{i}", 2, BALL, {"epsilon": 1}).id) for i in range(3)]
    keys = app.admin.list_keys()
    assert {k.name for k in keys} >= {"alice"}

    # pages of one item: the client must follow next_after to see all three
    seen: list[str] = []
    app.http.event_hooks["request"] = [lambda r: seen.append(str(r.url))]
    try:
        datasets = app.client(owner_key, page_size=1).list_datasets()
    finally:
        app.http.event_hooks["request"] = []
    assert [str(d.id) for d in datasets] == made
    assert len(seen) == 3 and sum("after=" in url for url in seen) == 2

    audit = owner.audit(made[0], limit=1)
    assert audit.next_after is None and [e.action for e in audit.events] == ["create"]
    for dataset_id in made[1:]:
        owner.delete_dataset(dataset_id)
    assert [str(d.id) for d in owner.list_datasets()] == made[:1]


def test_query_is_split_into_requests_the_service_accepts(start_app: AppFactory) -> None:
    app = start_app(max_query_points=10)
    rows = unit_ball_rows(200, 3, seed=5)
    owner, _, structure = _owner_with_structure(app, rows)
    points = unit_ball_rows(25, 3, seed=6)

    app.transport.statuses.clear()
    whole = owner.query(structure, points)  # 25 > 10: a 413 names max_points, then 3 more
    assert app.transport.statuses == [413, 200, 200, 200]
    assert whole.values.shape == (25,)

    app.transport.statuses.clear()
    parts = owner.query(structure, points, max_points=7)
    assert app.transport.statuses == [200, 200, 200, 200]
    # float32 features (the default precision) round a little differently per batch:
    # about 1e-6 of the answers' scale (a small answer's relative error is larger)
    scale = np.abs(whole.values).max()
    np.testing.assert_allclose(parts.values, whole.values, rtol=1e-5, atol=1e-5 * scale)
    np.testing.assert_allclose(parts.std, whole.std, rtol=1e-5)

    one = owner.query(structure, points[3])  # a single point as a 1-d array
    assert one.values.shape == (1,)
    np.testing.assert_allclose(one.values[0], whole.values[3], rtol=1e-5, atol=1e-5 * scale)


def test_problems_are_raised_with_their_fields(app: InProcess) -> None:
    missing = uuid.uuid4()
    with pytest.raises(ProblemError) as not_found:
        app.admin.get_dataset(missing)
    error = not_found.value
    assert (error.status, error.code, error.title) == (404, "not-found", "Not found")
    assert error.detail and error.problem["instance"] == f"/v1/datasets/{missing}"
    assert error.problem["type"] == "urn:privsim:problem:not-found"

    with pytest.raises(ProblemError) as invalid:
        app.admin.create_dataset("bad", 0, BALL, {"epsilon": 1})
    error = invalid.value
    assert (error.status, error.code) == (422, "invalid-input")
    assert any(e["loc"][-1] == "dim" for e in error.problem["errors"])

    with pytest.raises(ProblemError) as unknown_key:
        app.client("psk_" + "x" * 43).list_datasets()
    assert (unknown_key.value.status, unknown_key.value.code) == (401, "unauthorized")

    rows = unit_ball_rows(50, 3, seed=7)
    owner, dataset, _ = _owner_with_structure(app, rows)
    with pytest.raises(ProblemError) as exhausted:
        owner.build(dataset, "inner_product", None, {"epsilon": 5})
    assert exhausted.value.code == "privacy-budget-exhausted"
    assert exhausted.value.problem["remaining"]["epsilon"] == pytest.approx(1.0)


def test_a_failed_job_raises_job_failed(start_app: AppFactory) -> None:
    app = start_app(inprocess_workers=0)  # builds run when this test says so
    owner = app.client(app.admin.create_key("owner", "alice").key)
    dataset = owner.create_dataset("demo", 3, BALL, {"epsilon": 2})
    owner.upload_rows(dataset.id, unit_ball_rows(50, 3, seed=8))
    build = owner.build(dataset.id, "inner_product", None, {"epsilon": 1})
    with pytest.raises(WaitTimeout):
        owner.wait(build.job_id, poll_seconds=0.05, timeout=0.2)

    assert app.app_client.delete(f"/v1/datasets/{dataset.id}/rows",
                                 headers=ADMIN).status_code == 200
    Api(app.app_client).run_jobs()  # the build finds no rows: it fails and is refunded
    with pytest.raises(JobFailed) as failed:
        owner.wait(build.job_id, poll_seconds=0.05, timeout=10)
    assert failed.value.error and "purged" in failed.value.error
    assert failed.value.job.status == "failed"
    assert [e.entry for e in owner.ledger(dataset.id).entries] == ["spend", "refund"]


def test_wait_draws_a_progress_bar(app: InProcess, capsys: pytest.CaptureFixture[str]) -> None:
    owner, dataset, _ = _owner_with_structure(app, unit_ball_rows(50, 3, seed=9))
    build = owner.build(dataset, "inner_product", None, {"epsilon": 0.5})
    job = owner.wait(build.job_id, progress=True, poll_seconds=0.05, timeout=60)
    assert job.status == "succeeded"
    assert "succeeded" in capsys.readouterr().out


def test_a_classifier_model(app: InProcess, tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(3, 8)) * 0.3
    labels = rng.integers(0, 3, size=600)
    rows = centres[labels] + 0.05 * rng.normal(size=(600, 8))
    owner = app.client(app.admin.create_key("owner", "alice").key)
    dataset = owner.create_dataset("labelled", 8, BALL, {"epsilon": 2, "delta": 1e-5},
                                   classes=[0, 1, 2])
    assert owner.upload_rows(dataset.id, rows, labels=labels).accepted == 600
    accepted = owner.create_model(
        dataset.id, "classifier", {"epsilon": 1, "delta": 1e-6},
        structure={"kind": "gaussian_kde",
                   "params": {"bandwidth": 0.5, "features": 512, "mechanism": "gaussian"}})
    owner.wait(accepted.job_id, poll_seconds=0.05, timeout=60)
    assert owner.get_model(accepted.model_id).status == "ready"
    points = centres[[0, 1, 2]]
    prediction = owner.predict(accepted.model_id, points)
    assert prediction.classes == [0, 1, 2] and prediction.labels == [0, 1, 2]
    exported = owner.export_model(accepted.model_id, tmp_path / "model.privsim")
    offline = load_release(exported).predict(points)
    assert list(offline.labels) == prediction.labels


def test_an_answer_that_is_not_a_problem_is_an_api_error() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>bad gateway</html>",
                              headers={"Content-Type": "text/html"})

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with pytest.raises(ApiError) as caught:
        Client("http://proxy", "psk_x", http=http).list_datasets()
    assert not isinstance(caught.value, ProblemError)
    assert caught.value.status == 502 and "bad gateway" in caught.value.body


def test_offline_needs_the_privsim_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "core.structures", None)
    with pytest.raises(ImportError, match="privsim package"):
        load_release(b"PRIVSIM\0")
