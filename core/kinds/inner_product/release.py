"""The release of ``inner_product``: the noisy moments that both moment kinds release
(core.structures.moments)."""

from core.structures.moments import MomentBuilder, MomentRelease

__all__ = ["MomentBuilder", "MomentRelease"]
