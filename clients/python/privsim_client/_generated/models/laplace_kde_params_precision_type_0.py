from typing import Literal

LaplaceKdeParamsPrecisionType0 = Literal["float32", "float64"]

LAPLACE_KDE_PARAMS_PRECISION_TYPE_0_VALUES: set[LaplaceKdeParamsPrecisionType0] = {
    "float32",
    "float64",
}


def check_laplace_kde_params_precision_type_0(
    value: str,
) -> LaplaceKdeParamsPrecisionType0:
    if value in LAPLACE_KDE_PARAMS_PRECISION_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LAPLACE_KDE_PARAMS_PRECISION_TYPE_0_VALUES!r}"
    )
