from typing import Literal

SqL2DistanceParamsMechanismType0 = Literal["gaussian", "laplace"]

SQ_L2_DISTANCE_PARAMS_MECHANISM_TYPE_0_VALUES: set[SqL2DistanceParamsMechanismType0] = {
    "gaussian",
    "laplace",
}


def check_sq_l2_distance_params_mechanism_type_0(
    value: str,
) -> SqL2DistanceParamsMechanismType0:
    if value in SQ_L2_DISTANCE_PARAMS_MECHANISM_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SQ_L2_DISTANCE_PARAMS_MECHANISM_TYPE_0_VALUES!r}"
    )
