from typing import Literal

CauchyKdeParamsFrequenciesType0 = Literal["iid", "orthogonal"]

CAUCHY_KDE_PARAMS_FREQUENCIES_TYPE_0_VALUES: set[CauchyKdeParamsFrequenciesType0] = {
    "iid",
    "orthogonal",
}


def check_cauchy_kde_params_frequencies_type_0(
    value: str,
) -> CauchyKdeParamsFrequenciesType0:
    if value in CAUCHY_KDE_PARAMS_FREQUENCIES_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CAUCHY_KDE_PARAMS_FREQUENCIES_TYPE_0_VALUES!r}"
    )
