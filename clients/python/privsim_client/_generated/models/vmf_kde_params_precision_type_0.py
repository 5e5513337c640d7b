from typing import Literal

VmfKdeParamsPrecisionType0 = Literal["float32", "float64"]

VMF_KDE_PARAMS_PRECISION_TYPE_0_VALUES: set[VmfKdeParamsPrecisionType0] = {
    "float32",
    "float64",
}


def check_vmf_kde_params_precision_type_0(value: str) -> VmfKdeParamsPrecisionType0:
    if value in VMF_KDE_PARAMS_PRECISION_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {VMF_KDE_PARAMS_PRECISION_TYPE_0_VALUES!r}"
    )
