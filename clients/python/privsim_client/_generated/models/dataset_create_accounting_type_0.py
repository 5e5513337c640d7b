from typing import Literal

DatasetCreateAccountingType0 = Literal["basic", "zcdp"]

DATASET_CREATE_ACCOUNTING_TYPE_0_VALUES: set[DatasetCreateAccountingType0] = {
    "basic",
    "zcdp",
}


def check_dataset_create_accounting_type_0(value: str) -> DatasetCreateAccountingType0:
    if value in DATASET_CREATE_ACCOUNTING_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {DATASET_CREATE_ACCOUNTING_TYPE_0_VALUES!r}"
    )
