from typing import Literal

ReluNngpParamsMechanismType0 = Literal["gaussian", "laplace"]

RELU_NNGP_PARAMS_MECHANISM_TYPE_0_VALUES: set[ReluNngpParamsMechanismType0] = {
    "gaussian",
    "laplace",
}


def check_relu_nngp_params_mechanism_type_0(value: str) -> ReluNngpParamsMechanismType0:
    if value in RELU_NNGP_PARAMS_MECHANISM_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {RELU_NNGP_PARAMS_MECHANISM_TYPE_0_VALUES!r}"
    )
