"""The release of ``relu_ntk``: the noisy clipped-feature sum and count the ReLU kinds
release (core.structures.relu_features)."""

from core.structures.relu_features import ReluFeatureBuilder, ReluFeatureRelease

__all__ = ["ReluFeatureBuilder", "ReluFeatureRelease"]
