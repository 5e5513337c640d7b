"""app.blas.one_blas_thread: BLAS on one thread inside, the setting restored by the last
caller to leave, whatever the nesting. (From the thread that loaded OpenBLAS, as the
event loop's is: set from another thread, this OpenBLAS build reports no change.)"""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from app.blas import one_blas_thread


def blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


@pytest.fixture(autouse=True)
def two_threads() -> None:
    np.ones((2, 2)) @ np.ones((2, 2))  # BLAS is loaded
    if not blas_threads():
        pytest.skip("NumPy reports no BLAS library")


def test_one_thread_inside_and_the_setting_restored_after_nesting() -> None:
    with threadpool_limits(limits=2, user_api="blas"):
        with one_blas_thread():
            assert blas_threads() == [1] * len(blas_threads())
            with one_blas_thread():
                assert set(blas_threads()) == {1}
            assert set(blas_threads()) == {1}  # the outer caller is still inside
        assert set(blas_threads()) == {2}


def test_an_exception_inside_still_restores() -> None:
    with threadpool_limits(limits=2, user_api="blas"):
        with pytest.raises(RuntimeError), one_blas_thread():
            raise RuntimeError("boom")
        assert set(blas_threads()) == {2}
