from typing import Literal

ModelCreateMechanismType0 = Literal["gaussian", "laplace"]

MODEL_CREATE_MECHANISM_TYPE_0_VALUES: set[ModelCreateMechanismType0] = {
    "gaussian",
    "laplace",
}


def check_model_create_mechanism_type_0(value: str) -> ModelCreateMechanismType0:
    if value in MODEL_CREATE_MECHANISM_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {MODEL_CREATE_MECHANISM_TYPE_0_VALUES!r}"
    )
