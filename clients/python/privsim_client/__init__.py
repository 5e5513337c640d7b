"""privsim's Python client."""
