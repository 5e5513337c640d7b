from typing import Literal

CauchyKdeParamsMetricInputType0 = Literal["l1", "l2", "sq_l2"]

CAUCHY_KDE_PARAMS_METRIC_INPUT_TYPE_0_VALUES: set[CauchyKdeParamsMetricInputType0] = {
    "l1",
    "l2",
    "sq_l2",
}


def check_cauchy_kde_params_metric_input_type_0(
    value: str,
) -> CauchyKdeParamsMetricInputType0:
    if value in CAUCHY_KDE_PARAMS_METRIC_INPUT_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CAUCHY_KDE_PARAMS_METRIC_INPUT_TYPE_0_VALUES!r}"
    )
