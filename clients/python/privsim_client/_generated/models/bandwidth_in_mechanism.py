from typing import Literal

BandwidthInMechanism = Literal["gaussian", "laplace"]

BANDWIDTH_IN_MECHANISM_VALUES: set[BandwidthInMechanism] = {
    "gaussian",
    "laplace",
}


def check_bandwidth_in_mechanism(value: str) -> BandwidthInMechanism:
    if value in BANDWIDTH_IN_MECHANISM_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {BANDWIDTH_IN_MECHANISM_VALUES!r}"
    )
