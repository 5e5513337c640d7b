"""The web console in a real headless Chromium (Debian's ``chromium``, driven by
Playwright) against a real ``privsim serve`` with an in-process build worker.

An owner signs in, sees the dataset and its budget bar, starts a build, watches its job
finish, plots a structure's answers along a line (the drawn values are those of the
same query over HTTP) and sees the spend in the ledger. An analyst sees what it may and
is told what it may not; a wrong key is refused. Throughout: the key never appears in
a URL, every API request carries it in the Authorization header, the console's
responses carry the strict headers, and the browser reports no errors and no content
security policy violation. Screenshots go to ``test-output/console/``.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np
import pytest

from app.db.migrate import upgrade
from tests.conftest import ADMIN_KEY
from tests.helpers import npy_bytes, unit_ball_rows
from tests.live import ROOT, server, service_env

pytestmark = pytest.mark.e2e

playwright_api = pytest.importorskip("playwright.sync_api")

SHOTS = ROOT / "test-output" / "console"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
TIMEOUT_MS = 30_000
HOSTILE_NAME = '<img src=x onerror="window.__ran = 1">'
# an init script: every content security policy violation the page meets is kept
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@dataclass
class Service:
    base: str
    owner: str
    analyst: str
    dataset: str
    dataset_name: str = "console demo"


@dataclass
class Watched:
    """What one browser page did: its requests, responses and console messages."""

    requests: list[Any] = field(default_factory=list)
    responses: list[Any] = field(default_factory=list)
    console: list[Any] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def errors(self) -> list[str]:
        return [m.text for m in self.console if m.type == "error"] + self.page_errors


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    tmp = tmp_path_factory.mktemp("console")
    url = f"sqlite:///{tmp / 'privsim.db'}"
    upgrade(url)
    env = service_env(url, tmp / "var", PRIVSIM_INPROCESS_WORKERS="1")
    with server(env, tmp / "server.log") as base, httpx.Client(base_url=base,
                                                               timeout=30) as http:
        owner = http.post("/v1/keys", headers=ADMIN,
                          json={"role": "owner", "name": "console owner"}).json()["key"]
        as_owner = {"Authorization": f"Bearer {owner}"}
        dataset = http.post("/v1/datasets", headers=as_owner, json={
            "name": "console demo", "dim": 3, "domain": {"type": "l2_ball", "radius": 1},
            "budget": {"epsilon": 2, "delta": 1e-6}}).json()["id"]
        http.post(f"/v1/datasets/{dataset}/rows", content=npy_bytes(unit_ball_rows(3000, 3)),
                  headers=as_owner | {"Content-Type": "application/x-npy"}
                  ).raise_for_status()
        # a name that would run code if it were ever written as HTML
        http.post("/v1/datasets", headers=as_owner, json={
            "name": HOSTILE_NAME, "dim": 2, "domain": {"type": "box", "low": 0, "high": 1},
            "budget": {"epsilon": 1}}).raise_for_status()
        analyst = http.post("/v1/keys", headers=ADMIN, json={
            "role": "analyst", "name": "console analyst", "dataset_ids": [dataset]}).json()
        yield Service(base, owner, analyst["key"], dataset)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("Debian's chromium is not installed (make chromium)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True)
        yield browser
        browser.close()


def open_console(browser: Any, service: Service) -> tuple[Any, Any, Watched]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    watched = Watched()
    page.on("request", lambda request: watched.requests.append(request))
    page.on("response", lambda response: watched.responses.append(response))
    page.on("console", lambda message: watched.console.append(message))
    page.on("pageerror", lambda error: watched.page_errors.append(str(error)))
    page.add_init_script(WATCH_CSP)
    response = page.goto(f"{service.base}/console")
    assert response is not None and response.status == 200
    return context, page, watched


def sign_in(page: Any, key: str) -> None:
    page.fill("#key", key)
    page.click("#sign-in-button")


def assert_key_only_in_headers(watched: Watched, key: str) -> None:
    assert watched.requests, "the page made requests"
    for request in watched.requests:
        assert key not in request.url, request.url
        assert key not in (request.post_data or ""), request.url
        if "/v1/" in request.url:
            assert request.headers.get("authorization") == f"Bearer {key}", request.url
            assert "cookie" not in request.headers


def assert_console_headers(watched: Watched) -> None:
    console = [r for r in watched.responses if "/console" in r.url]
    assert {r.url.rsplit("/", 1)[-1] for r in console} >= {"console", "console.js",
                                                           "console.css"}
    for response in console:
        headers = response.headers
        csp = headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp, csp
        assert "style-src 'self'" in csp and "frame-ancestors 'none'" in csp, csp
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"
    hosts = {r.url.split("/")[2] for r in watched.requests}
    assert hosts == {service_host(watched)}, "no request left the service's origin"


def service_host(watched: Watched) -> str:
    return str(watched.requests[0].url.split("/")[2])


def assert_nothing_else_was_refused(watched: Watched, rate_limited: int = 0) -> None:
    """No request failed but the 429s the test made up (``rate_limited`` of them, on job
    polls), which the browser logs as errors; nothing else may log an error. The page
    learns the key's role from GET /v1/keys/me, which every key may read."""
    refused = [(r.status, r.url) for r in watched.responses if r.status >= 400]
    polls = [u for status, u in refused if status == 429 and "/v1/jobs/" in u]
    assert len(polls) == rate_limited
    assert len(refused) == len(polls), refused
    assert any(r.url.endswith("/v1/keys/me") and r.status == 200 for r in watched.responses)
    errors = watched.errors()
    assert len(errors) == len(refused), errors
    assert all(e.startswith("Failed to load resource") for e in errors), errors


