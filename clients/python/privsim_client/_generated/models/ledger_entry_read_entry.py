from typing import Literal

LedgerEntryReadEntry = Literal["refund", "spend"]

LEDGER_ENTRY_READ_ENTRY_VALUES: set[LedgerEntryReadEntry] = {
    "refund",
    "spend",
}


def check_ledger_entry_read_entry(value: str) -> LedgerEntryReadEntry:
    if value in LEDGER_ENTRY_READ_ENTRY_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LEDGER_ENTRY_READ_ENTRY_VALUES!r}"
    )
