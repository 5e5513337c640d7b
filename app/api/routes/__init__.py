"""Routers. Each carries its full path prefix, so route templates (metrics, logs) are
the public paths."""

V1 = "/v1"
