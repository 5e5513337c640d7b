from typing import Literal

QueryOutReduce = Literal["mean", "sum"]

QUERY_OUT_REDUCE_VALUES: set[QueryOutReduce] = {
    "mean",
    "sum",
}


def check_query_out_reduce(value: str) -> QueryOutReduce:
    if value in QUERY_OUT_REDUCE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {QUERY_OUT_REDUCE_VALUES!r}"
    )