def assert_no_csp_violation(page: Any) -> None:
    assert page.evaluate("window.__cspViolations") == []


def test_owner_signs_in_builds_and_plots(browser: Any, service: Service) -> None:
    context, page, watched = open_console(browser, service)
    sign_in(page, service.owner)
    page.wait_for_selector("#who-text:has-text('owner')")
    dataset_row = page.locator(f"#datasets-table tr[data-dataset-id='{service.dataset}']")
    assert service.dataset_name in dataset_row.inner_text()
    assert "3000" in dataset_row.inner_text()  # the owner sees the row count
    epsilon = dataset_row.locator(".budget[data-symbol='ε']")
    assert epsilon.get_attribute("data-total") == "2"
    assert epsilon.get_attribute("data-spent") == "0"
    assert epsilon.locator("rect.spent").get_attribute("width") == "0"
    hostile = page.locator("#datasets-table tbody tr").filter(has_text=HOSTILE_NAME)
    assert hostile.count() == 1, "the name is shown as text"
    assert page.locator("#datasets-table img").count() == 0
    assert page.evaluate("window.__ran") is None
    page.screenshot(path=str(SHOTS / "01-signed-in.png"), full_page=True)

    dataset_row.locator("button").click()
    page.wait_for_selector("#dataset:not([hidden])")
    page.wait_for_selector("#build-kind option[value='gaussian_kde']", state="attached")
    assert page.locator("#structures-empty").is_visible()
    page.select_option("#build-kind", "gaussian_kde")
    page.fill("#build-params", '{"bandwidth": 0.5, "features": 512}')
    page.fill("#build-epsilon", "1")
    page.fill("#build-delta", "0")
    # the first poll of the job is answered as if over a rate limit: the page waits the
    # Retry-After and goes on following the job
    limited: list[str] = []

    def rate_limit_once(route: Any) -> None:
        if limited:
            route.continue_()
            return
        limited.append(route.request.url)
        route.fulfill(status=429, headers={"Retry-After": "1"},
                      content_type="application/problem+json",
                      body='{"title": "Too many requests", "status": 429}')

    page.route("**/v1/jobs/*", rate_limit_once)
    page.click("#build-button")
    page.wait_for_selector("#job[data-status='succeeded']")
    assert page.locator("#job-progress").evaluate("p => p.value") == 1
    assert page.inner_text("#job-percent") == "100%"
    assert not page.locator("#build-error").is_visible()

    # the new structure is listed as ready with its error model, and chosen for the plot
    structure_row = page.locator("#structures-table tr[data-status='ready']")
    assert structure_row.count() == 1
    structure_id = structure_row.get_attribute("data-structure-id")
    assert "noise std (sum)" in structure_row.inner_text()
    page.wait_for_selector("#plot:not([hidden])")
    assert page.input_value("#plot-a") == "-1, 0, 0"
    assert page.input_value("#plot-b") == "1, 0, 0"
    page.click("#plot-button")
    page.wait_for_selector("#plot-line")
    page.screenshot(path=str(SHOTS / "02-built-and-plotted.png"), full_page=True)

    # the plotted values are the structure's answers to the same points over HTTP
    drawn = np.array([float(v) for v in page.locator(
        "#plot-table td.value").evaluate_all("cells => cells.map(c => c.dataset.value)")])
    n = 101
    a, b = np.array([-1.0, 0.0, 0.0]), np.array([1.0, 0.0, 0.0])
    points = [[float(aj + (i / (n - 1)) * (bj - aj)) for aj, bj in zip(a, b, strict=True)]
              for i in range(n)]
    answer = httpx.post(f"{service.base}/v1/structures/{structure_id}/query",
                        headers={"Authorization": f"Bearer {service.owner}"},
                        json={"points": points, "reduce": "mean"}, timeout=30).json()
    values = np.array(answer["values"])
    np.testing.assert_allclose(drawn, values, rtol=1e-12, atol=0)
    assert values.max() > values[[0, -1]].max(), "the density peaks inside the ball"

    # the line and the band in the SVG are those values and value +- 2 sigma
    svg = page.locator("#plot-svg")
    y_low, y_high = (float(svg.get_attribute(a)) for a in ("data-y-low", "data-y-high"))
    line = _xy(page.get_attribute("#plot-line", "points"))
    band = _xy(page.get_attribute("#plot-band", "points"))
    assert line.shape == (n, 2) and band.shape == (2 * n, 2)
    top, height = 16, 380 - 16 - 56  # the plot's margins and height in console.js

    def pixel(y: np.ndarray) -> np.ndarray:
        return top + (1 - (y - y_low) / (y_high - y_low)) * height

    sigma = np.hypot(answer["std"], answer["approximation_std"])
    np.testing.assert_allclose(line[:, 1], pixel(values), atol=0.01)
    np.testing.assert_allclose(band[:n, 1], pixel(values + 2 * sigma), atol=0.01)
    np.testing.assert_allclose(band[n:, 1], pixel(values - 2 * sigma)[::-1], atol=0.01)
    assert np.all(np.diff(line[:, 0]) > 0)
    assert "approximation_std" in page.inner_text("#plot-caption")

    # a 2-D slice through the centre over coordinates 1 and 2: the answers and their band
    assert page.input_value("#slice-through") == "0, 0, 0"
    page.click("#slice-button")
    page.wait_for_selector("#slice-svg")
    grid = 41
    shown = np.array(page.locator("#slice-svg g.value rect[data-value]").evaluate_all(
        "cells => cells.map(c => Number(c.dataset.value))"))
    band_shown = np.array(page.locator("#slice-svg g.band rect[data-value]").evaluate_all(
        "cells => cells.map(c => Number(c.dataset.value))"))
    axis = [-1.0 + (k / (grid - 1)) * 2.0 for k in range(grid)]
    sliced = httpx.post(f"{service.base}/v1/structures/{structure_id}/query",
                        headers={"Authorization": f"Bearer {service.owner}"}, timeout=30,
                        json={"points": [[x, y, 0.0] for y in axis for x in axis],
                              "reduce": "mean"}).json()
    np.testing.assert_allclose(shown, sliced["values"], rtol=1e-12, atol=0)
    np.testing.assert_allclose(
        band_shown, 2 * np.hypot(sliced["std"], sliced["approximation_std"]), rtol=1e-12)
    page.locator("#slice-svg").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "03-slice.png"), full_page=True)

    # the spend is in the ledger and the audit log, and the budget bar moved
    spend = page.locator("#ledger-table tr[data-entry='spend']")
    assert spend.count() == 1
    assert float(spend.get_attribute("data-epsilon")) == pytest.approx(1.0)
    assert page.locator("#audit-table tr[data-action='build']").count() == 1
    assert page.locator("#audit-table tr[data-action='build_ready']").count() == 1
    budget = page.locator("#dataset-budget .budget[data-symbol='ε']")
    assert float(budget.get_attribute("data-spent")) == pytest.approx(1.0)
    assert float(budget.locator("rect.spent").get_attribute("width")) == pytest.approx(100)
    page.locator("#records").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "04-ledger.png"), full_page=True)

    assert_key_only_in_headers(watched, service.owner)
    assert_console_headers(watched)
    assert len(limited) == 1
    assert_nothing_else_was_refused(watched, rate_limited=1)
    assert_no_csp_violation(page)
    # the policy is enforced (and the watch above would have seen a violation)
    page.evaluate("""() => { const img = document.createElement("img");
                             img.src = "https://example.invalid/x.png";
                             document.body.appendChild(img); }""")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__cspViolations")[0].startswith("img-src")

    page.click("#sign-out")
    assert page.locator("#sign-in").is_visible()
    assert page.evaluate("sessionStorage.length") == 0
    context.close()


