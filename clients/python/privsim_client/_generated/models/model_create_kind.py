from typing import Literal

ModelCreateKind = Literal["classifier", "regressor", "vmf"]

MODEL_CREATE_KIND_VALUES: set[ModelCreateKind] = {
    "classifier",
    "regressor",
    "vmf",
}


def check_model_create_kind(value: str) -> ModelCreateKind:
    if value in MODEL_CREATE_KIND_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {MODEL_CREATE_KIND_VALUES!r}"
    )
