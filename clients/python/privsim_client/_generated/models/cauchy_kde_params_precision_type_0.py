from typing import Literal

CauchyKdeParamsPrecisionType0 = Literal["float32", "float64"]

CAUCHY_KDE_PARAMS_PRECISION_TYPE_0_VALUES: set[CauchyKdeParamsPrecisionType0] = {
    "float32",
    "float64",
}


def check_cauchy_kde_params_precision_type_0(
    value: str,
) -> CauchyKdeParamsPrecisionType0:
    if value in CAUCHY_KDE_PARAMS_PRECISION_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CAUCHY_KDE_PARAMS_PRECISION_TYPE_0_VALUES!r}"
    )
