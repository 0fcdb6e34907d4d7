"""Alembic environment: always run by Casefile in code, on the connection it passes in."""

from alembic import context

from casefile.db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("Casefile runs its migrations itself: use `casefile migrate CASE`.")


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Tables SQLite or later features own (the FTS5 shadow tables) are not the models'."""
    return not (type_ == "table" and name is not None and name.startswith(("fts_", "sqlite_")))


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    include_object=include_object,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
