from typing import Literal

ParamReadType = Literal["integer", "number", "string"]

PARAM_READ_TYPE_VALUES: set[ParamReadType] = {
    "integer",
    "number",
    "string",
}


def check_param_read_type(value: str) -> ParamReadType:
    if value in PARAM_READ_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {PARAM_READ_TYPE_VALUES!r}"
    )
