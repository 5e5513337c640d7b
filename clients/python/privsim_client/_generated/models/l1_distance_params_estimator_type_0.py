from typing import Literal

L1DistanceParamsEstimatorType0 = Literal["banded", "prefix"]

L1_DISTANCE_PARAMS_ESTIMATOR_TYPE_0_VALUES: set[L1DistanceParamsEstimatorType0] = {
    "banded",
    "prefix",
}


def check_l1_distance_params_estimator_type_0(
    value: str,
) -> L1DistanceParamsEstimatorType0:
    if value in L1_DISTANCE_PARAMS_ESTIMATOR_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {L1_DISTANCE_PARAMS_ESTIMATOR_TYPE_0_VALUES!r}"
    )
