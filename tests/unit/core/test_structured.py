"""Structured random features (``frequencies: "structured"``): the fast Walsh-Hadamard
transform is the dense product, the public draws are pinned to stored vectors, the
frequencies have the radial law and orthogonal directions, the features approximate
the kernel, the features stay bounded (the sensitivities), the releases store the seed
instead of the matrix and round-trip exactly, and the design is refused where it does
not apply."""

from __future__ import annotations

import math
from typing import Any

import array_api_strict as xs
import numpy as np
import pytest
from scipy import stats  # type: ignore[import-untyped]
from scipy.linalg import hadamard as scipy_hadamard  # type: ignore[import-untyped]

from core.domain import L2Ball
from core.errors import CorruptRelease, InvalidParameter
from core.privacy.budget import PrivacyBudget
from core.structures import (
    DataSpec,
    build_release,
    dump_release,
    load_release,
    noise_plan,
    parse_spec,
)
from core.structures.feature_maps import draw_feature_map, draw_structured_frequencies
from core.structures.feature_sums import RandomFeatureRelease
from core.structures.serialization import read_header
from core.structures.structured import (
    BY_FREQUENCY_COLUMNS,
    BY_FREQUENCY_ROWS,
    fwht,
    hadamard,
    padded_dim,
    public_signs,
    public_uniforms,
    public_words,
)
from tests.helpers import unit_ball_rows

DIM = 24  # padded to 32
ROWS = unit_ball_rows(600, DIM, seed=41)
POINTS = unit_ball_rows(40, DIM, seed=42, radius=1.0)
BALL = L2Ball(1.0)


def _data(dim: int = DIM) -> DataSpec:
    return DataSpec(dim, BALL, "add_remove")


