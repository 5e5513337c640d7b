from typing import Literal

DatasetCreateOnOutOfDomain = Literal["clip", "reject"]

DATASET_CREATE_ON_OUT_OF_DOMAIN_VALUES: set[DatasetCreateOnOutOfDomain] = {
    "clip",
    "reject",
}


def check_dataset_create_on_out_of_domain(value: str) -> DatasetCreateOnOutOfDomain:
    if value in DATASET_CREATE_ON_OUT_OF_DOMAIN_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {DATASET_CREATE_ON_OUT_OF_DOMAIN_VALUES!r}"
    )
