"""Structure kinds, one folder each, and the registry that lists them (``REGISTRY``)."""
