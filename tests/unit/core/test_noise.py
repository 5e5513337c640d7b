"""The samplers draw from the distribution and scale they claim (OpenDP, CSPRNG)."""

import ast
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from core.errors import InvalidParameter
from core.privacy import noise

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("scale", [0.5, 3.0, 200.0])
def test_laplace_has_its_scale(scale: float) -> None:
    draws = noise.laplace(np.zeros(20_000), scale)
    assert stats.kstest(draws, "laplace", args=(0, scale)).pvalue > 1e-4


@pytest.mark.parametrize("scale", [0.5, 3.0, 200.0])
def test_gaussian_has_its_scale(scale: float) -> None:
    draws = noise.gaussian(np.zeros(10_000), scale)
    assert stats.kstest(draws, "norm", args=(0, scale)).pvalue > 1e-4


def test_noise_is_added_to_the_values_and_keeps_their_shape() -> None:
    values = np.arange(6.0).reshape(2, 3) * 1e6
    noisy = noise.laplace(values, 1.0)
    assert noisy.shape == (2, 3)
    assert np.all(np.abs(noisy - values) < 100)
    assert not np.array_equal(noisy, values)


def test_two_draws_differ() -> None:
    assert not np.array_equal(noise.laplace(np.zeros(8), 1.0), noise.laplace(np.zeros(8), 1.0))


def test_privacy_maps() -> None:
    assert noise.laplace_epsilon(2.0, 4.0) == pytest.approx(0.5)
    assert noise.gaussian_rho(1.0, 3.0) == pytest.approx(1 / 18)
    # OpenDP's conversion is tighter than rho + 2 sqrt(rho log(1/delta))
    rho, delta = 0.05, 1e-6
    eps = noise.zcdp_epsilon(rho, delta)
    assert eps <= rho + 2 * math.sqrt(rho * math.log(1 / delta))
    assert eps > rho
    assert noise.zcdp_epsilon(1e9, delta) == math.inf


def test_bad_input_is_refused() -> None:
    with pytest.raises(InvalidParameter):
        noise.laplace(np.array([np.nan]), 1.0)
    with pytest.raises(InvalidParameter):
        noise.gaussian(np.zeros(2), 0.0)


def _uses_array_rng(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr == "random"
                and isinstance(node.value, ast.Name)
                and node.value.id in ("np", "numpy", "cp", "cupy")):
            return True
        if isinstance(node, ast.ImportFrom) and node.module in ("numpy.random", "cupy.random"):
            return True
        if isinstance(node, ast.Import) and any(a.name in ("numpy.random", "cupy.random")
                                                for a in node.names):
            return True
    return False


# the audit's own modules draw public test inputs with numpy (candidate rows for the
# sensitivity search, background rows for the noise check), never noise for a release
AUDIT_INPUTS = ("core/privacy/noise_check.py", "core/privacy/sensitivity_search.py")


def test_no_numpy_rng_in_privacy_or_service_code() -> None:
    """Privacy noise is drawn only by core/privacy/noise.py through OpenDP; the privacy
    and service code never touches numpy's or cupy's RNG."""
    offenders = [str(path.relative_to(ROOT))
                 for folder in ("core/privacy", "app", "gpu")
                 for path in (ROOT / folder).rglob("*.py")
                 if _uses_array_rng(ast.parse(path.read_text()))]
    assert sorted(offenders) == sorted(AUDIT_INPUTS)
    assert _uses_array_rng(ast.parse("import numpy as np\nnp.random.laplace(0, 1)"))
    # the audit's test inputs never reach the service: nothing in app/ or gpu/ imports them
    modules = {path.removesuffix(".py").replace("/", ".") for path in AUDIT_INPUTS}
    for folder in ("app", "gpu"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom):
                    assert node.module not in modules, path
                if isinstance(node, ast.Import):
                    assert not {a.name for a in node.names} & modules, path


# --- long vectors: chunks on threads ---------------------------------------------------

