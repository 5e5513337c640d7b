"""Prometheus metrics, one registry per app (so tests can build many apps)."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.requests = Counter("privsim_http_requests_total", "HTTP requests",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("privsim_http_request_seconds", "HTTP request latency",
                                 ["method", "route"], registry=self.registry)
        self.query_points = Counter("privsim_query_points_total", "Query points answered",
                                    registry=self.registry)
        self.builds_requested = Counter("privsim_builds_requested_total",
                                        "Structure builds accepted", ["kind"],
                                        registry=self.registry)
        self.rate_limited = Counter("privsim_rate_limited_total",
                                    "Requests refused with 429 by a rate limit: 'key' (the "
                                    "key's limit) or 'auth-failures' (its address's)",
                                    ["kind"], registry=self.registry)
