"""The release of ``sq_l2_distance``: the noisy moments that both moment kinds release
(core.structures.moments)."""

from core.structures.moments import MomentBuilder, MomentRelease

__all__ = ["MomentBuilder", "MomentRelease"]
