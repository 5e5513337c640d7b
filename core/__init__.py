"""privsim's numerical and privacy core.

Pure NumPy / SciPy / array-api-compat / OpenDP code: structures, mechanisms and budget
arithmetic. Nothing here knows about HTTP, databases or GPUs; compute backends are
passed in as arrays of another namespace.

One process setting is made here, on first import: ``OPENBLAS_THREAD_TIMEOUT``, unless
it is set already. After each product, OpenBLAS's threads spin for about 2^28 cycles
(the library's default) before they sleep, on the cores that NumPy's own loops on other
threads want next: a build's cosines and sines, query blocks (``core.parallel``), the
service's event loop. At 4 (2^4 cycles) they sleep at once. OpenBLAS reads the variable
when it is loaded, so it must be set before NumPy's first import: every privsim entry
point (``app``, ``bench``) imports ``core``'s package first, and child processes inherit
it. Measured on 2 cores: a d = 128, 4,096-feature build's sums 1.2 to 1.4 times as fast,
and 1,000 structured queries right after a dense batch in 17 ms instead of 39
(docs/performance.md, "OpenBLAS's idle threads").
"""

import os

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
