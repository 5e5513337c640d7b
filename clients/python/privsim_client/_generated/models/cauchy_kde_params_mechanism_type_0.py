from typing import Literal

CauchyKdeParamsMechanismType0 = Literal["gaussian", "laplace"]

CAUCHY_KDE_PARAMS_MECHANISM_TYPE_0_VALUES: set[CauchyKdeParamsMechanismType0] = {
    "gaussian",
    "laplace",
}


def check_cauchy_kde_params_mechanism_type_0(
    value: str,
) -> CauchyKdeParamsMechanismType0:
    if value in CAUCHY_KDE_PARAMS_MECHANISM_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CAUCHY_KDE_PARAMS_MECHANISM_TYPE_0_VALUES!r}"
    )
