from typing import Literal

QueryStructureReduceType0 = Literal["mean", "sum"]

QUERY_STRUCTURE_REDUCE_TYPE_0_VALUES: set[QueryStructureReduceType0] = {
    "mean",
    "sum",
}


def check_query_structure_reduce_type_0(value: str) -> QueryStructureReduceType0:
    if value in QUERY_STRUCTURE_REDUCE_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {QUERY_STRUCTURE_REDUCE_TYPE_0_VALUES!r}"
    )