@pytest.mark.parametrize("sampler", ["laplace", "gaussian"])
def test_a_long_vector_is_drawn_in_chunks_with_the_same_law_and_order(
        sampler: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above ``CHUNK`` values the draw is split over the thread pool: every chunk has the
    law of one call (KS, per chunk and all together) and the values keep their order."""
    monkeypatch.setattr(noise, "CHUNK", 1_000)
    monkeypatch.setattr(noise, "threads", lambda: 2)
    scale = 2.0
    offsets = np.arange(5_500.0) * 1e4  # far apart: each noisy value stays by its own
    noisy = getattr(noise, sampler)(offsets.reshape(55, 100), scale)
    assert noisy.shape == (55, 100)
    draws = noisy.ravel() - offsets
    assert np.all(np.abs(draws) < 1e3)  # in order: no value moved to another's place
    law = ("laplace", (0, scale)) if sampler == "laplace" else ("norm", (0, scale))
    assert stats.kstest(draws, law[0], args=law[1]).pvalue > 1e-4
    for start in range(0, draws.size, 1_000):  # the last chunk is short (500)
        assert stats.kstest(draws[start:start + 1_000], law[0], args=law[1]).pvalue > 1e-5
    # chunks are independent draws, not one chunk's noise repeated
    assert not np.array_equal(draws[:1_000], draws[1_000:2_000])


def test_chunked_draws_run_on_the_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.setattr(noise, "CHUNK", 100)
    monkeypatch.setattr(noise, "threads", lambda: 2)
    seen: set[str] = set()
    real = noise._gaussian_measurement

    def spy(scale: float, size: int, k: int | None):  # type: ignore[no-untyped-def]
        seen.add(threading.current_thread().name)
        return real(scale, size, k)

    monkeypatch.setattr(noise, "_gaussian_measurement", spy)
    noise.gaussian(np.zeros(1_000), 1.0)
    assert seen and all(name.startswith("noise") for name in seen)
    seen.clear()
    noise.gaussian(np.zeros(100), 1.0)  # one chunk: drawn in the caller's thread
    assert seen == {threading.current_thread().name}


def test_a_failing_chunk_fails_the_draw(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(noise, "CHUNK", 10)
    monkeypatch.setattr(noise, "threads", lambda: 2)
    calls = 0
    real = noise._laplace_measurement

    def flaky(scale: float, size: int, k: int | None):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("sampler failed")
        return real(scale, size, k)

    monkeypatch.setattr(noise, "_laplace_measurement", flaky)
    with pytest.raises(RuntimeError, match="sampler failed"):
        noise.laplace(np.zeros(50), 1.0)


@pytest.mark.parametrize("sampler", ["laplace", "gaussian"])
def test_a_lattice_keeps_the_law_and_puts_the_values_on_it(sampler: str) -> None:
    k = -10  # coarse enough for the lattice steps to be exact in float64
    noisy = getattr(noise, sampler)(np.full(10_000, 0.1), 3.0, k=k)
    law = ("laplace", (0, 3.0)) if sampler == "laplace" else ("norm", (0, 3.0))
    # 0.1 is rounded to the lattice first: the draws are centred on 102 / 1024
    assert stats.kstest(noisy - 102 / 1024, law[0], args=law[1]).pvalue > 1e-4
    on = noisy / 2.0**k
    assert np.array_equal(on, np.round(on))


def test_the_lattice_map_adds_the_rounding_and_nothing_else() -> None:
    # OpenDP's map on the lattice 2^k: (sensitivity + size 2^k) / b for Laplace,
    # (sensitivity + sqrt(size) 2^k)^2 / (2 s^2) for the Gaussian
    assert noise.laplace_epsilon(1.0, 10.0, size=20_000, k=-30) == pytest.approx(
        (1.0 + 20_000 * 2.0**-30) / 10.0, rel=1e-12)
    assert noise.gaussian_rho(1.0, 1.0, size=3, k=-10) == pytest.approx(
        (1.0 + math.sqrt(3) * 2.0**-10) ** 2 / 2, rel=1e-12)
    for size in (1, 7, 512, 2_000_000):
        for sensitivity in (1e-6, 1.0, 362.0):
            k1 = noise.lattice(sensitivity, size, "l1")
            assert size * 2.0**k1 <= 2.0**-40 * sensitivity
            k2 = noise.lattice(sensitivity, size, "l2")
            assert math.sqrt(size) * 2.0**k2 <= 2.0**-40 * sensitivity
    assert noise.lattice(1e-320, 1, "l1") == noise.EXACT
    with pytest.raises(InvalidParameter):
        noise.lattice(0.0, 5, "l1")
