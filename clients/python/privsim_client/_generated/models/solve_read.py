from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.solve_read_stage import SolveReadStage, check_solve_read_stage

T = TypeVar("T", bound="SolveRead")


@_attrs_define
class SolveRead:
    """One linear solve (the fit, the variance solves, the LOO probes).

    Attributes:
        stage (SolveReadStage):
        method (str):
        iterations (int):
        residual_norm (float): the true relative residual
        converged (bool):
        stopped (str): converged, max_iter, time_limit, breakdown or direct
        seconds (float):
    """

    stage: SolveReadStage
    method: str
    iterations: int
    residual_norm: float
    converged: bool
    stopped: str
    seconds: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        stage: str = self.stage

        method = self.method

        iterations = self.iterations

        residual_norm = self.residual_norm

        converged = self.converged

        stopped = self.stopped

        seconds = self.seconds

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "stage": stage,
                "method": method,
                "iterations": iterations,
                "residual_norm": residual_norm,
                "converged": converged,
                "stopped": stopped,
                "seconds": seconds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        stage = check_solve_read_stage(d.pop("stage"))

        method = d.pop("method")

        iterations = d.pop("iterations")

        residual_norm = d.pop("residual_norm")

        converged = d.pop("converged")

        stopped = d.pop("stopped")

        seconds = d.pop("seconds")

        solve_read = cls(
            stage=stage,
            method=method,
            iterations=iterations,
            residual_norm=residual_norm,
            converged=converged,
            stopped=stopped,
            seconds=seconds,
        )

        solve_read.additional_properties = d
        return solve_read

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
