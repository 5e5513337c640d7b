from typing import Literal

KernelRegressionInMethod = Literal["cholesky", "pcg"]

KERNEL_REGRESSION_IN_METHOD_VALUES: set[KernelRegressionInMethod] = {
    "cholesky",
    "pcg",
}


def check_kernel_regression_in_method(value: str) -> KernelRegressionInMethod:
    if value in KERNEL_REGRESSION_IN_METHOD_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {KERNEL_REGRESSION_IN_METHOD_VALUES!r}"
    )
