"""The accumulate step is Array-API generic: array-api-strict (and CuPy, in tests/gpu)
gives the NumPy sums. array-api-strict catches NumPy-only habits on a machine
without a GPU."""

import array_api_strict as xps
import numpy as np
import pytest

from core._array import to_host
from core.domain import L2Ball
from core.kinds import KINDS, kind_def
from core.structures import DataSpec, parse_spec

ROWS = np.random.default_rng(4).uniform(-0.5, 0.5, size=(300, 5))


@pytest.mark.parametrize("kind", KINDS)
def test_strict_namespace_gives_the_numpy_sums(kind: str) -> None:
    spec = parse_spec(kind, kind_def(kind).example_params, DataSpec(5, L2Ball(1.0), "add_remove"))
    builder = spec.builder(seed=9)
    expected = builder.accumulate(ROWS)
    strict = builder.accumulate(xps.asarray(ROWS))
    assert set(strict) == set(expected)
    for name, value in strict.items():
        np.testing.assert_allclose(to_host(value), expected[name], rtol=1e-12, atol=1e-12)
