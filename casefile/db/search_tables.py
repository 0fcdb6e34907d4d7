"""The search index's tables, what text each row holds, and the step that indexes it.

The index (FTS5) holds no copy of the text: it is external-content (migration 0012), and
reads a row's text, when it needs it (a snippet, a deletion, ``casefile check``), from
the view ``fts_source`` over the records and pages, whose SQL is written once here
(``TEXT``, ``SOURCE``). The tables are made by the migrations (FTS5, a view and
triggers, which models cannot describe) and kept out of the models' metadata, so
Alembic's comparison never proposes to drop them.
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
# As migration 0012 made it (a test checks that a reindex leaves the same table): its
# text is read from ``fts_source`` by key.
FTS_CREATE = (
    "CREATE VIRTUAL TABLE fts_text USING fts5(title, body, notes, content = 'fts_source', "
    f"content_rowid = 'id', tokenize = '{TOKENIZER}', prefix = '2 3')"
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
# Without json_each(): FTS5 reads its text from ``fts_source`` in statements that may use
# no virtual table, and json_each is one ("no such table: main.json_each").
LISTED = (
    "(WITH RECURSIVE i (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i "
    "WHERE n + 1 < json_array_length({c})) SELECT group_concat(json_extract({c}, "
    "'$[' || n || ']'), ', ') FROM i WHERE n < json_array_length({c}))"
)


def words(*columns: str) -> str:
    """Columns joined by spaces, in SQL any SQLite since 3.38 runs (concat_ws is newer)."""
    return " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)


# The title and body of a record, per kind table, over that table's columns (as migration
# 0012 wrote them into the view ``fts_source`` and the triggers: a later change to one
# needs a migration for the other).
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


def _rows_of(kind: str, keys: str) -> str:
    """The index rows of a kind's records (or, for "page", of the document pages) as
    ``(id, title, body, notes)``, for the keys that ``keys`` (a FROM item giving a column
    ``id``, or "" for every key of the kind's range) gives. CROSS JOIN keeps SQLite from
    starting at a big table instead of the few keys."""
    start, end = key_range(kind)
    first = f"{keys} q CROSS JOIN fts_key k ON k.id = q.id" if keys else "fts_key k"
    within = f"k.id >= {start} AND k.id < {end}"
    if kind == "page":
        return (
            f"SELECT k.id AS id, '' AS title, p.text AS body, '' AS notes FROM {first} "
            "CROSS JOIN document_page p ON p.document_id = k.record_id AND p.number = k.page "
            f"WHERE {within}"
        )
    title, body = TEXT[kind]
    return (
        f"SELECT k.id AS id, {title.format(r='t')} AS title, {body.format(r='t')} AS body, "
        f'r.notes AS notes FROM {first} CROSS JOIN "{kind}" t ON t.id = k.record_id '
        f"CROSS JOIN record r ON r.id = t.id WHERE {within}"
    )


# The text of every row of the index, by key: what the index is made from and checked
# against. A look-up by key reaches each kind's part by its primary keys.
SOURCE = "CREATE VIEW fts_source (id, title, body, notes) AS " + " UNION ALL ".join(
    _rows_of(kind, "") for kind in (*TEXT, "page")
)

# Every key noted as new (by the insert triggers) gets its text, read from the rows as
# they are now, in one statement: the view's SQL, starting from the pending keys.
_INDEX_PENDING = " UNION ALL ".join(_rows_of(kind, "fts_pending") for kind in (*TEXT, "page"))


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
