"""Readiness: whether the database answers. Reveals nothing about any dataset."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from app.errors import ServiceUnavailable
from app.services.ports import UnitOfWorkPort


def check_database(uow: UnitOfWorkPort) -> None:
    """One round trip to the database; 503 (retry in a few seconds) if it fails."""
    try:
        with uow() as tx:
            tx.ping()
    except DBAPIError as exc:
        raise ServiceUnavailable("the database is not reachable",
                                 headers={"Retry-After": "5"}) from exc