def _xy(points: str | None) -> np.ndarray:
    assert points
    return np.array([[float(v) for v in pair.split(",")] for pair in points.split()])


def test_analyst_sees_and_plots_but_cannot_build(browser: Any, service: Service) -> None:
    ready = _ensure_a_ready_structure(service)
    context, page, watched = open_console(browser, service)
    page.check("#remember")
    sign_in(page, service.analyst)
    page.wait_for_selector("#who-text:has-text('analyst')")
    dataset_row = page.locator(f"#datasets-table tr[data-dataset-id='{service.dataset}']")
    assert "hidden" in dataset_row.inner_text()  # no row count for an analyst
    dataset_row.locator("button").click()
    page.wait_for_selector("#dataset:not([hidden])")
    assert page.locator("#build-denied").is_visible()
    assert not page.locator("#build-form").is_visible()
    assert page.locator("#ledger-denied").is_visible()
    assert not page.locator("#ledger-table").is_visible()
    assert not page.locator("#audit-table").is_visible()
    page.locator(f"#structures-table tr[data-structure-id='{ready}'] button").click()
    page.wait_for_selector("#plot:not([hidden])")
    page.click("#plot-button")
    page.wait_for_selector("#plot-line")
    assert page.locator("#plot-table td.value").count() == 101
    page.screenshot(path=str(SHOTS / "05-analyst.png"), full_page=True)

    # kept for this tab only, by choice: a reload signs in again without the key typed
    assert page.evaluate("sessionStorage.length") == 1
    assert page.evaluate("localStorage.length") == 0
    assert page.context.cookies() == []
    page.reload()
    page.wait_for_selector("#who-text:has-text('analyst')")

    assert_key_only_in_headers(watched, service.analyst)
    assert_console_headers(watched)
    assert_nothing_else_was_refused(watched)  # no job or ledger request was tried
    assert_no_csp_violation(page)
    context.close()


