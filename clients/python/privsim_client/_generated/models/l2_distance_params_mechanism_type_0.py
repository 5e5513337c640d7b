from typing import Literal

L2DistanceParamsMechanismType0 = Literal["gaussian", "laplace"]

L2_DISTANCE_PARAMS_MECHANISM_TYPE_0_VALUES: set[L2DistanceParamsMechanismType0] = {
    "gaussian",
    "laplace",
}


def check_l2_distance_params_mechanism_type_0(
    value: str,
) -> L2DistanceParamsMechanismType0:
    if value in L2_DISTANCE_PARAMS_MECHANISM_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {L2_DISTANCE_PARAMS_MECHANISM_TYPE_0_VALUES!r}"
    )
