"""Regenerate the client's models, ``privsim_client._generated``, from the service's
OpenAPI schema.

    python clients/python/generate.py           # rewrite privsim_client/_generated
    python clients/python/generate.py --check   # exit 1 if the committed tree is stale

The schema is taken from the application itself (``app.main.create_app``, built on a
throwaway SQLite path that is never opened), so no server is needed; it needs the
``privsim`` package installed beside the client, as in the repository's .venv. The
generator is openapi-python-client, with the settings in ``openapi-config.yaml``; it
refuses to write a tree if it had to leave any part of the schema out.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "openapi-config.yaml"
TARGET = HERE / "privsim_client" / "_generated"


@contextmanager
def _without_service_environment() -> Iterator[None]:
    """The schema must not depend on the PRIVSIM_* variables of whoever runs this."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("PRIVSIM_")}
    for name in saved:
        del os.environ[name]
    try:
        yield
    finally:
        os.environ.update(saved)


def openapi_schema() -> dict[str, Any]:
    """The service's OpenAPI document, from the app factory with default settings."""
    from app.crypto import new_data_key
    from app.main import create_app
    from app.settings import Settings

    with tempfile.TemporaryDirectory() as tmp, _without_service_environment():
        settings = Settings(
            _env_file=None, environment="test", var_dir=Path(tmp),
            database_url=f"sqlite:///{tmp}/unused.db", data_key=new_data_key(),
            inprocess_workers=0, inprocess_solver_workers=0, gc_freeze=False,
            log_level="WARNING")
        schema: dict[str, Any] = create_app(settings).openapi()
    return schema


def generate(schema: dict[str, Any], output: Path) -> None:
    """Write the generated package for ``schema`` to ``output`` (replaced if present)."""
    with tempfile.TemporaryDirectory() as tmp:
        document = Path(tmp) / "openapi.json"
        document.write_text(json.dumps(schema, indent=1))
        staging = Path(tmp) / "_generated"
        # the post hooks call ruff: the one installed beside this interpreter
        path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
        result = subprocess.run(  # noqa: S603  # this interpreter, our own arguments
            [sys.executable, "-m", "openapi_python_client", "generate",
             "--path", str(document), "--config", str(CONFIG), "--meta", "none",
             "--output-path", str(staging), "--fail-on-warning"],
            env=os.environ | {"PATH": path}, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not staging.is_dir():
            raise RuntimeError(f"openapi-python-client failed:\n{result.stdout}{result.stderr}")
        if output.exists():
            shutil.rmtree(output)
        shutil.copytree(staging, output,
                        ignore=shutil.ignore_patterns("__pycache__", ".ruff_cache"))


def differences(expected: Path, actual: Path) -> list[str]:
    """Paths (relative) that are missing, extra or different between two trees."""
    found: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(f"{prefix}{name}" for name in cmp.left_only + cmp.right_only
                     if name != "__pycache__")
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files,
                                               shallow=False)
        found.extend(f"{prefix}{name}" for name in mismatch + errors)
        for name, sub in cmp.subdirs.items():
            if name != "__pycache__":
                walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(expected, actual), "")
    return sorted(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed tree instead of writing it")
    args = parser.parse_args(argv)
    schema = openapi_schema()
    if not args.check:
        generate(schema, TARGET)
        print(f"wrote {TARGET}")  # noqa: T201
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "_generated"
        generate(schema, fresh)
        stale = differences(TARGET, fresh) if TARGET.is_dir() else ["(no committed tree)"]
    for name in stale:
        print(f"differs: {name}")  # noqa: T201
    if stale:
        print("run: python clients/python/generate.py")  # noqa: T201
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