def test_a_wrong_key_is_refused_with_a_message(browser: Any, service: Service) -> None:
    context, page, watched = open_console(browser, service)
    wrong = "psk_" + "x" * 43
    sign_in(page, wrong)
    page.wait_for_selector("#sign-in-error:not([hidden])")
    assert "not accepted" in page.inner_text("#sign-in-error")
    assert not page.locator("#datasets").is_visible()
    assert_key_only_in_headers(watched, wrong)
    assert page.evaluate("sessionStorage.length") == 0
    assert all("status of 401" in e for e in watched.errors()), watched.errors()
    assert_no_csp_violation(page)
    context.close()


def _ensure_a_ready_structure(service: Service) -> str:
    """A ready structure on the dataset (the owner's test builds one; built here when
    this test runs alone)."""
    as_owner = {"Authorization": f"Bearer {service.owner}"}
    with httpx.Client(base_url=service.base, headers=as_owner, timeout=30) as http:
        ready = [s["id"] for s in http.get("/v1/structures").json()["structures"]
                 if s["status"] == "ready"]
        if ready:
            return str(ready[0])
        build = http.post(f"/v1/datasets/{service.dataset}/structures", json={
            "kind": "sq_l2_distance", "privacy": {"epsilon": 0.5}}).json()
        for _ in range(600):
            job = http.get(f"/v1/jobs/{build['job_id']}").json()
            if job["status"] in ("succeeded", "failed"):
                break
            time.sleep(0.1)
        assert job["status"] == "succeeded", job
        return str(build["structure_id"])
