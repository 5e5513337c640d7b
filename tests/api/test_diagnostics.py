"""POST /v1/diagnostics/bandwidth: the bandwidth advisor over HTTP (core:
tests/unit/core/test_bandwidth.py). Any valid key; bad input is a 422 problem."""

from __future__ import annotations

import math
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api import examples as ex
from tests.helpers import ADMIN, Api

URL = "/v1/diagnostics/bandwidth"
GOOD: dict[str, Any] = {"n": 602, "dim": 16, "bandwidth": 0.6 * math.sqrt(2),
                        "spectrum": [1.0] * 16}


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


def test_the_example_is_what_the_service_answers(api: Api) -> None:
    r = api.c.post(URL, headers=ADMIN, json=ex.BANDWIDTH_IN)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == set(ex.BANDWIDTH_OUT)
    for name, value in ex.BANDWIDTH_OUT.items():
        if isinstance(value, float):
            assert body[name] == pytest.approx(value, rel=1e-3), name
        else:
            assert body[name] == value, name


def test_any_key_gets_advice_and_nothing_without_one(api: Api) -> None:
    dataset = api.dataset(ADMIN)
    for role in ("owner", "analyst"):
        _, headers = api.key(role, [dataset] if role == "analyst" else None)
        r = api.c.post(URL, headers=headers, json=GOOD)
        assert r.status_code == 200, r.text
        body = r.json()
        # alpha = ln(602) / 16 = 0.4, h = 0.6 < h_G = 0.745 < h_CLT = 1.054
        assert body["alpha"] == pytest.approx(0.4, abs=1e-4)
        assert body["regime"] == "extreme_value"
        assert body["h"] == pytest.approx(0.6)
        assert body["h_g"] == pytest.approx(0.7454, abs=1e-4)
        assert body["h_clt"] == pytest.approx(1.0541, abs=1e-4)
        assert body["bandwidth_g"] == pytest.approx(math.sqrt(2) * body["h_g"])
        assert body["noise_std"] is None and body["snr"] is None
        assert "extreme-value" in body["warning"]
    r = api.c.post(URL, json=GOOD)
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"


def test_with_privacy_the_snr_is_the_typical_sum_over_the_noise(api: Api) -> None:
    r = api.c.post(URL, headers=ADMIN, json=GOOD | {
        "bandwidth": 2.0, "privacy": {"epsilon": 1.0}, "mechanism": "laplace",
        "features": 256})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["regime"] == "clt" and body["warning"] is None
    assert body["snr"] == pytest.approx(body["typical_sum"] / body["noise_std"])


@pytest.mark.parametrize("change", [
    {"n": None},                                   # missing field
    {"spectrum": None},                            # missing field
    {"spectrum": [-1.0] + [1.0] * 15},             # negative variance
    {"spectrum": [1.0] * 15},                      # length != dim
    {"spectrum": [0.0] * 16},                      # all 0
    {"n": 1},                                      # n < 2
    {"n": 10**12 + 1},
    {"n": 602.0},                                  # not an integer
    {"dim": 0},
    {"dim": 65_537, "spectrum": [1.0] * 16},
    {"bandwidth": 0.0},                            # bandwidth out of range
    {"bandwidth": 1e19},
    {"features": 1},
    {"mechanism": "cauchy"},
    {"privacy": {"epsilon": 1.0}},                 # gaussian needs a delta (core refuses)
    {"extra": 1},
])
def test_bad_input_is_a_422_problem(api: Api, change: dict[str, Any]) -> None:
    body = {k: v for k, v in (GOOD | change).items() if v is not None}
    r = api.c.post(URL, headers=ADMIN, json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "urn:privsim:problem:invalid-input"


@pytest.mark.parametrize("raw", [b"NaN", b"Infinity", b"-Infinity"])
@pytest.mark.parametrize("template", [
    b'{"n": 10, "dim": 3, "bandwidth": %s, "spectrum": [1, 1, 1]}',
    b'{"n": 10, "dim": 3, "bandwidth": 1, "spectrum": [1, %s, 1]}',
])
def test_non_finite_numbers_are_refused(api: Api, raw: bytes, template: bytes) -> None:
    r = api.c.post(URL, headers=ADMIN | {"content-type": "application/json"},
                   content=template % raw)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
