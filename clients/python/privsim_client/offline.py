"""Query an exported structure (or model) without the service.

    from privsim_client import Client
    from privsim_client.offline import load_release

    path = Client(url, key).export(structure_id, "releases/")
    release = load_release(path)
    values, std, approximation_std = release.query(points, reduce="mean")

The release file format and its reader belong to the service's ``core`` package
(``core.structures.load_release``), which this module calls: the answers are the
service's own, to the last bit. ``core`` comes with the ``privsim`` package (it needs
NumPy, array-api-compat and OpenDP, not the web service's dependencies).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.structures import Release

__all__ = ["load_release"]

INSTALL_HINT = ("privsim_client.offline needs the privsim package, whose core reads release "
                "files: pip install -e . at the root of the privsim repository (or "
                "pip install \"privsim @ git+<repository URL>\")")


def load_release(source: bytes | str | os.PathLike[str]) -> Release:
    """A release file's contents (bytes) or its path, checked (its SHA-256, magic and
    version: ``core.errors.CorruptRelease`` otherwise) and ready to query: ``.query(points,
    reduce)`` for a structure, ``.predict(points)`` for a model."""
    try:
        from core.structures import load_release as core_load_release
    except ImportError as error:
        raise ImportError(INSTALL_HINT) from error
    blob = source if isinstance(source, bytes) else Path(source).read_bytes()
    return core_load_release(blob)
