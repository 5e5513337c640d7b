from typing import Literal

OtInMetric = Literal["cityblock", "euclidean", "sqeuclidean"]

OT_IN_METRIC_VALUES: set[OtInMetric] = {
    "cityblock",
    "euclidean",
    "sqeuclidean",
}


def check_ot_in_metric(value: str) -> OtInMetric:
    if value in OT_IN_METRIC_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {OT_IN_METRIC_VALUES!r}"
    )
