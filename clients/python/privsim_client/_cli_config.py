"""Where the ``privsim`` command finds its server and key.

Precedence, for each of the URL and the key: the global option (``--url``, ``--key``),
then the environment (``PRIVSIM_URL``, ``PRIVSIM_API_KEY``), then the config file
(``PRIVSIM_CONFIG``, else ``config.toml`` in ``typer.get_app_dir("privsim")``). The
file is TOML with two strings, ``url`` and ``key``, written with mode 0600.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import typer

URL_ENV = "PRIVSIM_URL"
KEY_ENV = "PRIVSIM_API_KEY"
CONFIG_ENV = "PRIVSIM_CONFIG"
FIELDS = ("url", "key")


class ConfigError(Exception):
    """The settings are missing or the config file cannot be read or written."""


@dataclass(frozen=True, slots=True)
class Connection:
    url: str
    key: str
    timeout: float


def config_path() -> Path:
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        return Path(explicit).expanduser()
    return Path(typer.get_app_dir("privsim")) / "config.toml"


def read_config(path: Path | None = None) -> dict[str, str]:
    """The config file's settings; an absent file is empty."""
    path = path or config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc}") from exc
    settings: dict[str, str] = {}
    for name in FIELDS:
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ConfigError(f"{path}: {name} must be a string")
        settings[name] = value
    return settings


def write_config(values: dict[str, str], path: Path | None = None) -> Path:
    """Update the config file with ``values``; only its owner may read it (0600)."""
    path = path or config_path()
    settings = read_config(path) | values
    text = "".join(f"{name} = {json.dumps(settings[name])}\n"  # a JSON string is a TOML one
                   for name in FIELDS if name in settings)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            os.fchmod(out.fileno(), 0o600)  # also when the file existed with wider modes
            out.write(text)
    except OSError as exc:
        raise ConfigError(f"cannot write the config file {path}: {exc}") from exc
    return path


def resolve(url: str | None, key: str | None, timeout: float) -> Connection:
    """The connection settings by precedence: option, environment, config file."""
    url = url or os.environ.get(URL_ENV) or None
    key = key or os.environ.get(KEY_ENV) or None
    if url is None or key is None:
        stored = read_config()
        url = url or stored.get("url")
        key = key or stored.get("key")
    if not url:
        raise ConfigError(f"no server URL: set {URL_ENV}, run `privsim config set-url URL`, "
                          "or pass --url")
    if not key:
        raise ConfigError(f"no API key: set {KEY_ENV}, run `privsim config set-key`, "
                          "or pass --key")
    return Connection(url.rstrip("/"), key, timeout)


def mask(key: str) -> str:
    """A key shown without its secret part."""
    return key[:8] + "..." if len(key) > 12 else "..."
