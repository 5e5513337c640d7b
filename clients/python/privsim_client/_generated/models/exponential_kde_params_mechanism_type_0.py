from typing import Literal

ExponentialKdeParamsMechanismType0 = Literal["gaussian", "laplace"]

EXPONENTIAL_KDE_PARAMS_MECHANISM_TYPE_0_VALUES: set[
    ExponentialKdeParamsMechanismType0
] = {
    "gaussian",
    "laplace",
}


def check_exponential_kde_params_mechanism_type_0(
    value: str,
) -> ExponentialKdeParamsMechanismType0:
    if value in EXPONENTIAL_KDE_PARAMS_MECHANISM_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {EXPONENTIAL_KDE_PARAMS_MECHANISM_TYPE_0_VALUES!r}"
    )
