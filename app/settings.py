"""Service settings, read from ``PRIVSIM_*`` environment variables (and ``.env``).

Built only by ``get_settings()``; ``create_app(settings)`` and the workers take them
explicitly, so tests pass their own. Nothing builds ``Settings()`` at import time.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from limits import parse_many
from pydantic import (
    Field,
    PositiveFloat,
    PositiveInt,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

_PLACEHOLDERS = ("changethis", "changeme", "secret", "password", "admin", "example",
                 "0123456789", "abcdef", "qwerty")
MIN_BOOTSTRAP_KEY_LENGTH = 32
MIN_DISTINCT = 7  # different characters in a bootstrap key (weak_secret_reason)
_RATE_LIMIT_SCHEMES = ("memory", "redis", "rediss", "redis+unix", "redis+sentinel",
                       "redis+cluster", "async+redis", "async+rediss", "async+redis+unix",
                       "async+redis+sentinel", "async+redis+cluster")


def weak_secret_reason(secret: str) -> str | None:
    """Why ``secret`` does not look random enough for a long-lived admin key, or None.

    The service stores API keys as unsalted SHA-256 (fast to check, and its own keys
    carry 256 random bits); a key chosen by a person must therefore carry enough
    randomness itself: at least 32 characters, at least ``MIN_DISTINCT`` different ones,
    not a repetition of a shorter string and no placeholder or counting sequence in it.
    ``MIN_DISTINCT`` is 7: 32 random hexadecimal digits (``secrets.token_hex(16)``) use 9
    or fewer different ones once in about 10,000 keys, 6 or fewer once in 5 billion."""
    if len(secret) < MIN_BOOTSTRAP_KEY_LENGTH:
        return f"must be at least {MIN_BOOTSTRAP_KEY_LENGTH} characters"
    if len(set(secret)) < MIN_DISTINCT:
        return f"must use at least {MIN_DISTINCT} different characters (use a random key)"
    lowered = secret.lower()
    if any(word in lowered for word in _PLACEHOLDERS):
        return "must not contain a placeholder or a counting sequence (use a random key)"
    for period in range(1, len(secret) // 2 + 1):
        if len(secret) % period == 0 and secret == secret[:period] * (len(secret) // period):
            return "must not repeat a shorter string"
    return None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PRIVSIM_", env_file=".env", extra="ignore")

    environment: Literal["dev", "test", "prod"] = "dev"
    var_dir: Path = Path("var")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: a SQLite file under var_dir")
    data_key: SecretStr | None = Field(
        default=None, description="base64 of a 32-byte key encrypting raw rows at rest; "
        "generated into var_dir for the embedded default, required in prod")
    bootstrap_admin_key: SecretStr | None = None
    inprocess_workers: int = Field(default=1, ge=0, le=16)
    backend: Literal["auto", "cpu", "gpu"] = "auto"
    gpu_memory_bytes: PositiveInt | None = Field(
        default=None, description="the most device memory CuPy's pool may hold on the GPU "
        "backend (a build that needs more fails with the device's out-of-memory error "
        "rather than taking the whole device); a build holds one chunk of "
        "PRIVSIM_CHUNK_ROWS rows (8 bytes a value) and the temporaries of one block of at "
        "most 4 million values (a few times 32 MiB); None: CuPy's default, no limit")
    dask_address: str | None = Field(
        default=None, description="a Dask scheduler (e.g. tcp://10.0.0.5:8786): builds map "
        "their row chunks over its workers, which run privsim with the same PRIVSIM_* "
        "settings (docs/operations.md); None: every build runs in its worker")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_format: Literal["json", "text"] = "json"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # app.main: what exists once the API has started is frozen out of the cyclic GC
    gc_freeze: bool = True

    max_body_bytes: PositiveInt = 100 * 1024 * 1024
    max_upload_rows: PositiveInt = Field(
        default=5_000_000, description="most rows one upload may carry (413 above)")
    max_upload_decoded_bytes: PositiveInt = Field(
        default=512 * 1024 * 1024, description="most bytes one upload may decode to, as "
        "float64 rows (413 above); checked from the file's header or metadata before "
        "anything is decoded")
    max_query_points: PositiveInt = 100_000
    max_query_seconds: PositiveFloat = Field(
        default=10.0, description="estimated CPU seconds one query request may cost "
        "(points x the kind's per-point cost); larger requests get 413")
    max_build_seconds: PositiveFloat = Field(
        default=900.0, description="estimated CPU seconds one build may cost; larger "
        "builds are refused (422) before anything is spent")
    max_build_memory_bytes: PositiveInt = Field(
        default=2 * 1024**3, description="estimated peak memory of one build; larger "
        "builds are refused (422) before anything is spent")
    query_concurrency: PositiveInt = Field(
        default=4, description="query and upload computations run at once, off the "
        "event loop; others wait their turn")
    metrics_access: Literal["open", "admin"] = Field(
        default="open", description="'open': /metrics answers anyone (keep it reachable by "
        "the scraper only); 'admin': it needs an admin API key")
    max_budget_delta: float = Field(
        default=0.01, gt=0, le=1, description="a dataset's delta must be below this")
    max_budget_epsilon: PositiveFloat = 100.0
    chunk_rows: PositiveInt = 65_536
    max_structure_bytes: PositiveInt = Field(
        default=512 * 1024 * 1024, description="largest release a build may produce; "
        "larger requests are refused (422) before anything is spent")
    structure_cache_size: int = Field(default=32, ge=0)
    key_cache_seconds: float = Field(
        default=5.0, ge=0, le=300, description="each API process keeps the keys it "
        "authenticated for this long; a key revoked through another process is refused "
        "within it, and so is a query to a dataset deleted through another process (0: "
        "every request reads the database)")
    audit_flush_seconds: float = Field(
        default=0.2, ge=0, le=60, description="the audit events of queries, predictions "
        "and exports are journalled under var_dir/audit and written in batches this "
        "often, off the request path; never lost (a killed process's journal is replayed "
        "at the next start). 0: each is written in its request")

    solver_sync_scale: PositiveFloat = Field(
        default=1.0, description="a solver problem answers in the request while every size "
        "is at most this times its base limit (docs/solvers/jobs.md); larger ones run as "
        "jobs")
    solver_job_scale: PositiveFloat = Field(
        default=8.0, description="a solve job's sizes may reach this times the base "
        "limits; larger problems get 413")
    solver_sync_seconds: PositiveFloat = Field(
        default=30.0, description="a solve with a larger time_limit runs as a job")
    solver_job_seconds: PositiveFloat = Field(
        default=3600.0, description="the largest time_limit of a solve job (422 above)")
    inprocess_solver_workers: int = Field(
        default=1, ge=0, le=16, description="the API process's own workers for solve jobs "
        "(apart from the build workers, so a long solve never delays a build)")

    rate_limit: str | None = Field(
        default=None, description="requests each API key may make, as 'limits' strings "
        "joined by ';' (e.g. '100/second;5000/minute'); more get 429 with Retry-After. "
        "None or empty: no limit (the default)")
    rate_limit_heavy: str | None = Field(
        default=None, description="requests each API key may make to the operations that "
        "start heavy work (row uploads, structure and model builds, solves), on top of "
        "PRIVSIM_RATE_LIMIT (e.g. '10/minute'). None or empty: no such limit (the default)")
    rate_limit_auth_failures: str | None = Field(
        default=None, description="failed authentications each client address may make "
        "(e.g. '20/minute'); over it, its requests with a key this process has not "
        "seen recently get 429. None or empty: no limit (the default)")
    rate_limit_storage: str = Field(
        default="memory://", description="where the rate-limit counts live: 'memory://' "
        "(each API process counts on its own) or a redis:// (rediss://, "
        "redis+sentinel://, redis+cluster://) URL shared by every API process")
    rate_limit_strategy: Literal["fixed-window", "moving-window",
                                 "sliding-window-counter"] = "fixed-window"

    job_lease_seconds: PositiveFloat = 30.0
    job_heartbeat_seconds: PositiveFloat = 5.0
    job_poll_seconds: PositiveFloat = 0.5
    job_max_attempts: PositiveInt = 5
    db_pool_size: PositiveInt = 10
    db_max_overflow: int = Field(default=40, ge=0)

    @field_validator("rate_limit", "rate_limit_heavy", "rate_limit_auth_failures")
    @classmethod
    def _parse_rate_limit(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError("must be 'limits' strings such as '100/second;5000/minute'"
                             ) from exc
        return value

    @field_validator("rate_limit_storage")
    @classmethod
    def _rate_limit_storage_scheme(cls, value: str) -> str:
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in _RATE_LIMIT_SCHEMES:
            raise ValueError("must be memory:// or a redis://, rediss://, "
                             "redis+sentinel:// or redis+cluster:// URL")
        return value

    @model_validator(mode="after")
    def _refuse_weak_secrets(self) -> Self:
        key = self.bootstrap_admin_key
        if key is not None:
            reason = weak_secret_reason(key.get_secret_value())
            if reason is not None:
                raise ValueError(f"PRIVSIM_BOOTSTRAP_ADMIN_KEY {reason}; generate one with "
                                 "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`")
        if self.environment == "prod" and self.data_key is None:
            raise ValueError("PRIVSIM_DATA_KEY is required when PRIVSIM_ENVIRONMENT=prod")
        if self.solver_job_scale < self.solver_sync_scale:
            raise ValueError("solver_job_scale must be at least solver_sync_scale")
        if self.solver_job_seconds < self.solver_sync_seconds:
            raise ValueError("solver_job_seconds must be at least solver_sync_seconds")
        if self.job_heartbeat_seconds >= self.job_lease_seconds:
            raise ValueError("job_heartbeat_seconds must be shorter than job_lease_seconds")
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'privsim.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
