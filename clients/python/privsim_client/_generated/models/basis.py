from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.basis_kind import BasisKind, check_basis_kind

T = TypeVar("T", bound="Basis")


@_attrs_define
class Basis:
    """Orthonormal polynomials on [-1, 1] (``legendre``: 1-D pool, degree + 1 functions)
    or on [-1, 1]^d (``polynomial``: products of total degree <= degree, C(d + degree, d)
    functions, d the pool's columns).

        Attributes:
            kind (BasisKind):
            degree (int): the largest degree
    """

    kind: BasisKind
    degree: int

    def to_dict(self) -> dict[str, Any]:
        kind: str = self.kind

        degree = self.degree

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "degree": degree,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        kind = check_basis_kind(d.pop("kind"))

        degree = d.pop("degree")

        basis = cls(
            kind=kind,
            degree=degree,
        )

        return basis
