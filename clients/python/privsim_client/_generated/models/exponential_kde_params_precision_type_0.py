from typing import Literal

ExponentialKdeParamsPrecisionType0 = Literal["float32", "float64"]

EXPONENTIAL_KDE_PARAMS_PRECISION_TYPE_0_VALUES: set[
    ExponentialKdeParamsPrecisionType0
] = {
    "float32",
    "float64",
}


def check_exponential_kde_params_precision_type_0(
    value: str,
) -> ExponentialKdeParamsPrecisionType0:
    if value in EXPONENTIAL_KDE_PARAMS_PRECISION_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {EXPONENTIAL_KDE_PARAMS_PRECISION_TYPE_0_VALUES!r}"
    )
