from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="OtOut")


@_attrs_define
class OtOut:
    """The entropic plan's transport cost and how the solve went.

    Attributes:
        cost_value (float): <P, C>, the transport cost of the entropic plan (without the entropy term)
        iterations (int): Sinkhorn sweeps and Newton steps together
        sinkhorn_iterations (int):
        newton_iterations (int):
        marginal_error (float): ||a - P 1||_1 + ||b - P' 1||_1
        converged (bool): the marginal error fell below tol * mass before max_iter or time_limit
        seconds (float):
        a (list[float]): the source marginal solved for (after clipping and rescaling of a structure's answers)
        b (list[float]): the target marginal solved for
        plan (list[list[float]] | None): P (n x m) when return_plan, else null
    """

    cost_value: float
    iterations: int
    sinkhorn_iterations: int
    newton_iterations: int
    marginal_error: float
    converged: bool
    seconds: float
    a: list[float]
    b: list[float]
    plan: list[list[float]] | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cost_value = self.cost_value

        iterations = self.iterations

        sinkhorn_iterations = self.sinkhorn_iterations

        newton_iterations = self.newton_iterations

        marginal_error = self.marginal_error

        converged = self.converged

        seconds = self.seconds

        a = self.a

        b = self.b

        plan: list[list[float]] | None
        if isinstance(self.plan, list):
            plan = []
            for plan_type_0_item_data in self.plan:
                plan_type_0_item = plan_type_0_item_data

                plan.append(plan_type_0_item)

        else:
            plan = self.plan

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cost_value": cost_value,
                "iterations": iterations,
                "sinkhorn_iterations": sinkhorn_iterations,
                "newton_iterations": newton_iterations,
                "marginal_error": marginal_error,
                "converged": converged,
                "seconds": seconds,
                "a": a,
                "b": b,
                "plan": plan,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        cost_value = d.pop("cost_value")

        iterations = d.pop("iterations")

        sinkhorn_iterations = d.pop("sinkhorn_iterations")

        newton_iterations = d.pop("newton_iterations")

        marginal_error = d.pop("marginal_error")

        converged = d.pop("converged")

        seconds = d.pop("seconds")

        a = cast(list[float], d.pop("a"))

        b = cast(list[float], d.pop("b"))

        def _parse_plan(data: object) -> list[list[float]] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                plan_type_0 = []
                _plan_type_0 = data
                for plan_type_0_item_data in _plan_type_0:
                    plan_type_0_item = cast(list[float], plan_type_0_item_data)

                    plan_type_0.append(plan_type_0_item)

                return plan_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[list[float]] | None, data)

        plan = _parse_plan(d.pop("plan"))

        ot_out = cls(
            cost_value=cost_value,
            iterations=iterations,
            sinkhorn_iterations=sinkhorn_iterations,
            newton_iterations=newton_iterations,
            marginal_error=marginal_error,
            converged=converged,
            seconds=seconds,
            a=a,
            b=b,
            plan=plan,
        )

        ot_out.additional_properties = d
        return ot_out

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
