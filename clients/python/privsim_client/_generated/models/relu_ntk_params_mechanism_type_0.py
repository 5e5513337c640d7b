from typing import Literal

ReluNtkParamsMechanismType0 = Literal["gaussian", "laplace"]

RELU_NTK_PARAMS_MECHANISM_TYPE_0_VALUES: set[ReluNtkParamsMechanismType0] = {
    "gaussian",
    "laplace",
}


def check_relu_ntk_params_mechanism_type_0(value: str) -> ReluNtkParamsMechanismType0:
    if value in RELU_NTK_PARAMS_MECHANISM_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {RELU_NTK_PARAMS_MECHANISM_TYPE_0_VALUES!r}"
    )
