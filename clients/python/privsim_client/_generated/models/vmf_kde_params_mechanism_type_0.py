from typing import Literal

VmfKdeParamsMechanismType0 = Literal["gaussian", "laplace"]

VMF_KDE_PARAMS_MECHANISM_TYPE_0_VALUES: set[VmfKdeParamsMechanismType0] = {
    "gaussian",
    "laplace",
}


def check_vmf_kde_params_mechanism_type_0(value: str) -> VmfKdeParamsMechanismType0:
    if value in VMF_KDE_PARAMS_MECHANISM_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {VMF_KDE_PARAMS_MECHANISM_TYPE_0_VALUES!r}"
    )
