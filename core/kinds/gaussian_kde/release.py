"""The release of ``gaussian_kde``: the noisy feature sum and count that every
random-feature kind releases (core.structures.feature_sums)."""

from core.structures.feature_sums import RandomFeatureBuilder, RandomFeatureRelease

__all__ = ["RandomFeatureBuilder", "RandomFeatureRelease"]
