from typing import Literal

DesignInMethodType0 = Literal["dpp", "greedy", "iid", "sample", "volume"]

DESIGN_IN_METHOD_TYPE_0_VALUES: set[DesignInMethodType0] = {
    "dpp",
    "greedy",
    "iid",
    "sample",
    "volume",
}


def check_design_in_method_type_0(value: str) -> DesignInMethodType0:
    if value in DESIGN_IN_METHOD_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {DESIGN_IN_METHOD_TYPE_0_VALUES!r}"
    )
