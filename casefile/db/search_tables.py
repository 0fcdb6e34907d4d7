"""The search index's tables, what text each row holds, and the step that indexes it.

The tables are made by migrations 0003 and 0004 (FTS5 and triggers, which models cannot
describe) and kept out of the models' metadata, so Alembic's comparison never proposes to
drop them.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, Uuid
from sqlalchemy.orm import Session

from casefile.db import driver

_metadata = MetaData()
FTS_KEY = Table(
    "fts_key",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("record_id", Uuid),
    Column("page", Integer),
)
# How the index reads words: case and accents folded ("Zoe" finds "Zoë").
TOKENIZER = "unicode61 remove_diacritics 2"
# As migration 0003 made it (a test checks that a reindex leaves the same table).
FTS_CREATE = (
    "CREATE VIRTUAL TABLE fts_text USING fts5(title, body, notes, "
    f"tokenize = '{TOKENIZER}', prefix = '2 3')"
)
# ``fts_text`` is also the name of the hidden column that MATCH applies to.
FTS_TEXT = Table("fts_text", _metadata, Column("rowid", Integer), Column("fts_text", String))

# Each kind's index rows have keys in a range of their own, pages in the last (migration
# 0005; 0008 added two after them): a search for one kind reads only that range of
# each word's matches.
KEY_SPAN = 1 << 40
KEY_RANGES = (
    *("attack", "person", "group", "source", "document", "quote", "link", "page"),
    *("report", "judgement"),  # migration 0008
)


def key_range(name: str) -> tuple[int, int]:
    """The keys of a kind's (or, for "page", the document pages') index rows: [start, end)."""
    start = (KEY_RANGES.index(name) + 1) * KEY_SPAN
    return start, start + KEY_SPAN


# A list column (JSON) as the words a person reads: "ISIS, Daesh", not ["ISIS","Daesh"].
LISTED = "(SELECT group_concat(value, ', ') FROM json_each({c}))"


def words(*columns: str) -> str:
    """Columns joined by spaces, in SQL any SQLite since 3.38 runs (concat_ws is newer)."""
    return " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)


# The title and body of a record, per kind table, over that table's columns (as migration
# 0003 wrote the update triggers: a later change to one needs a migration for the other).
TEXT: dict[str, tuple[str, str]] = {
    "attack": ("{r}.title", words("{r}.location", "{r}.city", "{r}.country", "{r}.summary")),
    "person": ("{r}.name", words(LISTED.format(c="{r}.aliases"), "{r}.nationality")),
    "group": ("{r}.name", words(LISTED.format(c="{r}.aliases"), "{r}.country")),
    "source": ("{r}.title", words(LISTED.format(c="{r}.authors"), "{r}.publisher", "{r}.url")),
    "document": ("{r}.file_name", "''"),
    "quote": ("{r}.text", words("{r}.translation", "{r}.context")),
    "link": ("''", "''"),
    "report": ("''", "coalesce({r}.reason, '')"),
    "judgement": ("{r}.statement", "coalesce({r}.basis, '')"),
}

# Every key noted as new (by the insert triggers) gets its text, read from the rows as
# they are now, in one statement. The joins start from the few pending keys (CROSS JOIN
# keeps SQLite from starting at a big table instead).
_INDEX_PENDING = " UNION ALL ".join(
    [
        f"SELECT k.id, {title.format(r='t')}, {body.format(r='t')}, r.notes "
        "FROM fts_pending q CROSS JOIN fts_key k ON k.id = q.id "
        f'CROSS JOIN "{table}" t ON t.id = k.record_id CROSS JOIN record r ON r.id = t.id '
        "WHERE k.page = 0"
        for table, (title, body) in TEXT.items()
    ]
    + [
        "SELECT k.id, '', p.text, '' FROM fts_pending q CROSS JOIN fts_key k ON k.id = q.id "
        "CROSS JOIN document_page p ON p.document_id = k.record_id AND p.number = k.page "
        "WHERE k.page > 0"
    ]
)


# What every writer of a case runs before it commits (``index_pending``).
INDEX_PENDING = (
    f"INSERT INTO fts_text (rowid, title, body, notes) {_INDEX_PENDING}",
    "DELETE FROM fts_pending",
)


def index_pending(session: Session) -> None:
    """Index what this action added, just before it commits (see migration 0004 for why
    not row by row). Rows the session still holds (pages added as ORM objects) are
    written first, so that their keys are noted. Straight to the driver: it runs once per
    action, single adds too."""
    session.flush()
    conn = session.connection()
    for statement in INDEX_PENDING:
        driver.run(conn, statement)
