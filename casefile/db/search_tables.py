"""The search index's tables, for queries in SQLAlchemy expressions.

They are made by migration 0003 (FTS5 and triggers, which models cannot describe) and
kept out of the models' metadata, so Alembic's comparison never proposes to drop them.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, Uuid

_metadata = MetaData()
FTS_KEY = Table(
    "fts_key",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("record_id", Uuid),
    Column("page", Integer),
)
# ``fts_text`` is also the name of the hidden column that MATCH applies to.
FTS_TEXT = Table("fts_text", _metadata, Column("rowid", Integer), Column("fts_text", String))
