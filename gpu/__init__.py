"""Optional compute backends. CuPy computes the exact (non-private) sums on a GPU; the
results move to the host, where ``core.privacy.noise`` adds the noise."""
