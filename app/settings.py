"""Service settings, read from ``PRIVSIM_*`` environment variables (and ``.env``).

Built only by ``get_settings()``; ``create_app(settings)`` and the workers take them
explicitly, so tests pass their own. Nothing builds ``Settings()`` at import time.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, PositiveFloat, PositiveInt, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_PLACEHOLDERS = {"changethis", "changeme", "secret", "password", "admin"}


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

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_format: Literal["json", "text"] = "json"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    max_body_bytes: PositiveInt = 100 * 1024 * 1024
    max_query_points: PositiveInt = 100_000
    max_budget_epsilon: PositiveFloat = 100.0
    chunk_rows: PositiveInt = 65_536
    max_structure_bytes: PositiveInt = Field(
        default=512 * 1024 * 1024, description="largest release a build may produce; "
        "larger requests are refused (422) before anything is spent")
    structure_cache_size: int = Field(default=32, ge=0)

    job_lease_seconds: PositiveFloat = 30.0
    job_heartbeat_seconds: PositiveFloat = 5.0
    job_poll_seconds: PositiveFloat = 0.5
    job_max_attempts: PositiveInt = 5
    db_pool_size: PositiveInt = 10
    db_max_overflow: int = Field(default=40, ge=0)

    @model_validator(mode="after")
    def _refuse_weak_secrets(self) -> Self:
        key = self.bootstrap_admin_key
        if key is not None:
            secret = key.get_secret_value()
            if secret.lower() in _PLACEHOLDERS or len(secret) < 16:
                raise ValueError("PRIVSIM_BOOTSTRAP_ADMIN_KEY must be at least 16 characters "
                                 "and not a placeholder")
        if self.environment == "prod" and self.data_key is None:
            raise ValueError("PRIVSIM_DATA_KEY is required when PRIVSIM_ENVIRONMENT=prod")
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
