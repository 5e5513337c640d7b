"""Accuracy and speed benchmarks for privsim (see BENCH.md).

Each benchmark runs as ``python -m bench.<name>``, writes raw figures as JSON and a
markdown table under ``bench/results/``, and reuses the seeded workloads of
``bench.data`` so that every figure can be reproduced.
"""

import core  # noqa: F401  (first: it sets OPENBLAS_THREAD_TIMEOUT before NumPy loads)
