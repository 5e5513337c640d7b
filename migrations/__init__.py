"""Alembic migrations (SQLite and PostgreSQL). Every revision has a downgrade."""
