"""The web console (/console): its headers in process, and the page in a real headless
Chromium against a real server."""
