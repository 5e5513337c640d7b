from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from app.api import examples as ex
from app.api.deps import AfterQuery, LimitQuery, PrincipalDep, StateDep, UoWDep
from app.api.responses import AUTHENTICATED, body_examples, example, problems
from app.api.routes import V1
from app.api.schemas.keys import KeyCreate, KeyCreated, KeyPage, KeyRead, KeySelf
from app.api.strict_json import StrictJSONRoute
from app.domain import Role
from app.errors import Forbidden, InvalidInput, NotFound, PayloadTooLarge
from app.services import access
from app.services.paging import MAX_PAGE

router = APIRouter(prefix=f"{V1}/keys", tags=["keys"], route_class=StrictJSONRoute,
                   responses=problems(*AUTHENTICATED, Forbidden))


@router.post("", status_code=201, response_model=KeyCreated,
             openapi_extra=body_examples({"analyst": ex.KEY_CREATE}),
             responses=example(ex.KEY_CREATED, status=201)
             | problems(PayloadTooLarge, InvalidInput))
def create_key(body: KeyCreate, uow: UoWDep, principal: PrincipalDep) -> KeyCreated:
    """Create an API key (admin only). The key itself is in this response only; it is
    stored hashed. ``dataset_ids`` grants an analyst or owner key those datasets."""
    access.require_role(principal, Role.ADMIN)
    new = access.create_key(uow, role=body.role, name=body.name,
                            dataset_ids=body.dataset_ids, granted_by=principal.key_id)
    return KeyCreated(**KeyRead.from_view(new.key).model_dump(), key=new.token)


@router.get("", response_model=KeyPage,
            responses=example({"keys": [ex.KEY], "next_after": None}) | problems(InvalidInput))
def list_keys(uow: UoWDep, principal: PrincipalDep, after: AfterQuery = None,
              limit: LimitQuery = MAX_PAGE) -> KeyPage:
    """Every API key, revoked ones too, oldest first (admin only), one page at a time;
    never the keys themselves."""
    page = access.list_keys(uow, principal, after=after, limit=limit)
    return KeyPage(keys=[KeyRead.from_view(v) for v in page.items], next_after=page.next_after)


@router.get("/me", response_model=KeySelf, responses=example(ex.KEY_SELF))
def who_am_i(principal: PrincipalDep) -> KeySelf:
    """The key that made this request: its id, name and role (any key). Clients use it
    to show who is signed in and which actions the role allows."""
    return KeySelf(id=principal.key_id, name=principal.name, role=principal.role)


@router.delete("/{key_id}", status_code=204, responses=problems(NotFound, InvalidInput))
def revoke_key(key_id: UUID, state: StateDep, principal: PrincipalDep) -> Response:
    """Revoke a key (admin only): this API process refuses it at once, and every other
    API process within ``PRIVSIM_KEY_CACHE_SECONDS`` (5 s by default: each keeps the keys
    it saw for that long). A key cannot revoke itself."""
    access.revoke_key(state.uow, principal, key_id, state.keys)
    return Response(status_code=204)
