from typing import Literal

ExponentialKdeParamsFrequenciesType0 = Literal["iid", "orthogonal", "structured"]

EXPONENTIAL_KDE_PARAMS_FREQUENCIES_TYPE_0_VALUES: set[
    ExponentialKdeParamsFrequenciesType0
] = {
    "iid",
    "orthogonal",
    "structured",
}


def check_exponential_kde_params_frequencies_type_0(
    value: str,
) -> ExponentialKdeParamsFrequenciesType0:
    if value in EXPONENTIAL_KDE_PARAMS_FREQUENCIES_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {EXPONENTIAL_KDE_PARAMS_FREQUENCIES_TYPE_0_VALUES!r}"
    )
