from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.kernel_regression_in_method import (
    KernelRegressionInMethod,
    check_kernel_regression_in_method,
)
from ..models.kernel_regression_in_preconditioner import (
    KernelRegressionInPreconditioner,
    check_kernel_regression_in_preconditioner,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.kernel_in import KernelIn
    from ..models.model_targets import ModelTargets
    from ..models.student_t import StudentT


T = TypeVar("T", bound="KernelRegressionIn")


@_attrs_define
class KernelRegressionIn:
    """Kernel ridge / GP regression of y on x: alpha = (K + ridge I)^-1 y by
    preconditioned conjugate gradients (or Cholesky), predictions K*' alpha at ``points``
    with the GP (or Student-t) variance. Training data must be public or DP-synthetic (or
    public points labelled by a released DP model, ``y: {model_id}``), never private
    rows.

        Attributes:
            x (list[list[float]]): training points (n x d)
            y (list[float] | ModelTargets): training targets (n), or {model_id, label?}: the predictions of a released DP
                model at x (public points labelled by a DP model)
            kernel (KernelIn): A positive-definite kernel kind of the catalog (``GET /v1/kernels``) with its
                params; the exact kernel, not a random-feature estimate. Distance kinds are refused.
            ridge (float): s^2 > 0: the GP noise variance, KernelRidge's alpha; at least 1e-14 times the largest K_ii
            method (KernelRegressionInMethod | Unset): pcg (conjugate gradients, capped) or cholesky (dense, direct)
                Default: 'pcg'.
            preconditioner (KernelRegressionInPreconditioner | Unset):  Default: 'nystrom'.
            rank (int | Unset): the preconditioner's rank (capped at n) Default: 256.
            tol (float | Unset): relative residual to stop at Default: 1e-10.
            max_iter (int | Unset): iteration cap, at most 1,000,000; hitting it gives converged false Default: 5000.
            time_limit (float | Unset): wall-time cap of the solve in seconds; above the server's synchronous cap (30 s by
                default) the solve runs as a job, up to its job cap (3,600 s by default); hitting it gives converged false, not
                an error Default: 10.0.
            student_t (None | StudentT | Unset):
            loo (bool | Unset): also return leave-one-out residuals Default: False.
            points (list[list[float]] | None | Unset): where to predict (q x d)
            variance (bool | Unset): also compute the predictive variance at points (n^2 q work) Default: True.
            seed (int | Unset): public seed of the Nystrom landmarks and the Hutchinson probes Default: 0.
    """

    x: list[list[float]]
    y: list[float] | ModelTargets
    kernel: KernelIn
    ridge: float
    method: KernelRegressionInMethod | Unset = "pcg"
    preconditioner: KernelRegressionInPreconditioner | Unset = "nystrom"
    rank: int | Unset = 256
    tol: float | Unset = 1e-10
    max_iter: int | Unset = 5000
    time_limit: float | Unset = 10.0
    student_t: None | StudentT | Unset = UNSET
    loo: bool | Unset = False
    points: list[list[float]] | None | Unset = UNSET
    variance: bool | Unset = True
    seed: int | Unset = 0

    def to_dict(self) -> dict[str, Any]:
        from ..models.student_t import StudentT

        x = []
        for x_item_data in self.x:
            x_item = x_item_data

            x.append(x_item)

        y: dict[str, Any] | list[float]
        if isinstance(self.y, list):
            y = self.y

        else:
            y = self.y.to_dict()

        kernel = self.kernel.to_dict()

        ridge = self.ridge

        method: str | Unset = UNSET
        if not isinstance(self.method, Unset):
            method = self.method

        preconditioner: str | Unset = UNSET
        if not isinstance(self.preconditioner, Unset):
            preconditioner = self.preconditioner

        rank = self.rank

        tol = self.tol

        max_iter = self.max_iter

        time_limit = self.time_limit

        student_t: dict[str, Any] | None | Unset
        if isinstance(self.student_t, Unset):
            student_t = UNSET
        elif isinstance(self.student_t, StudentT):
            student_t = self.student_t.to_dict()
        else:
            student_t = self.student_t

        loo = self.loo

        points: list[list[float]] | None | Unset
        if isinstance(self.points, Unset):
            points = UNSET
        elif isinstance(self.points, list):
            points = []
            for points_type_0_item_data in self.points:
                points_type_0_item = points_type_0_item_data

                points.append(points_type_0_item)

        else:
            points = self.points

        variance = self.variance

        seed = self.seed

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "x": x,
                "y": y,
                "kernel": kernel,
                "ridge": ridge,
            }
        )
        if method is not UNSET:
            field_dict["method"] = method
        if preconditioner is not UNSET:
            field_dict["preconditioner"] = preconditioner
        if rank is not UNSET:
            field_dict["rank"] = rank
        if tol is not UNSET:
            field_dict["tol"] = tol
        if max_iter is not UNSET:
            field_dict["max_iter"] = max_iter
        if time_limit is not UNSET:
            field_dict["time_limit"] = time_limit
        if student_t is not UNSET:
            field_dict["student_t"] = student_t
        if loo is not UNSET:
            field_dict["loo"] = loo
        if points is not UNSET:
            field_dict["points"] = points
        if variance is not UNSET:
            field_dict["variance"] = variance
        if seed is not UNSET:
            field_dict["seed"] = seed

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.kernel_in import KernelIn
        from ..models.model_targets import ModelTargets
        from ..models.student_t import StudentT

        d = dict(src_dict)
        x = []
        _x = d.pop("x")
        for x_item_data in _x:
            x_item = cast(list[float], x_item_data)

            x.append(x_item)

        def _parse_y(data: object) -> list[float] | ModelTargets:
            try:
                if not isinstance(data, list):
                    raise TypeError()
                y_type_0 = cast(list[float], data)

                return y_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            y_type_1 = ModelTargets.from_dict(data)

            return y_type_1

        y = _parse_y(d.pop("y"))

        kernel = KernelIn.from_dict(d.pop("kernel"))

        ridge = d.pop("ridge")

        _method = d.pop("method", UNSET)
        method: KernelRegressionInMethod | Unset
        if isinstance(_method, Unset):
            method = UNSET
        else:
            method = check_kernel_regression_in_method(_method)

        _preconditioner = d.pop("preconditioner", UNSET)
        preconditioner: KernelRegressionInPreconditioner | Unset
        if isinstance(_preconditioner, Unset):
            preconditioner = UNSET
        else:
            preconditioner = check_kernel_regression_in_preconditioner(_preconditioner)

        rank = d.pop("rank", UNSET)

        tol = d.pop("tol", UNSET)

        max_iter = d.pop("max_iter", UNSET)

        time_limit = d.pop("time_limit", UNSET)

        def _parse_student_t(data: object) -> None | StudentT | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                student_t_type_0 = StudentT.from_dict(data)

                return student_t_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StudentT | Unset, data)

        student_t = _parse_student_t(d.pop("student_t", UNSET))

        loo = d.pop("loo", UNSET)

        def _parse_points(data: object) -> list[list[float]] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                points_type_0 = []
                _points_type_0 = data
                for points_type_0_item_data in _points_type_0:
                    points_type_0_item = cast(list[float], points_type_0_item_data)

                    points_type_0.append(points_type_0_item)

                return points_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[list[float]] | None | Unset, data)

        points = _parse_points(d.pop("points", UNSET))

        variance = d.pop("variance", UNSET)

        seed = d.pop("seed", UNSET)

        kernel_regression_in = cls(
            x=x,
            y=y,
            kernel=kernel,
            ridge=ridge,
            method=method,
            preconditioner=preconditioner,
            rank=rank,
            tol=tol,
            max_iter=max_iter,
            time_limit=time_limit,
            student_t=student_t,
            loo=loo,
            points=points,
            variance=variance,
            seed=seed,
        )

        return kernel_regression_in