# --- the transform ------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 4, 8, 32, 128, 1024])
def test_fast_transform_is_the_dense_hadamard_product(n: int) -> None:
    """Integer inputs: every sum is exact in float64, so equality is exact."""
    H = scipy_hadamard(n).astype(np.float64)
    np.testing.assert_array_equal(hadamard(n), H)
    rng = np.random.default_rng(n)
    X = rng.integers(-1000, 1000, size=(3, 5, n)).astype(np.float64)
    a, b = 1 << ((n.bit_length() - 1) // 2), n >> ((n.bit_length() - 1) // 2)
    got = fwht(X, (hadamard(a), hadamard(b)))
    np.testing.assert_array_equal(got, X @ H)


def test_padded_dim_is_the_next_power_of_two() -> None:
    assert [padded_dim(k) for k in (1, 2, 3, 4, 5, 768, 1024, 1025)] == [
        1, 2, 4, 4, 8, 1024, 1024, 2048]


# --- the public draws, pinned -----------------------------------------------------------

def test_the_bit_generator_is_philox_and_stable() -> None:
    """Random123's known answer for Philox4x64-10 (key 0, counter 0), which NumPy
    produces for the counter before 0 (it increments before each block), and the first
    words of our stream (key = seed, counter 1 on) for a 128-bit seed."""
    kat = np.random.Philox(key=0, counter=2**256 - 1).random_raw(4)
    assert [int(w) for w in kat] == [0x16554D9ECA36314C, 0xDB20FE9D672D0FDC,
                                     0xD7E772CEE186176B, 0x7E68B68AEC7BA23B]
    assert [int(w) for w in public_words(2**100 + 12345, 4)] == [
        15424564292056253096, 7920701987513309063, 1985027670273142406,
        8762752187069775616]
    words = np.array([0, 2**64 - 1, 0b1011], dtype=np.uint64)
    np.testing.assert_array_equal(public_signs(words, 132)[128:], [-1.0, -1.0, 1.0, -1.0])
    assert set(public_signs(words, 128)[:64]) == {1.0}
    assert set(public_signs(words, 128)[64:]) == {-1.0}
    np.testing.assert_array_equal(public_uniforms(words), [0.0, 1.0 - 2.0**-53, 0.0])


def test_structured_draws_match_stored_vectors() -> None:
    """The signs and radii a seed gives (layout: ``draw_structured_frequencies``)."""
    gauss = draw_structured_frequencies(7, "gaussian", 5, 3, 0.5)
    np.testing.assert_array_equal(gauss.signs, [
        [[1, 1, -1, 1], [1, -1, 1, -1]], [[-1, -1, 1, -1], [-1, -1, -1, -1]],
        [[-1, 1, 1, -1], [1, -1, -1, -1]]])
    np.testing.assert_allclose(gauss.radii, [4.31435644, 7.95582469, 5.19942991,
                                             3.61174662, 7.21234368], rtol=1e-8)
    expo = draw_structured_frequencies(7, "exponential", 5, 3, 0.5)
    np.testing.assert_allclose(expo.radii, [3.56027201, 31.52006047, 5.44788826,
                                            2.58526133, 18.03620593], rtol=1e-8)


# --- the frequencies ------------------------------------------------------------------------

def test_directions_are_orthogonal_within_a_block_and_radii_bound_the_norms() -> None:
    """k = k' = 32: each block's rows are orthogonal with the radii as lengths. k = 24
    (padded to 32): each frequency's norm is at most its radius."""
    full = draw_structured_frequencies(3, "gaussian", 80, 32, 0.8)
    W = full.dense()
    for start in range(0, 80, 32):
        block = W[start:start + 32]
        r = full.radii[start:start + 32]
        np.testing.assert_allclose(block @ block.T, np.diag(r**2), atol=1e-10 * r.max()**2)
    part = draw_structured_frequencies(3, "gaussian", 80, 24, 0.8)
    assert np.all(np.linalg.norm(part.dense(), axis=1) <= part.radii * (1 + 1e-12))


@pytest.mark.parametrize("kernel", ["gaussian", "exponential"])
def test_radii_follow_the_radial_law_in_the_padded_dimension(kernel: str) -> None:
    sigma, k = 0.7, 24
    radii = draw_structured_frequencies(11, kernel, 4_000, k, sigma).radii  # type: ignore[arg-type]
    if kernel == "gaussian":
        law = stats.chi(df=32, scale=math.sqrt(2.0) / sigma)
    else:  # ||omega|| = sqrt(k' F(k', 1)) / sigma
        f = stats.f(32, 1)
        law = type("Law", (), {"cdf": staticmethod(lambda r: f.cdf((r * sigma) ** 2 / 32))})()
    # stratified: closer to the law than iid draws would be, so the test is loose
    assert stats.kstest(radii, law.cdf).pvalue > 1e-3


def test_angles_are_the_dense_products_and_every_namespace_agrees() -> None:
    S = draw_structured_frequencies(5, "gaussian", 70, DIM, 0.6)
    Z = POINTS[:7]
    np.testing.assert_allclose(S.angles(Z, np.float64), Z @ S.dense().T, rtol=1e-12,
                               atol=1e-12)
    np.testing.assert_allclose(S.angles(Z, np.float32), Z @ S.dense().T, rtol=1e-5,
                               atol=1e-4)
    for dtype, strict in ((np.float32, xs.float32), (np.float64, xs.float64)):
        generic = np.asarray(S.angles(xs.asarray(Z), strict))
        np.testing.assert_array_equal(S.angles(Z, dtype), generic)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_frequency_major_angles_are_the_same_angles(dtype: Any) -> None:
    """Queries' layout (``angles_by_frequency``): the transpose of ``angles`` within
    the rounding of either, over more columns than one pass takes and with a partial
    last block of frequencies (70 rows of k' = 32)."""
    S = draw_structured_frequencies(5, "gaussian", 70, DIM, 0.6)
    Z = unit_ball_rows(BY_FREQUENCY_COLUMNS + 45, DIM, seed=43, radius=1.0)
    by_frequency = S.angles_by_frequency(Z, dtype)
    assert by_frequency.shape == (70, Z.shape[0]) and by_frequency.dtype == dtype
    tolerance = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(by_frequency, S.dense() @ Z.T, rtol=tolerance,
                               atol=tolerance)
    np.testing.assert_allclose(by_frequency.T, S.angles(Z, dtype), rtol=tolerance,
                               atol=tolerance)


@pytest.mark.parametrize("kernel", ["gaussian", "exponential"])
def test_structured_features_give_the_kernel(kernel: str) -> None:
    """c <phi(x), phi(y)> against the exact kernel on random pairs spread over (0, 1]:
    within the per-pair RMSE bound 1/sqrt(m) pair by pair (5 std) and on average, with
    no visible bias."""
    rng = np.random.default_rng(5)
    dim = 64
    x = unit_ball_rows(300, dim, seed=6)
    y = x + rng.normal(size=x.shape) * rng.uniform(0.0, 0.15, size=(300, 1))
    bandwidth = 0.7
    fmap = draw_feature_map("paired", dim=dim, features=8_192, bandwidth=bandwidth,
                            projection_dim=None, seed=7, kernel=kernel,  # type: ignore[arg-type]
                            design="structured", precision="float64")
    estimate = fmap.scale * np.sum(fmap.transform(x) * fmap.transform(y), axis=1)
    d = x - y
    dist = np.linalg.norm(d, axis=1)
    exact = np.exp(-(dist / bandwidth) ** (2 if kernel == "gaussian" else 1))
    assert np.min(exact) < 0.2 and np.max(exact) > 0.9
    error = estimate - exact
    bound = fmap.approximation_std()
    assert np.max(np.abs(error)) <= 5 * bound
    assert np.sqrt(np.mean(error**2)) <= bound
    assert abs(np.mean(error)) <= 0.5 * bound


def test_features_stay_bounded_whatever_the_angles() -> None:
    """The sensitivities rest on |cos| + |sin| <= sqrt 2 and cos^2 + sin^2 <= 1 per
    pair: true for float32 structured maps, with small and with huge angles (a tiny
    bandwidth sends every angle through float64 and the reduction mod 2 pi)."""
    for bandwidth in (0.5, 1e-9):
        fmap = draw_feature_map("paired", dim=DIM, features=256, bandwidth=bandwidth,
                                projection_dim=None, seed=2, design="structured",
                                precision="float32", input_bound=1.0)
        assert fmap._structured_wide == (bandwidth < 1e-3)
        phi = fmap.transform(np.vstack([ROWS[:50], np.zeros((1, DIM))]))
        c, s = phi[:, :128], phi[:, 128:]
        assert np.all(np.isfinite(phi))
        assert np.all(np.abs(c) + np.abs(s) <= math.sqrt(2.0))
        assert np.all(c * c + s * s <= 1.0)
        assert fmap.sensitivities("add_remove") == (256 / math.sqrt(2.0), math.sqrt(128.0))


# --- releases -----------------------------------------------------------------------------

def _release(kind: str = "gaussian_kde", **params: object) -> tuple[Any, RandomFeatureRelease]:
    base = {"bandwidth": 0.6, "features": 512, "frequencies": "structured"}
    if kind == "vmf_kde":
        base = {"kappa": 4.0, "features": 512, "frequencies": "structured"}
    spec = parse_spec(kind, {**base, **params}, _data())
    release = build_release(spec, seed=2**120 + 99, plan=noise_plan(spec, PrivacyBudget(1.0)),
                            chunks=[ROWS[:300], ROWS[300:]])
    assert isinstance(release, RandomFeatureRelease)
    return spec, release


@pytest.mark.parametrize(("kind", "params"), [
    ("gaussian_kde", {}), ("gaussian_kde", {"projection_dim": 8, "precision": "float64"}),
    ("exponential_kde", {}), ("vmf_kde", {})])
def test_release_round_trip_is_exact_and_stores_no_matrix(kind: str,
                                                          params: dict[str, object]) -> None:
    spec, release = _release(kind, **params)
    blob = dump_release(release)
    again = load_release(blob)
    assert dump_release(again) == blob
    for reduce in ("sum", "mean"):
        for got, want in zip(again.query(POINTS, reduce),
                             release.query(POINTS, reduce), strict=True):
            np.testing.assert_array_equal(got, want)
    arrays = release.arrays()
    assert "frequencies" not in arrays
    assert spec.release_bytes() == sum(a.nbytes for a in arrays.values())
    header, _ = read_header(blob)
    assert header["structured"]["seed"] == f"{2**120 + 99:x}"
    assert header["params"]["frequencies"] == "structured"
    # the file is the sums (and the projection) plus a header, not a frequency matrix
    assert len(blob) < spec.release_bytes() + 4_096


def test_answers_match_brute_force_and_the_dense_map_of_the_same_frequencies() -> None:
    """At a large epsilon the answers are the kernel sums within the reported error;
    the phase form's fast path gives what the dense frequency matrix gives."""
    _, rel = _release(features=4_096, precision="float64")
    assert isinstance(rel, RandomFeatureRelease)
    d2 = np.sum((POINTS[:, None, :] - ROWS[None, :, :]) ** 2, axis=-1)
    exact = np.exp(-d2 / 0.6**2).sum(axis=1)
    got = rel.query(POINTS, "sum")
    assert np.all(np.abs(got.values - exact) <= 5 * (got.std + got.approximation_std))
    phi = rel.fmap.scale * np.concatenate([np.cos(POINTS @ rel.fmap.frequencies.T),
                                           np.sin(POINTS @ rel.fmap.frequencies.T)], axis=1)
    np.testing.assert_allclose(got.values, phi @ rel.feature_sum, rtol=1e-9, atol=1e-9)


def test_float32_rounding_bound_holds() -> None:
    """float32 answers against float64 answers of the same release: within the
    reported rounding (part of approximation_std), in the domain and far outside it,
    where the wide path answers finite values; for a few queries and for a batch large
    enough for the frequency-major transform."""
    _, fast = _release(precision="float32")
    assert isinstance(fast, RandomFeatureRelease)
    header = dict(fast.header(), precision="float64")
    exact = RandomFeatureRelease.from_parts(header, fast.arrays())
    many = unit_ball_rows(BY_FREQUENCY_ROWS + 10, DIM, seed=44, radius=1.0)
    for Y in (POINTS, POINTS * 1e3, POINTS * 1e35, many, many * 1e3):
        values, rounding = fast._phase.evaluate(Y)  # type: ignore[union-attr]
        want, _ = exact._phase.evaluate(Y)  # type: ignore[union-attr]
        assert np.all(np.isfinite(values)) and np.all(rounding > 0)
        assert np.all(np.abs(values - want) <= rounding + 1e-9 * np.abs(want))


def test_a_release_with_an_unknown_generator_is_refused() -> None:
    _, release = _release()
    assert isinstance(release, RandomFeatureRelease)
    header = release.header()
    header["structured"] = dict(header["structured"], generator="pcg64")
    with pytest.raises(CorruptRelease):
        RandomFeatureRelease.from_parts(header, release.arrays())


# --- parameters and cost -------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "params"), [
    ("laplace_kde", {"bandwidth": 1.0, "frequencies": "structured"}),
    ("cauchy_kde", {"bandwidth": 1.0, "frequencies": "structured"}),
    ("gaussian_kde", {"bandwidth": 1.0, "frequencies": "hadamard"}),
])
def test_structured_is_refused_where_it_does_not_apply(kind: str,
                                                       params: dict[str, object]) -> None:
    with pytest.raises(InvalidParameter) as raised:
        parse_spec(kind, params, _data())
    assert raised.value.name == "params.frequencies"


