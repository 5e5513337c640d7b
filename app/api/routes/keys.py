from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from app.api.deps import PrincipalDep, UoWDep
from app.api.routes import V1
from app.api.schemas.common import PROBLEM
from app.api.schemas.keys import KeyCreate, KeyCreated, KeyRead
from app.api.strict_json import StrictJSONRoute
from app.db.models import Role
from app.services import access

router = APIRouter(prefix=f"{V1}/keys", tags=["keys"], route_class=StrictJSONRoute,
                   responses={401: PROBLEM, 403: PROBLEM, 422: PROBLEM})


@router.post("", status_code=201, response_model=KeyCreated)
def create_key(body: KeyCreate, uow: UoWDep, principal: PrincipalDep) -> KeyCreated:
    access.require_role(principal, Role.ADMIN)
    row, token = access.create_key(uow, role=body.role, name=body.name,
                                   dataset_ids=body.dataset_ids, granted_by=principal.key_id)
    return KeyCreated(**KeyRead.of(row).model_dump(), key=token)


@router.get("", response_model=list[KeyRead])
def list_keys(uow: UoWDep, principal: PrincipalDep) -> list[KeyRead]:
    return [KeyRead.of(row) for row in access.list_keys(uow, principal)]


@router.delete("/{key_id}", status_code=204, responses={404: PROBLEM})
def revoke_key(key_id: UUID, uow: UoWDep, principal: PrincipalDep) -> Response:
    access.revoke_key(uow, principal, key_id)
    return Response(status_code=204)
