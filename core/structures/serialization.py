"""The release file format: what the service stores and ``/export`` hands out.

    b"PRIVSIM\\0" | u16 format version | u32 header length | header (UTF-8 JSON) | payload
    | SHA-256 of everything before it (32 bytes)

The payload is an ``.npz`` archive of float64 arrays (no pickles); the header holds the
kind, the public parameters and the noise plan. A release holds only public randomness
and noisy statistics, so the file may be published. ``load_release`` checks the
trailing digest, the magic and the version before it parses anything, so a changed
byte anywhere is caught.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
from typing import Any

import numpy as np

from core.errors import CoreError, CorruptRelease
from core.structures.base import Release

__all__ = ["FORMAT_VERSION", "dump_release", "load_release", "payload_checksum"]

MAGIC = b"PRIVSIM\0"
FORMAT_VERSION = 1
_PREFIX = struct.Struct("<8sHI")
_DIGEST = hashlib.sha256().digest_size


def dump_release(release: Release) -> bytes:
    buffer = io.BytesIO()
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in release.arrays().items()}
    np.savez(buffer, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds badly
    header_bytes = json.dumps(release.header(), sort_keys=True, allow_nan=False).encode()
    body = _PREFIX.pack(MAGIC, FORMAT_VERSION, len(header_bytes)) + header_bytes
    body += buffer.getvalue()
    return body + hashlib.sha256(body).digest()


def payload_checksum(blob: bytes) -> str:
    """SHA-256 of the whole file, as stored beside it in the database."""
    return hashlib.sha256(blob).hexdigest()


def read_header(blob: bytes) -> tuple[dict[str, Any], bytes]:
    if len(blob) < _PREFIX.size + _DIGEST:
        raise CorruptRelease("release file is truncated")
    blob, digest = blob[:-_DIGEST], blob[-_DIGEST:]
    if hashlib.sha256(blob).digest() != digest:
        raise CorruptRelease("release file fails its checksum (changed or truncated)")
    magic, version, header_len = _PREFIX.unpack_from(blob)
    if magic != MAGIC:
        raise CorruptRelease("not a privsim release file")
    if version != FORMAT_VERSION:
        raise CorruptRelease(f"unsupported release format version {version}")
    start = _PREFIX.size
    try:
        header = json.loads(blob[start:start + header_len])
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptRelease("release header is not valid JSON") from exc
    if not isinstance(header, dict):
        raise CorruptRelease("release header is not an object")
    return header, blob[start + header_len:]


def load_release(blob: bytes) -> Release:
    """Parse and verify a release file and return the release, ready to query."""
    from core.structures import release_class

    header, payload = read_header(blob)
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (ValueError, OSError) as exc:
        raise CorruptRelease("release payload is not a valid array archive") from exc
    try:
        release: Release = release_class(str(header.get("kind"))).from_parts(header, arrays)
    except CorruptRelease:
        raise
    except (CoreError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CorruptRelease("release header or arrays are inconsistent") from exc
    return release
