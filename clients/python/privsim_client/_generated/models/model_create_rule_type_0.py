from typing import Literal

ModelCreateRuleType0 = Literal["cosine", "mean", "nadaraya_watson", "sum", "vmf"]

MODEL_CREATE_RULE_TYPE_0_VALUES: set[ModelCreateRuleType0] = {
    "cosine",
    "mean",
    "nadaraya_watson",
    "sum",
    "vmf",
}


def check_model_create_rule_type_0(value: str) -> ModelCreateRuleType0:
    if value in MODEL_CREATE_RULE_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {MODEL_CREATE_RULE_TYPE_0_VALUES!r}"
    )
