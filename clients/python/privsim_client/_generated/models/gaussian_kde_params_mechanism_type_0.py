from typing import Literal

GaussianKdeParamsMechanismType0 = Literal["gaussian", "laplace"]

GAUSSIAN_KDE_PARAMS_MECHANISM_TYPE_0_VALUES: set[GaussianKdeParamsMechanismType0] = {
    "gaussian",
    "laplace",
}


def check_gaussian_kde_params_mechanism_type_0(
    value: str,
) -> GaussianKdeParamsMechanismType0:
    if value in GAUSSIAN_KDE_PARAMS_MECHANISM_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {GAUSSIAN_KDE_PARAMS_MECHANISM_TYPE_0_VALUES!r}"
    )
