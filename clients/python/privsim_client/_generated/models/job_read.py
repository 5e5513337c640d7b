from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.job_read_status import JobReadStatus, check_job_read_status
from ..types import UNSET, Unset

T = TypeVar("T", bound="JobRead")


@_attrs_define
class JobRead:
    """A build (``build_structure``) or a solve (``solve_*``) job.

    Attributes:
        id (UUID):
        kind (str): build_structure, or solve_ot, solve_kernel_regression, solve_design, solve_quality_diversity
        structure_id (None | UUID): the structure a build makes (null for a solve)
        dataset_id (None | UUID): the dataset a build reads (null for a solve)
        status (JobReadStatus):
        progress (float): fraction done, 0 to 1 (a solve: how far it is toward its tolerance or its iteration or time
            cap)
        error (None | str):
        attempts (int):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        finished_at (datetime.datetime | None):
        result_url (None | str | Unset): a solve's answer, once succeeded (null for a build)
    """

    id: UUID
    kind: str
    structure_id: None | UUID
    dataset_id: None | UUID
    status: JobReadStatus
    progress: float
    error: None | str
    attempts: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    finished_at: datetime.datetime | None
    result_url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        kind = self.kind

        structure_id: None | str
        if isinstance(self.structure_id, UUID):
            structure_id = str(self.structure_id)
        else:
            structure_id = self.structure_id

        dataset_id: None | str
        if isinstance(self.dataset_id, UUID):
            dataset_id = str(self.dataset_id)
        else:
            dataset_id = self.dataset_id

        status: str = self.status

        progress = self.progress

        error: None | str
        error = self.error

        attempts = self.attempts

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        result_url: None | str | Unset
        if isinstance(self.result_url, Unset):
            result_url = UNSET
        else:
            result_url = self.result_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "structure_id": structure_id,
                "dataset_id": dataset_id,
                "status": status,
                "progress": progress,
                "error": error,
                "attempts": attempts,
                "created_at": created_at,
                "updated_at": updated_at,
                "finished_at": finished_at,
            }
        )
        if result_url is not UNSET:
            field_dict["result_url"] = result_url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        kind = d.pop("kind")

        def _parse_structure_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                structure_id_type_0 = UUID(data)

                return structure_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        structure_id = _parse_structure_id(d.pop("structure_id"))

        def _parse_dataset_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                dataset_id_type_0 = UUID(data)

                return dataset_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        dataset_id = _parse_dataset_id(d.pop("dataset_id"))

        status = check_job_read_status(d.pop("status"))

        progress = d.pop("progress")

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        attempts = d.pop("attempts")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        def _parse_result_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        result_url = _parse_result_url(d.pop("result_url", UNSET))

        job_read = cls(
            id=id,
            kind=kind,
            structure_id=structure_id,
            dataset_id=dataset_id,
            status=status,
            progress=progress,
            error=error,
            attempts=attempts,
            created_at=created_at,
            updated_at=updated_at,
            finished_at=finished_at,
            result_url=result_url,
        )

        job_read.additional_properties = d
        return job_read

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
