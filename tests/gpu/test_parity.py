"""CuPy against NumPy: the exact sums of every structure kind, and a whole build.

Skipped cleanly where ``gpu.device.load_cupy()`` finds no usable CUDA device, so the
suite collects everywhere; ``gpu/check.sh`` runs them (``pytest -m gpu tests/gpu``) on
a machine with one. The exact sums carry no noise and must agree to float64 rounding.
A release's noise is drawn afresh from the CSPRNG by every build, so two releases from
the same public randomness agree only within their reported noise.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Literal

import numpy as np
import pytest
from numpy.typing import NDArray

from core.domain import L2Ball
from core.kinds import KINDS, kind_def
from core.privacy.budget import PrivacyBudget
from core.structures import DataSpec, Spec, build_release, noise_plan, parse_spec
from gpu.backend import select_backend
from gpu.device import load_cupy

DIM = 16
N_ROWS = 5_000  # more than two of the random-feature builders' 2,048-row blocks
SEED = 20_240_601  # public randomness (frequencies, projections) of every build here
RTOL = 1e-9  # relative to n: every row adds values of magnitude at most ~1
# A large epsilon makes the noise small next to the answers, so "within the noise" is a
# sharp check; 10 standard deviations of the difference of two independent draws.
EPSILON, NOISE_SIGMAS = 1e3, 10.0


def ball_rows(n: int, seed: int) -> NDArray[np.float64]:
    """n points spread through the unit ball (the domain of the specs below)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    x = rng.standard_normal((n, DIM))
    radii = rng.uniform(0.0, 1.0, size=(n, 1)) ** (1.0 / DIM)
    return np.asarray(x / np.linalg.norm(x, axis=1, keepdims=True) * radii * (1 - 1e-9))


ROWS = ball_rows(N_ROWS, seed=1)
POINTS = ball_rows(64, seed=2)


def spec_of(kind: str) -> Spec:
    return parse_spec(kind, kind_def(kind).example_params, DataSpec(DIM, L2Ball(1.0), "add_remove"))


@pytest.fixture(scope="module")
def cupy() -> ModuleType:
    module = load_cupy()
    if module is None:
        pytest.skip("no usable CUDA device: gpu.device.load_cupy() is None")
    return module


def test_the_parameters_cover_every_kind() -> None:
    """Runs everywhere: the GPU tests below are set up for every registered kind."""
    for kind in KINDS:
        spec = spec_of(kind)
        sums = spec.builder(SEED).accumulate(ROWS[:10])
        assert {s.name for s in spec.statistics()} == set(sums), kind
        if "count" in sums:
            assert sums["count"][0] == 10


def test_without_a_device_the_backends_say_so() -> None:
    if load_cupy() is not None:
        pytest.skip("a CUDA device is present")
    assert select_backend("auto").name == "cpu"
    with pytest.raises(RuntimeError, match="no usable CUDA device"):
        select_backend("gpu")


@pytest.mark.gpu
def test_auto_backend_is_the_gpu_when_there_is_one(cupy: ModuleType) -> None:
    requested: Literal["auto", "gpu"]
    for requested in ("auto", "gpu"):
        backend = select_backend(requested)
        assert backend.name == "gpu"
        assert isinstance(backend.to_device(ROWS[:3]), cupy.ndarray)
    assert select_backend("cpu").name == "cpu"


@pytest.mark.gpu
@pytest.mark.parametrize("kind", KINDS)
def test_exact_sums_on_the_gpu_match_numpy(cupy: ModuleType, kind: str) -> None:
    builder = spec_of(kind).builder(SEED)
    expected = builder.accumulate(ROWS)
    on_device = builder.accumulate(cupy.asarray(ROWS))
    assert set(on_device) == set(expected)
    for name, value in on_device.items():
        assert isinstance(value, cupy.ndarray), f"{name} was not computed on the device"
        host = cupy.asnumpy(value)
        assert host.dtype == np.float64
        np.testing.assert_allclose(host, expected[name], rtol=RTOL, atol=RTOL * N_ROWS,
                                   err_msg=f"{kind}: {name}")


@pytest.mark.gpu
@pytest.mark.parametrize("kind", KINDS)
def test_a_gpu_build_answers_like_a_numpy_build(cupy: ModuleType, kind: str) -> None:
    spec = spec_of(kind)
    plan = noise_plan(spec, PrivacyBudget(EPSILON))
    chunks = [ROWS[:3_000], ROWS[3_000:]]
    on_cpu = build_release(spec, seed=SEED, plan=plan, chunks=chunks)
    on_gpu = build_release(spec, seed=SEED, plan=plan, chunks=chunks, to_backend=cupy.asarray)
    for name, array in on_gpu.arrays().items():  # the release lives on the host
        assert type(array) is np.ndarray, name
        assert array.dtype == np.float64, name
    assert on_gpu.error_model(spec.data) == on_cpu.error_model(spec.data)
    for reduce in ("sum", "mean"):
        cpu_values, cpu_std, cpu_approx = on_cpu.query(POINTS, reduce)
        gpu_values, gpu_std, gpu_approx = on_gpu.query(POINTS, reduce)
        # same plan, same public randomness: the same reported errors, up to the noisy
        # count they are scaled by
        np.testing.assert_allclose(gpu_std, cpu_std, rtol=1e-3)
        np.testing.assert_allclose(gpu_approx, cpu_approx, rtol=1e-3)
        bound = (NOISE_SIGMAS * math.sqrt(2.0) * np.maximum(gpu_std, cpu_std)
                 + RTOL * N_ROWS)
        gap = np.abs(gpu_values - cpu_values)
        assert np.all(gap <= bound), (reduce, float(np.max(gap / bound)))
