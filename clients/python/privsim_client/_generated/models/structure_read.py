from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.error_model import ErrorModel
    from ..models.privacy_read import PrivacyRead
    from ..models.structure_read_params import StructureReadParams


T = TypeVar("T", bound="StructureRead")


@_attrs_define
class StructureRead:
    """
    Attributes:
        id (UUID):
        dataset_id (UUID):
        kind (str):
        params (StructureReadParams):
        seed (str): seed of the public randomness (may be published)
        privacy (PrivacyRead):
        status (str):
        error_model (ErrorModel | None): once ready: the std of the privacy noise and the approximation bound
        size_bytes (int | None):
        job_id (None | UUID):
        created_at (datetime.datetime): to the microsecond for the dataset's owner and admins; rounded down to the
            minute for others
        ready_at (datetime.datetime | None): as created_at
    """

    id: UUID
    dataset_id: UUID
    kind: str
    params: StructureReadParams
    seed: str
    privacy: PrivacyRead
    status: str
    error_model: ErrorModel | None
    size_bytes: int | None
    job_id: None | UUID
    created_at: datetime.datetime
    ready_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.error_model import ErrorModel

        id = str(self.id)

        dataset_id = str(self.dataset_id)

        kind = self.kind

        params = self.params.to_dict()

        seed = self.seed

        privacy = self.privacy.to_dict()

        status = self.status

        error_model: dict[str, Any] | None
        if isinstance(self.error_model, ErrorModel):
            error_model = self.error_model.to_dict()
        else:
            error_model = self.error_model

        size_bytes: int | None
        size_bytes = self.size_bytes

        job_id: None | str
        if isinstance(self.job_id, UUID):
            job_id = str(self.job_id)
        else:
            job_id = self.job_id

        created_at = self.created_at.isoformat()

        ready_at: None | str
        if isinstance(self.ready_at, datetime.datetime):
            ready_at = self.ready_at.isoformat()
        else:
            ready_at = self.ready_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "dataset_id": dataset_id,
                "kind": kind,
                "params": params,
                "seed": seed,
                "privacy": privacy,
                "status": status,
                "error_model": error_model,
                "size_bytes": size_bytes,
                "job_id": job_id,
                "created_at": created_at,
                "ready_at": ready_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.error_model import ErrorModel
        from ..models.privacy_read import PrivacyRead
        from ..models.structure_read_params import StructureReadParams

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        dataset_id = UUID(d.pop("dataset_id"))

        kind = d.pop("kind")

        params = StructureReadParams.from_dict(d.pop("params"))

        seed = d.pop("seed")

        privacy = PrivacyRead.from_dict(d.pop("privacy"))

        status = d.pop("status")

        def _parse_error_model(data: object) -> ErrorModel | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_model_type_0 = ErrorModel.from_dict(data)

                return error_model_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ErrorModel | None, data)

        error_model = _parse_error_model(d.pop("error_model"))

        def _parse_size_bytes(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        size_bytes = _parse_size_bytes(d.pop("size_bytes"))

        def _parse_job_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                job_id_type_0 = UUID(data)

                return job_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        job_id = _parse_job_id(d.pop("job_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_ready_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ready_at_type_0 = datetime.datetime.fromisoformat(data)

                return ready_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        ready_at = _parse_ready_at(d.pop("ready_at"))

        structure_read = cls(
            id=id,
            dataset_id=dataset_id,
            kind=kind,
            params=params,
            seed=seed,
            privacy=privacy,
            status=status,
            error_model=error_model,
            size_bytes=size_bytes,
            job_id=job_id,
            created_at=created_at,
            ready_at=ready_at,
        )

        structure_read.additional_properties = d
        return structure_read

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
