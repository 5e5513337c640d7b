from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.kernel_regression_out_loo_method_type_0 import (
    KernelRegressionOutLooMethodType0,
    check_kernel_regression_out_loo_method_type_0,
)

if TYPE_CHECKING:
    from ..models.solve_read import SolveRead


T = TypeVar("T", bound="KernelRegressionOut")


@_attrs_define
class KernelRegressionOut:
    """Predictions at the points and how the solves went.

    Attributes:
        mean (list[float]): the posterior mean K*' alpha (the kernel ridge prediction) at each point
        variance (list[float | None] | None): the predictive variance of the latent f (Student-t: scale nu / (nu - 2);
            an entry is null where it is infinite, nu <= 2); null when variance is false
        scale (list[float] | None): Student-t scale diag Sigma* (null for the GP)
        dof (float | None): Student-t degrees of freedom 2a + n (null for the GP)
        loo_residuals (list[float] | None): (y_i - yhat_i) / (1 - H_ii) when loo, else null
        loo_method (KernelRegressionOutLooMethodType0 | None):
        iterations (int): the fit's iterations (0 for a direct solve)
        converged (bool): every solve converged
        residual_norm (float): the fit's true relative residual |y - (K + ridge I) alpha| / |y|
        solves (list[SolveRead]):
    """

    mean: list[float]
    variance: list[float | None] | None
    scale: list[float] | None
    dof: float | None
    loo_residuals: list[float] | None
    loo_method: KernelRegressionOutLooMethodType0 | None
    iterations: int
    converged: bool
    residual_norm: float
    solves: list[SolveRead]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        mean = self.mean

        variance: list[float | None] | None
        if isinstance(self.variance, list):
            variance = []
            for variance_type_0_item_data in self.variance:
                variance_type_0_item: float | None
                variance_type_0_item = variance_type_0_item_data
                variance.append(variance_type_0_item)

        else:
            variance = self.variance

        scale: list[float] | None
        if isinstance(self.scale, list):
            scale = self.scale

        else:
            scale = self.scale

        dof: float | None
        dof = self.dof

        loo_residuals: list[float] | None
        if isinstance(self.loo_residuals, list):
            loo_residuals = self.loo_residuals

        else:
            loo_residuals = self.loo_residuals

        loo_method: None | str
        if isinstance(self.loo_method, str):
            loo_method = self.loo_method
        else:
            loo_method = self.loo_method

        iterations = self.iterations

        converged = self.converged

        residual_norm = self.residual_norm

        solves = []
        for solves_item_data in self.solves:
            solves_item = solves_item_data.to_dict()
            solves.append(solves_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "mean": mean,
                "variance": variance,
                "scale": scale,
                "dof": dof,
                "loo_residuals": loo_residuals,
                "loo_method": loo_method,
                "iterations": iterations,
                "converged": converged,
                "residual_norm": residual_norm,
                "solves": solves,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.solve_read import SolveRead

        d = dict(src_dict)
        mean = cast(list[float], d.pop("mean"))

        def _parse_variance(data: object) -> list[float | None] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                variance_type_0 = []
                _variance_type_0 = data
                for variance_type_0_item_data in _variance_type_0:

                    def _parse_variance_type_0_item(data: object) -> float | None:
                        if data is None:
                            return data
                        return cast(float | None, data)

                    variance_type_0_item = _parse_variance_type_0_item(
                        variance_type_0_item_data
                    )

                    variance_type_0.append(variance_type_0_item)

                return variance_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[float | None] | None, data)

        variance = _parse_variance(d.pop("variance"))

        def _parse_scale(data: object) -> list[float] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                scale_type_0 = cast(list[float], data)

                return scale_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[float] | None, data)

        scale = _parse_scale(d.pop("scale"))

        def _parse_dof(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        dof = _parse_dof(d.pop("dof"))

        def _parse_loo_residuals(data: object) -> list[float] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                loo_residuals_type_0 = cast(list[float], data)

                return loo_residuals_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[float] | None, data)

        loo_residuals = _parse_loo_residuals(d.pop("loo_residuals"))

        def _parse_loo_method(data: object) -> KernelRegressionOutLooMethodType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                loo_method_type_0 = check_kernel_regression_out_loo_method_type_0(data)

                return loo_method_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(KernelRegressionOutLooMethodType0 | None, data)

        loo_method = _parse_loo_method(d.pop("loo_method"))

        iterations = d.pop("iterations")

        converged = d.pop("converged")

        residual_norm = d.pop("residual_norm")

        solves = []
        _solves = d.pop("solves")
        for solves_item_data in _solves:
            solves_item = SolveRead.from_dict(solves_item_data)

            solves.append(solves_item)

        kernel_regression_out = cls(
            mean=mean,
            variance=variance,
            scale=scale,
            dof=dof,
            loo_residuals=loo_residuals,
            loo_method=loo_method,
            iterations=iterations,
            converged=converged,
            residual_norm=residual_norm,
            solves=solves,
        )

        kernel_regression_out.additional_properties = d
        return kernel_regression_out

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
