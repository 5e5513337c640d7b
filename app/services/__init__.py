"""Use cases. Each takes a unit of work and a principal, and owns its transaction."""
