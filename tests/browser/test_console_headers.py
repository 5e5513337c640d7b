"""The console's routes in process (no browser): the files, their types, the strict
security headers, nothing else under /console, and no trace in the OpenAPI document."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.api.console import CONTENT_SECURITY_POLICY, STATIC_DIR

ASSETS = {"/console": "text/html", "/console/": "text/html",
          "/console/console.js": "text/javascript", "/console/console.css": "text/css"}


@pytest.mark.parametrize(("path", "media_type"), ASSETS.items())
def test_console_files_carry_strict_security_headers(client: TestClient, path: str,
                                                     media_type: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media_type)
    csp = {d.split()[0]: d.split()[1:] for d in r.headers["content-security-policy"].split("; ")}
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["connect-src"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"] and csp["form-action"] == ["'none'"]
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "no-store"


def test_the_policy_allows_no_inline_code_nor_other_origins() -> None:
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert "http" not in CONTENT_SECURITY_POLICY and "*" not in CONTENT_SECURITY_POLICY


def test_the_page_has_no_inline_script_or_style_and_loads_nothing_from_elsewhere() -> None:
    page = (STATIC_DIR / "index.html").read_text()
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert re.search(r'src="/console/[a-z]+\.js"', tag), tag
    assert not re.search(r"<script\b[^>]*>[^<]+</script>", page)
    assert "<style" not in page and " style=" not in page
    assert not re.search(r"\son[a-z]+=", page), "no inline event handlers"
    assert "//" not in re.sub(r"<!--.*?-->", "", page).replace("http://www.w3.org", "")


def test_the_script_keeps_the_key_out_of_urls_and_storage_other_than_the_session() -> None:
    script = re.sub(r"(?m)^\s*//.*$", "", (STATIC_DIR / "console.js").read_text())
    assert "localStorage" not in script and "document.cookie" not in script
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script
    assert "Authorization: `Bearer ${state.key}`" in script


@pytest.mark.parametrize("path", ["/console/index.html", "/console/../app/main.py",
                                  "/console/console.py", "/console/x/console.js"])
def test_nothing_else_is_served_under_console(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"


def test_the_console_is_not_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert paths, "the document lists the API"
    assert not [p for p in paths if p.startswith("/console")]
    assert all(p.startswith("/v1/") or p in ("/healthz", "/readyz", "/metrics")
               for p in paths)
