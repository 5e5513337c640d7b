import numpy as np
import pytest

from core.domain import MAX_DOMAIN_SCALE, MIN_DOMAIN_SCALE, Box, L2Ball, domain_from_dict
from core.errors import InvalidParameter


def test_l2_ball_clips_into_the_ball_and_leaves_inside_rows_alone() -> None:
    ball = L2Ball(2.0)
    rows = np.array([[3.0, 4.0], [0.5, 0.5], [0.0, 0.0], [1e300, 1e300]])
    clipped = ball.clip(rows)
    assert np.all(np.linalg.norm(clipped, axis=1) <= 2.0)
    np.testing.assert_array_equal(clipped[1:3], rows[1:3])
    np.testing.assert_allclose(clipped[0], [1.2, 1.6], rtol=1e-12)
    assert ball.outside(rows).tolist() == [True, False, False, True]


def test_box_clips_per_coordinate() -> None:
    box = Box((0.0, -1.0), (1.0, 1.0))
    clipped = box.clip(np.array([[2.0, -3.0], [0.5, 0.5]]))
    np.testing.assert_allclose(clipped, [[1.0, -1.0], [0.5, 0.5]], rtol=1e-14)
    # a hair inside: the rounded distance to the centre never exceeds the half-width
    rows = np.random.default_rng(0).uniform(-5, 5, size=(10_000, 2))
    assert np.all(np.abs(box.clip(rows) - box.center(2)) <= box.half_widths(2))
    np.testing.assert_array_equal(box.center(2), [0.5, 0.0])
    assert box.max_l1(2) == pytest.approx(1.5)
    assert box.max_l2(2) == pytest.approx(np.hypot(0.5, 1.0))


def test_bounds_on_the_ball() -> None:
    ball = L2Ball(1.0)
    assert ball.max_l2(16) == 1.0
    assert ball.max_l1(16) == pytest.approx(4.0)


def test_parsing() -> None:
    assert domain_from_dict({"type": "l2_ball", "radius": 3}, 2) == L2Ball(3.0)
    assert domain_from_dict({"type": "box", "low": 0, "high": [1, 2]}, 2) == Box((0.0, 0.0),
                                                                             (1.0, 2.0))
    for bad in ({"type": "l2_ball", "radius": 0}, {"type": "l2_ball", "radius": True},
                {"type": "box", "low": [0], "high": 1}, {"type": "box", "low": 1, "high": 1},
                {"type": "sphere"}, {"type": "box", "low": "a", "high": 1}):
        with pytest.raises(InvalidParameter):
            domain_from_dict(bad, 2)


def test_the_allowed_domain_range() -> None:
    """Scale (radius, every bound's magnitude) at most 1e12; radius and every box width
    at least 1e-12; the refusal names the range."""
    for ok in (L2Ball(MIN_DOMAIN_SCALE), L2Ball(MAX_DOMAIN_SCALE),
               Box.uniform(-MAX_DOMAIN_SCALE, MAX_DOMAIN_SCALE, 2),
               Box.uniform(0.0, MIN_DOMAIN_SCALE, 2)):
        assert ok.max_l2(2) > 0
    for make in (lambda: L2Ball(MAX_DOMAIN_SCALE * 1.01), lambda: L2Ball(MIN_DOMAIN_SCALE / 2),
                 lambda: L2Ball(float("nan")), lambda: L2Ball(float("inf")),
                 lambda: Box.uniform(-MAX_DOMAIN_SCALE * 2, 0.0, 2),
                 lambda: Box.uniform(0.0, MIN_DOMAIN_SCALE / 2, 2),
                 lambda: Box((0.0, 0.0), (1.0, float("nan")))):
        with pytest.raises(InvalidParameter, match="1e"):
            make()
    with pytest.raises(InvalidParameter, match=r"between 1e-12 and 1e\+12"):
        domain_from_dict({"type": "l2_ball", "radius": 1e100}, 2)


def test_norms_and_clip_by_blocks_match_the_whole_computation(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``_norms`` works a block of rows at a time and ``L2Ball.clip`` copies only when a
    row is outside: the same values, bit for bit, as the whole-array formulas."""
    import core.domain as domain

    rng = np.random.default_rng(3)
    scales = rng.choice([1e-200, 0.05, 1.0, 1e200], size=(999, 1))
    rows = rng.normal(size=(999, 40)) * scales
    peak = np.max(np.abs(rows), axis=1)
    safe = np.where(peak > 0, peak, 1.0)
    with np.errstate(over="ignore"):
        whole = np.linalg.norm(rows / safe[:, None], axis=1) * safe
    monkeypatch.setattr(domain, "_NORM_BLOCK_VALUES", 400)  # 10 rows a block
    np.testing.assert_array_equal(domain._norms(rows), whole)
    ball = domain.L2Ball(2.0)
    inside = rng.normal(size=(50, 40)) * 0.01
    assert ball.clip(inside) is inside  # nothing to clip: no copy
    mixed = np.vstack([inside, rng.normal(size=(50, 40))])
    norms = domain._norms(mixed)
    limit = ball.radius * domain._INSIDE
    factor = np.where(norms > limit, limit / norms, 1.0)
    clipped = ball.clip(mixed)
    np.testing.assert_array_equal(clipped, mixed * factor[:, None])
    assert clipped is not mixed and np.all(domain._norms(clipped) <= ball.radius)
