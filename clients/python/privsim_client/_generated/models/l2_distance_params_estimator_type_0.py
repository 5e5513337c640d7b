from typing import Literal

L2DistanceParamsEstimatorType0 = Literal["banded", "prefix"]

L2_DISTANCE_PARAMS_ESTIMATOR_TYPE_0_VALUES: set[L2DistanceParamsEstimatorType0] = {
    "banded",
    "prefix",
}


def check_l2_distance_params_estimator_type_0(
    value: str,
) -> L2DistanceParamsEstimatorType0:
    if value in L2_DISTANCE_PARAMS_ESTIMATOR_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {L2_DISTANCE_PARAMS_ESTIMATOR_TYPE_0_VALUES!r}"
    )
