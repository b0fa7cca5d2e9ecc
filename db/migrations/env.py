"""Alembic environment: always given a connection by db.migrate (no ini file, no URL here)."""

from alembic import context

from db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - guards against running `alembic` by hand without a connection
    raise RuntimeError("Run migrations with `python -m core migrate`.")

context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
