from typing import Literal

DesignOutMode = Literal["least_squares", "quality_diversity"]

DESIGN_OUT_MODE_VALUES: set[DesignOutMode] = {
    "least_squares",
    "quality_diversity",
}


def check_design_out_mode(value: str) -> DesignOutMode:
    if value in DESIGN_OUT_MODE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {DESIGN_OUT_MODE_VALUES!r}"
    )
