from typing import Literal

KernelRegressionInPreconditioner = Literal["none", "nystrom", "pivoted_cholesky"]

KERNEL_REGRESSION_IN_PRECONDITIONER_VALUES: set[KernelRegressionInPreconditioner] = {
    "none",
    "nystrom",
    "pivoted_cholesky",
}


def check_kernel_regression_in_preconditioner(
    value: str,
) -> KernelRegressionInPreconditioner:
    if value in KERNEL_REGRESSION_IN_PRECONDITIONER_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {KERNEL_REGRESSION_IN_PRECONDITIONER_VALUES!r}"
    )
