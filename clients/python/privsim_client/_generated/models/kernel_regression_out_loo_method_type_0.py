from typing import Literal

KernelRegressionOutLooMethodType0 = Literal["exact", "hutchinson"]

KERNEL_REGRESSION_OUT_LOO_METHOD_TYPE_0_VALUES: set[
    KernelRegressionOutLooMethodType0
] = {
    "exact",
    "hutchinson",
}


def check_kernel_regression_out_loo_method_type_0(
    value: str,
) -> KernelRegressionOutLooMethodType0:
    if value in KERNEL_REGRESSION_OUT_LOO_METHOD_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {KERNEL_REGRESSION_OUT_LOO_METHOD_TYPE_0_VALUES!r}"
    )
