"""Running the installed ``privsim`` command as a user would, and checking how it ends."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

PRIVSIM = Path(sys.executable).parent / "privsim"
Run = Callable[..., subprocess.CompletedProcess[str]]


def cli_env(url: str | None, key: str | None, config: Path, **extra: str) -> dict[str, str]:
    """The environment of a user's shell: no server settings but those given (and a
    config file of the test's own, so a developer's real one never counts)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIVSIM_")}
    env["PRIVSIM_CONFIG"] = str(config)
    if url is not None:
        env["PRIVSIM_URL"] = url
    if key is not None:
        env["PRIVSIM_API_KEY"] = key
    return env | extra


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stderr}{result.stdout}"
    assert "Traceback" not in result.stderr
    return result


def refused(result: subprocess.CompletedProcess[str], code: int,
            *fragments: str) -> subprocess.CompletedProcess[str]:
    """The command failed with exit status ``code`` and a message, not a traceback."""
    assert result.returncode == code, f"exit {result.returncode}\n{result.stderr}"
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    return result
