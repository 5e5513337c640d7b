from typing import Literal

DatasetCreateNeighbouring = Literal["add_remove", "replace_one"]

DATASET_CREATE_NEIGHBOURING_VALUES: set[DatasetCreateNeighbouring] = {
    "add_remove",
    "replace_one",
}


def check_dataset_create_neighbouring(value: str) -> DatasetCreateNeighbouring:
    if value in DATASET_CREATE_NEIGHBOURING_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {DATASET_CREATE_NEIGHBOURING_VALUES!r}"
    )
