"""The search index holds no copy of the text: it reads it from the records and pages.

FTS5 kept its own copy of every indexed text (its ``fts_text_content`` table): a
quarter of a case of documents (228 MiB of 962 at 100,000 pages). The index is now
external-content: it keeps only the index, and reads a row's text by key, when it needs
it, from the view ``fts_source``, which gives each key's title, body and notes as the
index has always been made from them (per kind, over the kind's table and ``record``;
a page's text from ``document_page``).

With no copy of its own, FTS5 can only take a row out of the index by being told the
words it was made from, which it reads from the view: so the triggers take a row out
*before* its text changes or goes (``BEFORE UPDATE``, ``BEFORE DELETE``), and put it
back after a change (``AFTER UPDATE``); a record's text goes with whichever of its
two rows is deleted first. Each only for a row already indexed (a row
still noted in ``fts_pending`` is indexed as the action commits, from its text then).
An update that leaves a record's indexed text as it was leaves the index alone. Pages,
which are replaced rather than edited, get the same pair of triggers all the same, so
that no statement can leave the index out of step unnoticed. ``casefile check`` has
FTS5 compare the index with the view's text (``integrity-check``).

The index is made again from the view, in the transaction of the upgrade; keys stay as
they are. The space the copy held is free pages in the file until the case is compacted.

Written out in full (not imported from the app) so that it means the same thing whatever
later versions say.

Revision ID: 0012
"""

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None

SPAN = 1 << 40
# The key ranges as 0005 and 0008 set them: attacks from 1·SPAN, …, pages 8·SPAN, …
RANGES = (
    *("attack", "person", "group", "source", "document", "quote", "link", "page"),
    *("report", "judgement"),
)
# A list column (JSON) as 0003 read it (the same text), but without json_each(): FTS5
# reads its text from ``fts_source`` in statements that may use no virtual table.
LISTED = (
    "(WITH RECURSIVE i (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i "
    "WHERE n + 1 < json_array_length({c})) SELECT group_concat(json_extract({c}, "
    "'$[' || n || ']'), ', ') FROM i WHERE n < json_array_length({c}))"
)


def words(*columns: str) -> str:
    return " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)


