"""Alembic migrations for the content database (run with `bot db upgrade`)."""
