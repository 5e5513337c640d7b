from typing import Literal

QueryStructureJsonQueryInReduce = Literal["mean", "sum"]

QUERY_STRUCTURE_JSON_QUERY_IN_REDUCE_VALUES: set[QueryStructureJsonQueryInReduce] = {
    "mean",
    "sum",
}


def check_query_structure_json_query_in_reduce(
    value: str,
) -> QueryStructureJsonQueryInReduce:
    if value in QUERY_STRUCTURE_JSON_QUERY_IN_REDUCE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {QUERY_STRUCTURE_JSON_QUERY_IN_REDUCE_VALUES!r}"
    )
