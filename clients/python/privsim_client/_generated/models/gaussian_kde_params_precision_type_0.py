from typing import Literal

GaussianKdeParamsPrecisionType0 = Literal["float32", "float64"]

GAUSSIAN_KDE_PARAMS_PRECISION_TYPE_0_VALUES: set[GaussianKdeParamsPrecisionType0] = {
    "float32",
    "float64",
}


def check_gaussian_kde_params_precision_type_0(
    value: str,
) -> GaussianKdeParamsPrecisionType0:
    if value in GAUSSIAN_KDE_PARAMS_PRECISION_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {GAUSSIAN_KDE_PARAMS_PRECISION_TYPE_0_VALUES!r}"
    )
