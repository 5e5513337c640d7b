from typing import Literal

BasisKind = Literal["legendre", "polynomial"]

BASIS_KIND_VALUES: set[BasisKind] = {
    "legendre",
    "polynomial",
}


def check_basis_kind(value: str) -> BasisKind:
    if value in BASIS_KIND_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {BASIS_KIND_VALUES!r}"
    )
