from typing import Literal

JobReadStatus = Literal["failed", "queued", "running", "succeeded"]

JOB_READ_STATUS_VALUES: set[JobReadStatus] = {
    "failed",
    "queued",
    "running",
    "succeeded",
}


def check_job_read_status(value: str) -> JobReadStatus:
    if value in JOB_READ_STATUS_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {JOB_READ_STATUS_VALUES!r}"
    )
