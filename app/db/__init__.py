"""Persistence: SQLAlchemy 2 models (``*Row``), repositories and the unit of work."""
