from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.design_in_method_type_0 import (
    DesignInMethodType0,
    check_design_in_method_type_0,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.basis import Basis
    from ..models.kernel_in import KernelIn
    from ..models.quality_in import QualityIn


T = TypeVar("T", bound="DesignIn")


@_attrs_define
class DesignIn:
    """Choose points of a public pool. Least squares (no ``quality``): a pool with a
    ``basis``, or a ``features`` matrix; ``method`` iid, dpp or volume; weights w_i =
    1 / (N rho_i); with ``y``, the weighted least-squares fit. Quality-diversity (with
    ``quality``): ``pool`` points, a diversity ``kernel``, k points from L = diag(q) K
    diag(q) by ``method`` sample (the k-DPP) or greedy (the MAP).

        Attributes:
            pool (list[float] | list[list[float]] | None | Unset): candidate points: 1-D numbers in [-1, 1] for legendre,
                rows (N x d) for polynomial and quality-diversity
            basis (Basis | None | Unset): the basis on the pool
            features (list[list[float]] | None | Unset): the feature matrix Phi (N x m) itself, instead of pool and basis
            method (DesignInMethodType0 | None | Unset): iid, dpp or volume (default) for least squares; sample or greedy
                (default) for quality-diversity
            n (int | None | Unset): points to draw: iid and volume (>= m), default 2m; dpp draws exactly m
            seed (int | None | Unset): public randomness; omitted, one is drawn and returned so the choice can be reproduced
            y (list[float] | None | Unset): the target at every pool point (N); with it the weighted least-squares
                coefficients are returned
            quality (None | QualityIn | Unset): quality-diversity mode: the structure whose answers give the qualities
            kernel (KernelIn | None | Unset): quality-diversity: the diversity kernel on the pool points
            k (int | None | Unset): quality-diversity: the number of points
    """

    pool: list[float] | list[list[float]] | None | Unset = UNSET
    basis: Basis | None | Unset = UNSET
    features: list[list[float]] | None | Unset = UNSET
    method: DesignInMethodType0 | None | Unset = UNSET
    n: int | None | Unset = UNSET
    seed: int | None | Unset = UNSET
    y: list[float] | None | Unset = UNSET
    quality: None | QualityIn | Unset = UNSET
    kernel: KernelIn | None | Unset = UNSET
    k: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.basis import Basis
        from ..models.kernel_in import KernelIn
        from ..models.quality_in import QualityIn

        pool: list[float] | list[list[float]] | None | Unset
        if isinstance(self.pool, Unset):
            pool = UNSET
        elif isinstance(self.pool, list):
            pool = self.pool

        elif isinstance(self.pool, list):
            pool = []
            for pool_type_1_item_data in self.pool:
                pool_type_1_item = pool_type_1_item_data

                pool.append(pool_type_1_item)

        else:
            pool = self.pool

        basis: dict[str, Any] | None | Unset
        if isinstance(self.basis, Unset):
            basis = UNSET
        elif isinstance(self.basis, Basis):
            basis = self.basis.to_dict()
        else:
            basis = self.basis

        features: list[list[float]] | None | Unset
        if isinstance(self.features, Unset):
            features = UNSET
        elif isinstance(self.features, list):
            features = []
            for features_type_0_item_data in self.features:
                features_type_0_item = features_type_0_item_data

                features.append(features_type_0_item)

        else:
            features = self.features

        method: None | str | Unset
        if isinstance(self.method, Unset):
            method = UNSET
        elif isinstance(self.method, str):
            method = self.method
        else:
            method = self.method

        n: int | None | Unset
        if isinstance(self.n, Unset):
            n = UNSET
        else:
            n = self.n

        seed: int | None | Unset
        if isinstance(self.seed, Unset):
            seed = UNSET
        else:
            seed = self.seed

        y: list[float] | None | Unset
        if isinstance(self.y, Unset):
            y = UNSET
        elif isinstance(self.y, list):
            y = self.y

        else:
            y = self.y

        quality: dict[str, Any] | None | Unset
        if isinstance(self.quality, Unset):
            quality = UNSET
        elif isinstance(self.quality, QualityIn):
            quality = self.quality.to_dict()
        else:
            quality = self.quality

        kernel: dict[str, Any] | None | Unset
        if isinstance(self.kernel, Unset):
            kernel = UNSET
        elif isinstance(self.kernel, KernelIn):
            kernel = self.kernel.to_dict()
        else:
            kernel = self.kernel

        k: int | None | Unset
        if isinstance(self.k, Unset):
            k = UNSET
        else:
            k = self.k

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if pool is not UNSET:
            field_dict["pool"] = pool
        if basis is not UNSET:
            field_dict["basis"] = basis
        if features is not UNSET:
            field_dict["features"] = features
        if method is not UNSET:
            field_dict["method"] = method
        if n is not UNSET:
            field_dict["n"] = n
        if seed is not UNSET:
            field_dict["seed"] = seed
        if y is not UNSET:
            field_dict["y"] = y
        if quality is not UNSET:
            field_dict["quality"] = quality
        if kernel is not UNSET:
            field_dict["kernel"] = kernel
        if k is not UNSET:
            field_dict["k"] = k

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.basis import Basis
        from ..models.kernel_in import KernelIn
        from ..models.quality_in import QualityIn

        d = dict(src_dict)

        def _parse_pool(data: object) -> list[float] | list[list[float]] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                pool_type_0 = cast(list[float], data)

                return pool_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, list):
                    raise TypeError()
                pool_type_1 = []
                _pool_type_1 = data
                for pool_type_1_item_data in _pool_type_1:
                    pool_type_1_item = cast(list[float], pool_type_1_item_data)

                    pool_type_1.append(pool_type_1_item)

                return pool_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[float] | list[list[float]] | None | Unset, data)

        pool = _parse_pool(d.pop("pool", UNSET))

        def _parse_basis(data: object) -> Basis | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                basis_type_0 = Basis.from_dict(data)

                return basis_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Basis | None | Unset, data)

        basis = _parse_basis(d.pop("basis", UNSET))

        def _parse_features(data: object) -> list[list[float]] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                features_type_0 = []
                _features_type_0 = data
                for features_type_0_item_data in _features_type_0:
                    features_type_0_item = cast(list[float], features_type_0_item_data)

                    features_type_0.append(features_type_0_item)

                return features_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[list[float]] | None | Unset, data)

        features = _parse_features(d.pop("features", UNSET))

        def _parse_method(data: object) -> DesignInMethodType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                method_type_0 = check_design_in_method_type_0(data)

                return method_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DesignInMethodType0 | None | Unset, data)

        method = _parse_method(d.pop("method", UNSET))

        def _parse_n(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        n = _parse_n(d.pop("n", UNSET))

        def _parse_seed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seed = _parse_seed(d.pop("seed", UNSET))

        def _parse_y(data: object) -> list[float] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                y_type_0 = cast(list[float], data)

                return y_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[float] | None | Unset, data)

        y = _parse_y(d.pop("y", UNSET))

        def _parse_quality(data: object) -> None | QualityIn | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                quality_type_0 = QualityIn.from_dict(data)

                return quality_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | QualityIn | Unset, data)

        quality = _parse_quality(d.pop("quality", UNSET))

        def _parse_kernel(data: object) -> KernelIn | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                kernel_type_0 = KernelIn.from_dict(data)

                return kernel_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(KernelIn | None | Unset, data)

        kernel = _parse_kernel(d.pop("kernel", UNSET))

        def _parse_k(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        k = _parse_k(d.pop("k", UNSET))

        design_in = cls(
            pool=pool,
            basis=basis,
            features=features,
            method=method,
            n=n,
            seed=seed,
            y=y,
            quality=quality,
            kernel=kernel,
            k=k,
        )

        return design_in
