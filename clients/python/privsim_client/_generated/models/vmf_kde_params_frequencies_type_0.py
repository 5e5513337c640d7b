from typing import Literal

VmfKdeParamsFrequenciesType0 = Literal["iid", "orthogonal", "structured"]

VMF_KDE_PARAMS_FREQUENCIES_TYPE_0_VALUES: set[VmfKdeParamsFrequenciesType0] = {
    "iid",
    "orthogonal",
    "structured",
}


def check_vmf_kde_params_frequencies_type_0(value: str) -> VmfKdeParamsFrequenciesType0:
    if value in VMF_KDE_PARAMS_FREQUENCIES_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {VMF_KDE_PARAMS_FREQUENCIES_TYPE_0_VALUES!r}"
    )
