"""The parameters of ``gaussian_kde``: those every paired-feature kernel with a JL projection
takes (``core.kinds.common.ProjectedKernelParams``: bandwidth, alpha, projection_dim,
features, mechanism, frequencies, precision, with their ranges, defaults and meanings)."""

from core.kinds.common import ProjectedKernelParams as Params

__all__ = ["Params"]
