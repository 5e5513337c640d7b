from typing import Literal

BandwidthOutRegime = Literal["clt", "extreme_value", "heavy_tailed"]

BANDWIDTH_OUT_REGIME_VALUES: set[BandwidthOutRegime] = {
    "clt",
    "extreme_value",
    "heavy_tailed",
}


def check_bandwidth_out_regime(value: str) -> BandwidthOutRegime:
    if value in BANDWIDTH_OUT_REGIME_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {BANDWIDTH_OUT_REGIME_VALUES!r}"
    )
