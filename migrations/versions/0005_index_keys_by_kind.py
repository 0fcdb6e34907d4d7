"""Each kind's rows in the search index get keys from a range of their own.

An FTS5 table reads a word's matches in key order and can start and stop at any key. With
every quote keyed between 6·2⁴⁰ and 7·2⁴⁰, a search for quotes (``kind:quote``, or the
quote table's filter box) reads only the quotes' part of each word's list: it neither
ranks the document pages that also hold the word nor looks up what each match is. Keys
used to be handed out in the order rows were made, all kinds interleaved.

The index is rebuilt once with the new keys; the insert triggers take the next key of
their kind's range. Updates and deletes find keys through ``fts_key`` as before.

Written out in full (not imported from the app) so that it means the same thing whatever
later versions say.

Revision ID: 0005
"""

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

SPAN = 1 << 40
# The ranges in this order: attacks from 1·SPAN, persons from 2·SPAN, ..., pages 8·SPAN.
RANGES = ("attack", "person", "group", "source", "document", "quote", "link", "page")
LISTED = "(SELECT group_concat(value, ', ') FROM json_each({c}))"


def words(*columns: str) -> str:
    return " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)


TEXT = {
    "attack": ("{r}.title", words("{r}.location", "{r}.city", "{r}.country", "{r}.summary")),
    "person": ("{r}.name", words(LISTED.format(c="{r}.aliases"), "{r}.nationality")),
    "group": ("{r}.name", words(LISTED.format(c="{r}.aliases"), "{r}.country")),
    "source": (
        "{r}.title",
        words(LISTED.format(c="{r}.authors"), "{r}.publisher", "{r}.url"),
    ),
    "document": ("{r}.file_name", "''"),
    "quote": ("{r}.text", words("{r}.translation", "{r}.context")),
    "link": ("''", "''"),
}
NOTE_PENDING = "INSERT OR IGNORE INTO fts_pending (id) VALUES (last_insert_rowid()); END"


def first_key(name: str) -> int:
    return (RANGES.index(name) + 1) * SPAN


def next_key(name: str) -> str:
    """The key after the highest of the range (its first key when it is empty)."""
    start = first_key(name)
    return (
        f"coalesce((SELECT id FROM fts_key WHERE id >= {start} AND id < {start + SPAN} "
        f"ORDER BY id DESC LIMIT 1), {start - 1}) + 1"
    )


def upgrade() -> None:
    # Made anew: emptying it row by row would read every row's text again.
    op.execute("DROP TABLE fts_text")
    op.execute(
        "CREATE VIRTUAL TABLE fts_text USING fts5(title, body, notes, "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
    )
    op.execute("DELETE FROM fts_key")
    op.execute("DELETE FROM fts_pending")
    for kind, (title, body) in TEXT.items():
        table = f'"{kind}"'
        op.execute(f"DROP TRIGGER fts_{kind}_insert")
        op.execute(
            f"CREATE TRIGGER fts_{kind}_insert AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO fts_key (id, record_id, page) VALUES ({next_key(kind)}, NEW.id, 0); "
            f"{NOTE_PENDING}"
        )
        op.execute(
            "INSERT INTO fts_key (id, record_id, page) "
            f"SELECT {first_key(kind) - 1} + row_number() OVER (ORDER BY id), id, 0 FROM {table}"
        )
        op.execute(
            "INSERT INTO fts_text (rowid, title, body, notes) "
            f"SELECT k.id, {title.format(r='t')}, {body.format(r='t')}, r.notes "
            f"FROM {table} t JOIN record r ON r.id = t.id "
            "JOIN fts_key k ON k.record_id = t.id AND k.page = 0"
        )
    op.execute("DROP TRIGGER fts_page_insert")
    op.execute(
        "CREATE TRIGGER fts_page_insert AFTER INSERT ON document_page BEGIN "
        f"INSERT INTO fts_key (id, record_id, page) "
        f"VALUES ({next_key('page')}, NEW.document_id, NEW.number); {NOTE_PENDING}"
    )
    op.execute(
        "INSERT INTO fts_key (id, record_id, page) SELECT "
        f"{first_key('page') - 1} + row_number() OVER (ORDER BY document_id, number), "
        "document_id, number FROM document_page"
    )
    op.execute(
        "INSERT INTO fts_text (rowid, title, body, notes) SELECT k.id, '', p.text, '' "
        "FROM document_page p JOIN fts_key k ON k.record_id = p.document_id "
        "AND k.page = p.number"
    )


def downgrade() -> None:
    """The 0004 triggers again; the keys stay where they are (any key will do for them)."""
    for kind in TEXT:
        op.execute(f"DROP TRIGGER fts_{kind}_insert")
        op.execute(
            f'CREATE TRIGGER fts_{kind}_insert AFTER INSERT ON "{kind}" BEGIN '
            f"INSERT INTO fts_key (record_id, page) VALUES (NEW.id, 0); {NOTE_PENDING}"
        )
    op.execute("DROP TRIGGER fts_page_insert")
    op.execute(
        "CREATE TRIGGER fts_page_insert AFTER INSERT ON document_page BEGIN "
        f"INSERT INTO fts_key (record_id, page) VALUES (NEW.document_id, NEW.number); "
        f"{NOTE_PENDING}"
    )
