from typing import Literal

ExpectationOutKernel = Literal["exact", "release"]

EXPECTATION_OUT_KERNEL_VALUES: set[ExpectationOutKernel] = {
    "exact",
    "release",
}


def check_expectation_out_kernel(value: str) -> ExpectationOutKernel:
    if value in EXPECTATION_OUT_KERNEL_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {EXPECTATION_OUT_KERNEL_VALUES!r}"
    )
