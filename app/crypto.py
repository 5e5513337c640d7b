"""Encryption of raw rows at rest: AES-256-GCM (``cryptography``), one nonce per chunk.

The key comes from settings (``PRIVSIM_DATA_KEY``), never from the database. For the
embedded default it is generated once into ``var/data.key`` (mode 0600). Each chunk is
bound to its dataset and position by the associated data, so chunks cannot be swapped
between datasets or reordered without failing authentication.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.settings import Settings

_NONCE_BYTES = 12


class RowCipher:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the data key must be 32 bytes")
        self._aead = AESGCM(key)

    @staticmethod
    def _aad(dataset_id: UUID, seq: int) -> bytes:
        return dataset_id.bytes + seq.to_bytes(8, "big")

    def encrypt(self, plaintext: bytes, dataset_id: UUID, seq: int) -> bytes:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, self._aad(dataset_id, seq))

    def decrypt(self, ciphertext: bytes, dataset_id: UUID, seq: int) -> bytes:
        nonce, body = ciphertext[:_NONCE_BYTES], ciphertext[_NONCE_BYTES:]
        return self._aead.decrypt(nonce, body, self._aad(dataset_id, seq))


def load_data_key(settings: Settings) -> bytes:
    """The key from settings, or the embedded default's generated key file."""
    if settings.data_key is not None:
        try:
            key = base64.urlsafe_b64decode(settings.data_key.get_secret_value())
        except (binascii.Error, ValueError) as exc:
            raise ValueError("PRIVSIM_DATA_KEY must be urlsafe base64 of 32 bytes") from exc
        if len(key) != 32:
            raise ValueError("PRIVSIM_DATA_KEY must decode to 32 bytes")
        return key
    path = Path(settings.var_dir) / "data.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".data.key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)))
        try:
            os.link(tmp, path)  # atomic: of two processes starting at once, one key wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return base64.urlsafe_b64decode(path.read_bytes().strip())


def new_data_key() -> str:
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode()
