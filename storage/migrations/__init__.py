"""Alembic migrations for the unmentor schema."""
