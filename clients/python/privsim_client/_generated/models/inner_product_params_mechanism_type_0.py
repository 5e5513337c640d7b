from typing import Literal

InnerProductParamsMechanismType0 = Literal["gaussian", "laplace"]

INNER_PRODUCT_PARAMS_MECHANISM_TYPE_0_VALUES: set[InnerProductParamsMechanismType0] = {
    "gaussian",
    "laplace",
}


def check_inner_product_params_mechanism_type_0(
    value: str,
) -> InnerProductParamsMechanismType0:
    if value in INNER_PRODUCT_PARAMS_MECHANISM_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {INNER_PRODUCT_PARAMS_MECHANISM_TYPE_0_VALUES!r}"
    )
