"""privsim service: HTTP API, persistence, auth, jobs and workers around ``core``."""

import core  # noqa: F401  (first: it sets OPENBLAS_THREAD_TIMEOUT before NumPy loads)
