"""The search index is written once per action, not once per row.

Triggers used to insert each new record's and page's text into FTS5 as the row was
written. Inside a statement that fires triggers, SQLite opens a savepoint, and FTS5
writes out what it holds in memory at every savepoint: so each page of an imported
document became its own small index segment, merged again and again, and indexing cost
two to three times what FTS5 needs for the same text.

Now the triggers note each new key in ``fts_pending``; the text is indexed in one
statement just before the action commits (``casefile.db.search_tables.index_pending``),
in the same transaction. Updates and deletes keep their triggers (an update of a row not
yet indexed changes nothing there, and the pending insert reads the final values).

Written out in full (not imported from the app) so that it means the same thing whatever
later versions say.

Revision ID: 0004
"""

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

LISTED = "(SELECT group_concat(value, ', ') FROM json_each({c}))"


def words(*columns: str) -> str:
    return " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)


# As in 0003, for the downgrade.
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
# OR IGNORE: a key deleted in the same action may be given again (fts_key reuses the
# highest id), and is still noted.
NOTE_PENDING = "INSERT OR IGNORE INTO fts_pending (id) VALUES (last_insert_rowid()); END"


def upgrade() -> None:
    op.execute("CREATE TABLE fts_pending (id INTEGER PRIMARY KEY)")
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


def downgrade() -> None:
    for kind, (title, body) in TEXT.items():
        op.execute(f"DROP TRIGGER fts_{kind}_insert")
        op.execute(
            f'CREATE TRIGGER fts_{kind}_insert AFTER INSERT ON "{kind}" BEGIN '
            "INSERT INTO fts_key (record_id, page) VALUES (NEW.id, 0); "
            "INSERT INTO fts_text (rowid, title, body, notes) VALUES (last_insert_rowid(), "
            f"{title.format(r='NEW')}, {body.format(r='NEW')}, "
            "(SELECT notes FROM record WHERE id = NEW.id)); END"
        )
    op.execute("DROP TRIGGER fts_page_insert")
    op.execute(
        "CREATE TRIGGER fts_page_insert AFTER INSERT ON document_page BEGIN "
        "INSERT INTO fts_key (record_id, page) VALUES (NEW.document_id, NEW.number); "
        "INSERT INTO fts_text (rowid, title, body, notes) "
        "VALUES (last_insert_rowid(), '', NEW.text, ''); END"
    )
    op.execute("DROP TABLE fts_pending")