def test_public_params_parse_back_to_the_same_public_randomness() -> None:
    spec = parse_spec("gaussian_kde", {"bandwidth": 0.6, "frequencies": "structured"}, _data())
    again = parse_spec("gaussian_kde", spec.public_params(), _data())
    first = spec.builder(9).accumulate(ROWS[:20])["features"]
    np.testing.assert_array_equal(first, again.builder(9).accumulate(ROWS[:20])["features"])


def test_cost_counts_the_transforms_not_a_matrix() -> None:
    """At d = 768 the structured query does 3 (32 + 32) multiply-adds per frequency
    instead of 768, and the release holds no matrix."""
    data = DataSpec(768, BALL, "add_remove")
    costs = {}
    for design in ("orthogonal", "structured"):
        spec = parse_spec("gaussian_kde", {"bandwidth": 1.0, "features": 4_096,
                                           "frequencies": design}, data)
        costs[design] = spec.cost(10_000, 10_000)
        assert costs[design].release_bytes == spec.release_bytes()
    dense, fast = costs["orthogonal"], costs["structured"]
    assert fast.release_bytes == 8 * 4_096 < dense.release_bytes / 100
    assert fast.query_seconds_per_point < dense.query_seconds_per_point / 2
    assert fast.build_seconds < dense.build_seconds
