from typing import Literal

SolveReadStage = Literal["fit", "loo", "variance"]

SOLVE_READ_STAGE_VALUES: set[SolveReadStage] = {
    "fit",
    "loo",
    "variance",
}


def check_solve_read_stage(value: str) -> SolveReadStage:
    if value in SOLVE_READ_STAGE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SOLVE_READ_STAGE_VALUES!r}"
    )
