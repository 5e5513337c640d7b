from typing import Literal

GaussianKdeParamsFrequenciesType0 = Literal["iid", "orthogonal", "structured"]

GAUSSIAN_KDE_PARAMS_FREQUENCIES_TYPE_0_VALUES: set[
    GaussianKdeParamsFrequenciesType0
] = {
    "iid",
    "orthogonal",
    "structured",
}


def check_gaussian_kde_params_frequencies_type_0(
    value: str,
) -> GaussianKdeParamsFrequenciesType0:
    if value in GAUSSIAN_KDE_PARAMS_FREQUENCIES_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {GAUSSIAN_KDE_PARAMS_FREQUENCIES_TYPE_0_VALUES!r}"
    )
