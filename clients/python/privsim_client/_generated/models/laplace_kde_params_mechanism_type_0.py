from typing import Literal

LaplaceKdeParamsMechanismType0 = Literal["gaussian", "laplace"]

LAPLACE_KDE_PARAMS_MECHANISM_TYPE_0_VALUES: set[LaplaceKdeParamsMechanismType0] = {
    "gaussian",
    "laplace",
}


def check_laplace_kde_params_mechanism_type_0(
    value: str,
) -> LaplaceKdeParamsMechanismType0:
    if value in LAPLACE_KDE_PARAMS_MECHANISM_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LAPLACE_KDE_PARAMS_MECHANISM_TYPE_0_VALUES!r}"
    )
