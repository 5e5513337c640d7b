"""The ranges of the parameters several kinds share (the kinds declare them with
``core.kinds.registry.param``; ``parse_params`` reads them strictly)."""

from __future__ import annotations

__all__ = ["MAX_ALPHA", "MAX_BANDWIDTH", "MIN_ALPHA", "MIN_BANDWIDTH"]

# ``alpha`` is a target relative accuracy: above 1 it asks for nothing, and far below
# 1e-4 every size it drives is already at its cap (features 65,536 >= 1/alpha^2, grid
# levels 20 >= log2(2/alpha), projection_dim 8,192); 1/alpha^2 overflowed for alpha
# 1e300 and divided by zero for alpha 1e-200
MIN_ALPHA = 1e-6
MAX_ALPHA = 1.0
# kernel bandwidths: within a factor 1e6 of the domain range (core.domain, 1e-12 to
# 1e12); beyond it a kernel is a constant (too wide) or a point mass (too narrow) on
# every dataset the service accepts
MIN_BANDWIDTH = 1e-18
MAX_BANDWIDTH = 1e18

