from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SolveAccepted")


@_attrs_define
class SolveAccepted:
    """A solve queued as a job: follow ``job_url``, then read ``result_url``.

    Attributes:
        job_id (UUID):
        kind (str): solve_ot, solve_kernel_regression, solve_design or solve_quality_diversity
        job_url (str): GET it for status and progress
        result_url (str): GET it once the job succeeded: the answer, as the synchronous route's
    """

    job_id: UUID
    kind: str
    job_url: str
    result_url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        job_id = str(self.job_id)

        kind = self.kind

        job_url = self.job_url

        result_url = self.result_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "job_id": job_id,
                "kind": kind,
                "job_url": job_url,
                "result_url": result_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        job_id = UUID(d.pop("job_id"))

        kind = d.pop("kind")

        job_url = d.pop("job_url")

        result_url = d.pop("result_url")

        solve_accepted = cls(
            job_id=job_id,
            kind=kind,
            job_url=job_url,
            result_url=result_url,
        )

        solve_accepted.additional_properties = d
        return solve_accepted

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
