"""Release files round-trip, and any corruption is detected before use."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain import L2Ball
from core.errors import CorruptRelease
from core.kinds import KINDS, kind_def
from core.privacy.budget import PrivacyBudget
from core.structures import (
    DataSpec,
    build_release,
    dump_release,
    load_release,
    noise_plan,
    parse_spec,
)

ROWS = np.random.default_rng(0).uniform(-0.5, 0.5, size=(50, 3))
BLOBS = {}
for _kind in KINDS:
    _spec = parse_spec(_kind, kind_def(_kind).example_params,
                       DataSpec(3, L2Ball(1.0), "add_remove"))
    BLOBS[_kind] = dump_release(build_release(
        _spec, seed=1, plan=noise_plan(_spec, PrivacyBudget(1.0)), chunks=[ROWS]))


@pytest.mark.parametrize("kind", KINDS)
def test_round_trip_is_exact(kind: str) -> None:
    release = load_release(BLOBS[kind])
    again = dump_release(release)
    assert again == BLOBS[kind]


@settings(max_examples=80, deadline=None)
@given(kind=st.sampled_from(KINDS), position=st.integers(0, 10**9), flip=st.integers(1, 255))
def test_any_flipped_byte_is_detected(kind: str, position: int, flip: int) -> None:
    blob = bytearray(BLOBS[kind])
    blob[position % len(blob)] ^= flip
    with pytest.raises(CorruptRelease):
        load_release(bytes(blob))


def test_every_header_byte_is_covered() -> None:
    """Exhaustively: no single-bit change in the header goes unnoticed."""
    blob = BLOBS["gaussian_kde"]
    header_end = 14 + int.from_bytes(blob[10:14], "little")
    for i in range(header_end):
        for bit in range(8):
            changed = bytearray(blob)
            changed[i] ^= 1 << bit
            with pytest.raises(CorruptRelease):
                load_release(bytes(changed))


@settings(max_examples=40, deadline=None)
@given(cut=st.integers(0, 10**9))
def test_truncation_is_detected(cut: int) -> None:
    blob = BLOBS["gaussian_kde"]
    with pytest.raises(CorruptRelease):
        load_release(blob[: cut % len(blob)])
