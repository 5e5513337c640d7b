from typing import Literal

L1DistanceParamsMechanismType0 = Literal["gaussian", "laplace"]

L1_DISTANCE_PARAMS_MECHANISM_TYPE_0_VALUES: set[L1DistanceParamsMechanismType0] = {
    "gaussian",
    "laplace",
}


def check_l1_distance_params_mechanism_type_0(
    value: str,
) -> L1DistanceParamsMechanismType0:
    if value in L1_DISTANCE_PARAMS_MECHANISM_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {L1_DISTANCE_PARAMS_MECHANISM_TYPE_0_VALUES!r}"
    )
