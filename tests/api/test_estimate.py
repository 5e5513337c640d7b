"""POST /v1/datasets/{id}/structures:estimate: the cost and expected error of a build,
with nothing spent; and the size limit that refuses a build before any spend."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.db.migrate import upgrade
from app.main import create_app
from app.settings import Settings
from tests.conftest import make_settings
from tests.helpers import ADMIN, Api, unit_ball_rows

ROWS = unit_ball_rows(300, 3, seed=11)
KDE = {"bandwidth": 0.5, "features": 256}


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


@pytest.fixture
def dataset(api: Api) -> str:
    dataset_id = api.dataset(ADMIN, epsilon=2.0, delta=1e-5)
    api.upload(ADMIN, dataset_id, ROWS)
    return dataset_id


def _estimate(api: Api, dataset_id: str, kind: str, params: dict, epsilon: float,
              delta: float = 0.0, headers: dict[str, str] = ADMIN):
    return api.c.post(f"/v1/datasets/{dataset_id}/structures:estimate", headers=headers,
                      json={"kind": kind, "params": params,
                            "privacy": {"epsilon": epsilon, "delta": delta}})


def test_estimate_spends_nothing_and_matches_the_build(api: Api, dataset: str) -> None:
    before = api.c.get(f"/v1/datasets/{dataset}", headers=ADMIN).json()
    r = _estimate(api, dataset, "gaussian_kde", KDE, 0.5)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["spend"] == {"epsilon": 0.5, "delta": 0.0}
    assert body["affordable"] is True
    assert body["params"]["features"] == 256 and body["params"]["mechanism"] == "laplace"
    assert body["size_bytes"] > 0
    after = api.c.get(f"/v1/datasets/{dataset}", headers=ADMIN).json()
    assert after["budget"] == before["budget"]
    assert api.c.get(f"/v1/datasets/{dataset}/ledger", headers=ADMIN).json()["entries"] == []
    # the build with the same request spends exactly that, and its release reports the
    # noise std the estimate announced
    structure_id = api.built(ADMIN, dataset, kind="gaussian_kde", params=KDE, epsilon=0.5)
    built = api.c.get(f"/v1/structures/{structure_id}", headers=ADMIN).json()
    assert built["privacy"]["epsilon"] == body["privacy"]["epsilon"]
    assert built["privacy"]["statistics"] == body["privacy"]["statistics"]
    assert built["error_model"]["noise_std_sum"] == pytest.approx(
        body["error"]["noise_std_sum"], rel=1e-9)
    r = api.c.post(f"/v1/structures/{structure_id}/query", headers=ADMIN,
                   json={"points": ROWS[:5].tolist(), "reduce": "sum"})
    assert np.allclose(r.json()["std"], body["error"]["noise_std_sum"], rtol=1e-9)


def test_gaussian_mechanism_reports_rho(api: Api, dataset: str) -> None:
    body = _estimate(api, dataset, "gaussian_kde", KDE | {"mechanism": "gaussian"}, 1.0,
                     1e-6).json()
    assert body["spend"]["delta"] == pytest.approx(1e-6)
    assert 0 < body["spend"]["rho"] < 1.0


def test_unaffordable_requests_are_answered_not_refused(api: Api, dataset: str) -> None:
    body = _estimate(api, dataset, "sq_l2_distance", {}, 5.0).json()
    assert body["affordable"] is False
    assert body["remaining"] == {"epsilon": 2.0, "delta": 1e-5}


def test_too_few_rows_for_alpha_warns_with_the_rows_needed(api: Api, dataset: str) -> None:
    body = _estimate(api, dataset, "gaussian_kde", {"bandwidth": 0.5, "alpha": 0.05},
                     0.1).json()
    target = body["error"]["target_mean"]
    assert target == pytest.approx(0.05)
    assert body["error"]["noise_std_mean"] > target
    assert any("too few rows" in w for w in body["warnings"]), body["warnings"]
    needed = body["minimum_rows"]
    assert needed > len(ROWS)
    # a dataset of that many rows meets the target: the noise of a mean falls as 1/n
    assert body["error"]["noise_std_mean"] * len(ROWS) / needed <= target
    assert body["error"]["noise_std_mean"] * len(ROWS) / (needed - 1) > target
    # at a large epsilon and a loose alpha the same dataset is fine
    easy = _estimate(api, dataset, "gaussian_kde", {"bandwidth": 0.5, "alpha": 0.2},
                     2.0).json()
    assert not any("too few rows" in w for w in easy["warnings"]), easy["warnings"]


@pytest.mark.parametrize(("body", "status", "problem"), [
    ({"kind": "nope", "params": {}, "privacy": {"epsilon": 1.0}}, 422, "invalid-input"),
    ({"kind": "gaussian_kde", "params": {"features": 16}, "privacy": {"epsilon": 1.0}},
     422, "invalid-input"),  # bandwidth missing
    ({"kind": "gaussian_kde", "params": KDE | {"mechanism": "gaussian"},
      "privacy": {"epsilon": 1.0}}, 422, "invalid-input"),  # gaussian without delta
    ({"kind": "sq_l2_distance", "params": {}, "privacy": {"epsilon": -1}}, 422,
     "invalid-input"),
])
def test_bad_requests_are_problems(api: Api, dataset: str, body: dict, status: int,
                                   problem: str) -> None:
    r = api.c.post(f"/v1/datasets/{dataset}/structures:estimate", headers=ADMIN, json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"] == f"urn:privsim:problem:{problem}"


def test_analysts_may_not_estimate(api: Api, dataset: str) -> None:
    _, analyst = api.key("analyst", [dataset])
    assert _estimate(api, dataset, "sq_l2_distance", {}, 0.1, headers=analyst).status_code == 403


@pytest.fixture
def small_limit_client(sqlite_url: str, tmp_path: Path):
    settings: Settings = make_settings(sqlite_url, tmp_path / "var",
                                       max_structure_bytes=1_000_000)
    upgrade(settings.resolved_database_url)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def test_structures_above_the_memory_limit_are_refused_before_any_spend(
        small_limit_client: TestClient) -> None:
    api = Api(small_limit_client)
    dataset_id = api.dataset(ADMIN, epsilon=2.0)
    api.upload(ADMIN, dataset_id, ROWS)
    big = {"bandwidth": 0.5, "features": 65_536}  # 65,536 features x 3 dims + sums > 1 MB
    for path in ("structures", "structures:estimate"):
        r = small_limit_client.post(f"/v1/datasets/{dataset_id}/{path}", headers=ADMIN,
                                    json={"kind": "gaussian_kde", "params": big,
                                          "privacy": {"epsilon": 1.0}})
        assert r.status_code == 422, r.text
        problem = r.json()
        assert problem["type"] == "urn:privsim:problem:structure-too-large"
        assert problem["limit_bytes"] == 1_000_000 and problem["size_bytes"] > 1_000_000
    dataset = small_limit_client.get(f"/v1/datasets/{dataset_id}", headers=ADMIN).json()
    assert dataset["budget"]["epsilon"]["spent"] == 0


def test_an_extreme_value_bandwidth_is_warned_about(api: Api, dataset: str) -> None:
    """300 rows filling the unit ball in 3 dimensions (alpha = ln(300)/3 = 1.9): a
    Gaussian kernel of bandwidth 0.05 rests on a few rows (docs/bandwidth.md); 0.5 does
    not. Only the Gaussian kinds carry the warning, in the estimate and the build."""

    def warnings(kind: str, bandwidth: float) -> list[str]:
        r = _estimate(api, dataset, kind, {"bandwidth": bandwidth, "features": 256}, 1.0)
        assert r.status_code == 200, r.text
        return [w for w in r.json()["warnings"] if "extreme-value" in w]

    for kind in ("gaussian_kde", "rff_baseline"):
        assert len(warnings(kind, 0.05)) == 1, kind
        assert warnings(kind, 0.5) == [], kind
    assert warnings("laplace_kde", 0.05) == []
    built = api.build(ADMIN, dataset, params={"bandwidth": 0.05, "features": 256})
    assert any("extreme-value" in w for w in built["warnings"]), built["warnings"]