TEXT = {
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
TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'"
OLD_FTS = f"CREATE VIRTUAL TABLE fts_text USING fts5(title, body, notes, {TOKENIZE})"
NEW_FTS = (
    "CREATE VIRTUAL TABLE fts_text USING fts5(title, body, notes, content = 'fts_source', "
    f"content_rowid = 'id', {TOKENIZE})"
)


def key_range(name: str) -> tuple[int, int]:
    start = (RANGES.index(name) + 1) * SPAN
    return start, start + SPAN


def rows_of(kind: str) -> str:
    start, end = key_range(kind)
    within = f"k.id >= {start} AND k.id < {end}"
    if kind == "page":
        return (
            "SELECT k.id AS id, '' AS title, p.text AS body, '' AS notes FROM fts_key k "
            "CROSS JOIN document_page p ON p.document_id = k.record_id AND p.number = k.page "
            f"WHERE {within}"
        )
    title, body = TEXT[kind]
    return (
        f"SELECT k.id AS id, {title.format(r='t')} AS title, {body.format(r='t')} AS body, "
        f'r.notes AS notes FROM fts_key k CROSS JOIN "{kind}" t ON t.id = k.record_id '
        f"CROSS JOIN record r ON r.id = t.id WHERE {within}"
    )


SOURCE = "CREATE VIEW fts_source (id, title, body, notes) AS " + " UNION ALL ".join(
    rows_of(kind) for kind in (*TEXT, "page")
)


def indexed(record: str, page: str = "0") -> str:
    """The key of a row already in the index (NULL if it has none, or is still pending)."""
    return (
        f"(SELECT id FROM fts_key WHERE record_id = {record} AND page = {page} "
        "AND id NOT IN (SELECT id FROM fts_pending))"
    )


def out_then_in(name: str, on: str, when: str, key: str) -> list[str]:
    """A row taken out of the index before ``on`` changes it, and put back after."""
    return [
        f"CREATE TRIGGER {name}_out BEFORE {on} WHEN {when} BEGIN "
        f"DELETE FROM fts_text WHERE rowid = {key}; END",
        f"CREATE TRIGGER {name}_in AFTER {on} WHEN {when} BEGIN "
        "INSERT INTO fts_text (rowid, title, body, notes) "
        f"SELECT id, title, body, notes FROM fts_source WHERE id = {key}; END",
    ]


def triggers() -> list[str]:
    made = []
    for kind, (title, body) in TEXT.items():
        changed = " OR ".join(
            f"({text.format(r='OLD')}) IS NOT ({text.format(r='NEW')})" for text in (title, body)
        )
        made += out_then_in(f"fts_{kind}", f'UPDATE ON "{kind}"', changed, indexed("NEW.id"))
    made += out_then_in(
        "fts_notes", "UPDATE OF notes ON record", "OLD.notes IS NOT NEW.notes", indexed("NEW.id")
    )
    made += out_then_in(
        "fts_page",
        "UPDATE OF text ON document_page",
        "OLD.text IS NOT NEW.text",
        indexed("NEW.document_id", "NEW.number"),
    )
    # A record's two rows may go in either order (the ORM deletes its kind's row first,
    # a cascade its record's): whichever goes first takes its text out of the index.
    made += [
        f'CREATE TRIGGER fts_{kind}_delete BEFORE DELETE ON "{kind}" BEGIN '
        f"DELETE FROM fts_text WHERE rowid = {indexed('OLD.id')}; "
        "DELETE FROM fts_key WHERE record_id = OLD.id AND page = 0; END"
        for kind in TEXT
    ]
    made.append(
        "CREATE TRIGGER fts_record_delete BEFORE DELETE ON record BEGIN "
        f"DELETE FROM fts_text WHERE rowid = {indexed('OLD.id')}; "
        "DELETE FROM fts_key WHERE record_id = OLD.id AND page = 0; END"
    )
    made.append(
        "CREATE TRIGGER fts_page_delete BEFORE DELETE ON document_page BEGIN "
        f"DELETE FROM fts_text WHERE rowid = {indexed('OLD.document_id', 'OLD.number')}; "
        "DELETE FROM fts_key WHERE record_id = OLD.document_id AND page = OLD.number; END"
    )
    return made


NEW_TRIGGERS = [
    *(f"fts_{kind}_{end}" for kind in TEXT for end in ("out", "in", "delete")),
    *("fts_notes_out", "fts_notes_in", "fts_page_out", "fts_page_in"),
    *("fts_record_delete", "fts_page_delete"),
]
OLD_TRIGGERS = [
    *(f"fts_{kind}_update" for kind in TEXT),
    *("fts_notes_update", "fts_record_delete", "fts_page_delete"),
]
KEY_OF = "(SELECT id FROM fts_key WHERE record_id = {id} AND page = 0)"


def upgrade() -> None:
    for name in OLD_TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE fts_text")
    op.execute(SOURCE)
    op.execute(NEW_FTS)
    # Every key, pending or not (none should be: each action indexes before it commits).
    op.execute("INSERT INTO fts_text (fts_text) VALUES ('rebuild')")
    op.execute("DELETE FROM fts_pending")
    for sql in triggers():
        op.execute(sql)


def downgrade() -> None:
    """The index with its own copy of the text again, and 0003's and 0008's triggers."""
    for name in NEW_TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE fts_text")
    op.execute(OLD_FTS)
    op.execute("INSERT INTO fts_text (rowid, title, body, notes) SELECT * FROM fts_source")
    op.execute("DELETE FROM fts_pending")
    op.execute("DROP VIEW fts_source")
    for kind, (title, body) in TEXT.items():
        op.execute(
            f'CREATE TRIGGER fts_{kind}_update AFTER UPDATE ON "{kind}" BEGIN '
            f"UPDATE fts_text SET title = {title.format(r='NEW')}, "
            f"body = {body.format(r='NEW')} WHERE rowid = {KEY_OF.format(id='NEW.id')}; END"
        )
    op.execute(
        "CREATE TRIGGER fts_notes_update AFTER UPDATE OF notes ON record BEGIN "
        f"UPDATE fts_text SET notes = NEW.notes WHERE rowid = {KEY_OF.format(id='NEW.id')}; END"
    )
    op.execute(
        "CREATE TRIGGER fts_record_delete AFTER DELETE ON record BEGIN "
        f"DELETE FROM fts_text WHERE rowid = {KEY_OF.format(id='OLD.id')}; "
        "DELETE FROM fts_key WHERE record_id = OLD.id AND page = 0; END"
    )
    op.execute(
        "CREATE TRIGGER fts_page_delete AFTER DELETE ON document_page BEGIN "
        "DELETE FROM fts_text WHERE rowid = (SELECT id FROM fts_key "
        "WHERE record_id = OLD.document_id AND page = OLD.number); "
        "DELETE FROM fts_key WHERE record_id = OLD.document_id AND page = OLD.number; END"
    )
