"""Who may do what: API keys, principals and the dataset access rules.

- admin: everything, including keys.
- owner: creates datasets; sees, uploads to, spends, grants and deletes only its own.
- analyst: reads and queries the structures of datasets it was granted; never spends.
Nobody can read raw rows. A key is stored only as its SHA-256 (keys are 256-bit random
strings, so a fast hash is enough); the key itself is shown once, at creation.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from uuid import UUID, uuid4

from cachetools import TTLCache
from sqlalchemy.exc import IntegrityError

from app.db.base import utcnow
from app.db.models import ApiKeyRow, AuditEventRow, DatasetRow
from app.domain import Role
from app.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from app.services.paging import check_limit, decode_cursor, encode_cursor, split_page
from app.services.ports import TransactionPort, UnitOfWorkPort
from app.services.views import KeyView, NewKeyView, Page

KEY_PREFIX = "psk_"


@dataclass(frozen=True, slots=True)
class Principal:
    key_id: UUID
    role: Role
    name: str

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


def hash_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


class KeyCache:
    """The principals of keys this process authenticated in the last ``ttl`` seconds, so
    that a request does not read the database to know who sent it. A key revoked through
    this process is forgotten at once; one revoked through another process (another API
    worker, the CLI) is refused here within ``ttl`` seconds. Only valid keys are kept
    (an invalid one is looked up every time), by the SHA-256 of the key, never the key;
    ``ttl`` 0 keeps nothing."""

    def __init__(self, ttl: float, size: int = 10_000,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self._cache: TTLCache[str, Principal] | None = (
            TTLCache(maxsize=size, ttl=ttl, timer=timer) if ttl > 0 else None)
        self._lock = threading.Lock()

    def get(self, key_hash: str) -> Principal | None:
        if self._cache is None:
            return None
        with self._lock:
            return self._cache.get(key_hash)

    def put(self, key_hash: str, principal: Principal) -> None:
        if self._cache is not None:
            with self._lock:
                self._cache[key_hash] = principal

    def forget(self, key_id: UUID) -> None:
        """Drop every entry of the key ``key_id`` (it was revoked)."""
        if self._cache is not None:
            with self._lock:
                for key_hash in [h for h, p in self._cache.items() if p.key_id == key_id]:
                    del self._cache[key_hash]


def authenticate(uow: UnitOfWorkPort, token: str | None,
                 keys: KeyCache | None = None) -> Principal:
    """The principal of a bearer key: from ``keys`` if it holds it, else from the
    database (and then kept in ``keys``)."""
    if not token:
        raise Unauthorized("an API key is required: send 'Authorization: Bearer <key>'")
    key_hash = hash_key(token)
    cached = None if keys is None else keys.get(key_hash)
    if cached is not None:
        return cached
    with uow() as tx:
        row = tx.keys.get_active_by_hash(key_hash)
        if row is None:
            raise Unauthorized("the API key is not valid")
        principal = Principal(row.id, Role(row.role), row.name)
    if keys is not None:
        keys.put(key_hash, principal)
    return principal


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise Forbidden(f"this action needs one of the roles: {allowed}")


def _live_dataset(tx: TransactionPort, dataset_id: UUID) -> DatasetRow:
    dataset = tx.datasets.get(dataset_id)
    if dataset is None:
        raise NotFound(f"dataset {dataset_id} not found")
    return dataset


def manages(principal: Principal, dataset: DatasetRow) -> bool:
    return principal.is_admin or dataset.owner_key_id == principal.key_id


def readable_dataset(tx: TransactionPort, principal: Principal, dataset_id: UUID) -> DatasetRow:
    """A dataset the principal may read and query (admin, its owner, or granted)."""
    dataset = _live_dataset(tx, dataset_id)
    if manages(principal, dataset) or tx.datasets.is_granted(dataset_id, principal.key_id):
        return dataset
    raise Forbidden("this key has no access to this dataset")


def managed_dataset(tx: TransactionPort, principal: Principal, dataset_id: UUID) -> DatasetRow:
    """A dataset the principal may change and spend (admin or its owner)."""
    dataset = _live_dataset(tx, dataset_id)
    if manages(principal, dataset):
        return dataset
    raise Forbidden("only the dataset's owner or an admin may do this")


def managed_records(tx: TransactionPort, principal: Principal, dataset_id: UUID) -> DatasetRow:
    """A dataset, deleted or not, whose records (ledger, audit log) the principal may read:
    those records outlive the dataset."""
    dataset = tx.datasets.get_including_deleted(dataset_id)
    if dataset is None:
        raise NotFound(f"dataset {dataset_id} not found")
    if not manages(principal, dataset):
        raise Forbidden("only the dataset's owner or an admin may read its records")
    return dataset


def create_key(uow: UnitOfWorkPort, *, role: Role, name: str,
               dataset_ids: list[UUID] | None = None,
               granted_by: UUID | None = None) -> NewKeyView:
    """A new key; the token is returned here once and never stored."""
    token = new_token()
    row = ApiKeyRow(id=uuid4(), name=name, role=role, key_hash=hash_key(token))
    with uow(write=True) as tx:
        tx.keys.add(row)
        tx.flush()
        for dataset_id in dataset_ids or []:
            if tx.datasets.get(dataset_id) is None:
                raise InvalidInput(f"dataset_ids: dataset {dataset_id} not found")
            tx.datasets.add_grant(dataset_id, row.id)
            tx.audit.add(AuditEventRow(dataset_id=dataset_id, key_id=granted_by,
                                       action="grant", details={"grantee": str(row.id)}))
        tx.commit()
        return NewKeyView(KeyView.of(row), token)


def ensure_bootstrap_admin(uow: UnitOfWorkPort, token: str) -> None:
    """Make sure an admin key with this secret exists (PRIVSIM_BOOTSTRAP_ADMIN_KEY)."""
    key_hash = hash_key(token)
    with uow(write=True) as tx:
        if tx.keys.exists_hash(key_hash):
            return
        tx.keys.add(ApiKeyRow(id=uuid4(), name="bootstrap admin", role=Role.ADMIN,
                              key_hash=key_hash))
        with suppress(IntegrityError):  # another process created it first
            tx.commit()


def list_keys(uow: UnitOfWorkPort, principal: Principal, *, after: str | None = None,
              limit: int = 1000) -> Page[KeyView]:
    """Every key (revoked ones too), oldest first, one page at a time (admin)."""
    require_role(principal, Role.ADMIN)
    cursor, limit = decode_cursor(after), check_limit(limit)
    with uow() as tx:
        rows = tx.keys.page(after=cursor, limit=limit + 1)
        page, next_after = split_page(rows, limit,
                                      lambda row: encode_cursor(row.created_at, row.id))
        return Page([KeyView.of(row) for row in page], next_after)


def revoke_key(uow: UnitOfWorkPort, principal: Principal, key_id: UUID,
               keys: KeyCache | None = None) -> None:
    """Revoke a key; this process's ``keys`` forget it at once (module: ``KeyCache``)."""
    require_role(principal, Role.ADMIN)
    if key_id == principal.key_id:
        raise InvalidInput("a key cannot revoke itself")
    with uow(write=True) as tx:
        row = tx.keys.get(key_id)
        if row is None or row.revoked_at is not None:
            raise NotFound(f"key {key_id} not found")
        row.revoked_at = utcnow()
        tx.commit()
    if keys is not None:
        keys.forget(key_id)
