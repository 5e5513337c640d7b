"""The web console: one page, its script and its style, served at ``/console``.

The page is static (``app/console/static``: plain HTML, JavaScript and CSS, no build
step) and talks to the ``/v1`` API from the browser with the key the user types in,
sent only in the ``Authorization`` header. Its responses carry a strict content
security policy: scripts, styles and connections from this origin only, nothing
inline, no frames, no forms posted anywhere, no referrer. The routes are not part of
the API, so they are left out of the OpenAPI document.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Response

from app.errors import NotFound

STATIC_DIR = Path(__file__).resolve().parents[1] / "console" / "static"

# Only these files are served, each with its type; nothing else under /console exists.
_ASSETS = {
    "console.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
}

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    # the script writes text only (textContent), never HTML: no sink may take a string
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
))

CONSOLE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}

router = APIRouter(include_in_schema=False)


def _file(name: str, media_type: str) -> Response:
    # read on each request: a few kilobytes, and an edited file shows without a restart
    return Response((STATIC_DIR / name).read_bytes(), media_type=media_type,
                    headers=CONSOLE_HEADERS)


@router.get("/console")
@router.get("/console/")
def console_page() -> Response:
    """The console's page."""
    return _file("index.html", "text/html; charset=utf-8")


@router.get("/console/{asset}")
def console_asset(asset: str) -> Response:
    """The console's script or style sheet; any other name is 404."""
    media_type = _ASSETS.get(asset)
    if media_type is None:
        raise NotFound("no such console file")
    return _file(asset, media_type)
