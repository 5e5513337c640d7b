from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.ot_in_metric import OtInMetric, check_ot_in_metric
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.structure_weights import StructureWeights


T = TypeVar("T", bound="OtIn")


@_attrs_define
class OtIn:
    """Entropic OT between two discrete measures: min <P, C> + reg sum P (log P - 1)
    over plans with marginals a and b (POT's ``ot.sinkhorn(a, b, C, reg)``), solved by
    Sinkhorn-Newton-Sparse. The cost is ``cost`` or computed from the supports by
    ``metric``; a support is ``x`` (``y``) or the points of a structure marginal.

        Attributes:
            a (list[float] | StructureWeights): source weights: n non-negative numbers, or {structure_id, points} (weights
                proportional to the structure's clipped DP answers at the points)
            b (list[float] | StructureWeights): target weights (m), as a
            reg (float): entropic regularisation (1 / eta); > 0
            cost (list[list[float]] | None | Unset): the cost matrix C (n x m); without it, C is computed from x and y by
                metric
            x (list[list[float]] | None | Unset): the source support (n x d); omitted when a is {structure_id, points} (its
                points are the support); giving both is refused
            y (list[list[float]] | None | Unset): the target support (m x d), as x
            metric (OtInMetric | Unset): the cost between support points, without cost Default: 'sqeuclidean'.
            tol (float | Unset): stop when ||a - P 1||_1 + ||b - P' 1||_1 < tol * mass Default: 1e-09.
            sparsity (float | None | Unset): kept fraction of the Newton Hessian's off-diagonal block (default 5 / min(n,
                m))
            max_iter (int | Unset): iteration cap, at most 1,000,000; hitting it gives converged false Default: 5000.
            time_limit (float | Unset): wall-time cap of the solve in seconds; above the server's synchronous cap (30 s by
                default) the solve runs as a job, up to its job cap (3,600 s by default); hitting it gives converged false, not
                an error Default: 10.0.
            return_plan (bool | Unset): return the plan P (n x m) Default: False.
    """

    a: list[float] | StructureWeights
    b: list[float] | StructureWeights
    reg: float
    cost: list[list[float]] | None | Unset = UNSET
    x: list[list[float]] | None | Unset = UNSET
    y: list[list[float]] | None | Unset = UNSET
    metric: OtInMetric | Unset = "sqeuclidean"
    tol: float | Unset = 1e-09
    sparsity: float | None | Unset = UNSET
    max_iter: int | Unset = 5000
    time_limit: float | Unset = 10.0
    return_plan: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        a: dict[str, Any] | list[float]
        if isinstance(self.a, list):
            a = self.a

        else:
            a = self.a.to_dict()

        b: dict[str, Any] | list[float]
        if isinstance(self.b, list):
            b = self.b

        else:
            b = self.b.to_dict()

        reg = self.reg

        cost: list[list[float]] | None | Unset
        if isinstance(self.cost, Unset):
            cost = UNSET
        elif isinstance(self.cost, list):
            cost = []
            for cost_type_0_item_data in self.cost:
                cost_type_0_item = cost_type_0_item_data

                cost.append(cost_type_0_item)

        else:
            cost = self.cost

        x: list[list[float]] | None | Unset
        if isinstance(self.x, Unset):
            x = UNSET
        elif isinstance(self.x, list):
            x = []
            for x_type_0_item_data in self.x:
                x_type_0_item = x_type_0_item_data

                x.append(x_type_0_item)

        else:
            x = self.x

        y: list[list[float]] | None | Unset
        if isinstance(self.y, Unset):
            y = UNSET
        elif isinstance(self.y, list):
            y = []
            for y_type_0_item_data in self.y:
                y_type_0_item = y_type_0_item_data

                y.append(y_type_0_item)

        else:
            y = self.y

        metric: str | Unset = UNSET
        if not isinstance(self.metric, Unset):
            metric = self.metric

        tol = self.tol

        sparsity: float | None | Unset
        if isinstance(self.sparsity, Unset):
            sparsity = UNSET
        else:
            sparsity = self.sparsity

        max_iter = self.max_iter

        time_limit = self.time_limit

        return_plan = self.return_plan

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "a": a,
                "b": b,
                "reg": reg,
            }
        )
        if cost is not UNSET:
            field_dict["cost"] = cost
        if x is not UNSET:
            field_dict["x"] = x
        if y is not UNSET:
            field_dict["y"] = y
        if metric is not UNSET:
            field_dict["metric"] = metric
        if tol is not UNSET:
            field_dict["tol"] = tol
        if sparsity is not UNSET:
            field_dict["sparsity"] = sparsity
        if max_iter is not UNSET:
            field_dict["max_iter"] = max_iter
        if time_limit is not UNSET:
            field_dict["time_limit"] = time_limit
        if return_plan is not UNSET:
            field_dict["return_plan"] = return_plan

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.structure_weights import StructureWeights

        d = dict(src_dict)

        def _parse_a(data: object) -> list[float] | StructureWeights:
            try:
                if not isinstance(data, list):
                    raise TypeError()
                a_type_0 = cast(list[float], data)

                return a_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            a_type_1 = StructureWeights.from_dict(data)

            return a_type_1

        a = _parse_a(d.pop("a"))

        def _parse_b(data: object) -> list[float] | StructureWeights:
            try:
                if not isinstance(data, list):
                    raise TypeError()
                b_type_0 = cast(list[float], data)

                return b_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            b_type_1 = StructureWeights.from_dict(data)

            return b_type_1

        b = _parse_b(d.pop("b"))

        reg = d.pop("reg")

        def _parse_cost(data: object) -> list[list[float]] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                cost_type_0 = []
                _cost_type_0 = data
                for cost_type_0_item_data in _cost_type_0:
                    cost_type_0_item = cast(list[float], cost_type_0_item_data)

                    cost_type_0.append(cost_type_0_item)

                return cost_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[list[float]] | None | Unset, data)

        cost = _parse_cost(d.pop("cost", UNSET))

        def _parse_x(data: object) -> list[list[float]] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                x_type_0 = []
                _x_type_0 = data
                for x_type_0_item_data in _x_type_0:
                    x_type_0_item = cast(list[float], x_type_0_item_data)

                    x_type_0.append(x_type_0_item)

                return x_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[list[float]] | None | Unset, data)

        x = _parse_x(d.pop("x", UNSET))

        def _parse_y(data: object) -> list[list[float]] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                y_type_0 = []
                _y_type_0 = data
                for y_type_0_item_data in _y_type_0:
                    y_type_0_item = cast(list[float], y_type_0_item_data)

                    y_type_0.append(y_type_0_item)

                return y_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[list[float]] | None | Unset, data)

        y = _parse_y(d.pop("y", UNSET))

        _metric = d.pop("metric", UNSET)
        metric: OtInMetric | Unset
        if isinstance(_metric, Unset):
            metric = UNSET
        else:
            metric = check_ot_in_metric(_metric)

        tol = d.pop("tol", UNSET)

        def _parse_sparsity(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        sparsity = _parse_sparsity(d.pop("sparsity", UNSET))

        max_iter = d.pop("max_iter", UNSET)

        time_limit = d.pop("time_limit", UNSET)

        return_plan = d.pop("return_plan", UNSET)

        ot_in = cls(
            a=a,
            b=b,
            reg=reg,
            cost=cost,
            x=x,
            y=y,
            metric=metric,
            tol=tol,
            sparsity=sparsity,
            max_iter=max_iter,
            time_limit=time_limit,
            return_plan=return_plan,
        )

        return ot_in
