"""The search index: every record's text and every document page, in SQLite FTS5; the
searches an investigator saves; which document a quote was taken from; and the number of
records of each kind, kept by triggers (counting a million rows cold takes a second).

Triggers keep it in step with the data inside the same transaction as every insert,
update and delete, whatever code path makes them, so the index cannot drift from what is
stored. ``fts_key`` maps each indexed row (a record, or a page of a document) to the
FTS row that holds its text, through an explicit INTEGER PRIMARY KEY: such keys survive
a re-keying export or a VACUUM, which a table's hidden rowid does not.

The tokenizer folds case and accents ("Zoe" finds "Zoë"); prefix indexes of 2 and 3
characters make "mas*" as cheap as a word.

Written out in full (not imported from the app) so that it means the same thing whatever
later versions say.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

# A list column (JSON) as the words a person reads: "ISIS, Daesh", not ["ISIS","Daesh"].
LISTED = "(SELECT group_concat(value, ', ') FROM json_each({c}))"


def words(*columns: str) -> str:
    """Columns joined by spaces, in SQL any SQLite since 3.38 runs (concat_ws is newer)."""
    return " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)


# Per kind: the SQL for the row's title and body, over the kind table's columns.
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
KINDS = ("attack", "person", "group", "source", "document", "quote", "link")
KEY_OF = "(SELECT id FROM fts_key WHERE record_id = {id} AND page = 0)"


def upgrade() -> None:
    with op.batch_alter_table("quote") as batch:
        batch.add_column(sa.Column("document_id", sa.Uuid(), nullable=True))
        batch.create_index(batch.f("ix_quote_document_id"), ["document_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_quote_document_id_document"),
            "document",
            ["document_id"],
            ["id"],
            ondelete="RESTRICT",
        )
    op.create_table(
        "record_count",
        sa.Column(
            "kind",
            sa.Enum(
                *KINDS,
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_record_count")),
    )
    op.execute("INSERT INTO record_count (kind, n) SELECT kind, count(*) FROM record GROUP BY kind")
    op.execute(
        "CREATE TRIGGER count_insert AFTER INSERT ON record BEGIN "
        "INSERT INTO record_count (kind, n) VALUES (NEW.kind, 1) "
        "ON CONFLICT (kind) DO UPDATE SET n = n + 1; END"
    )
    op.execute(
        "CREATE TRIGGER count_delete AFTER DELETE ON record BEGIN "
        "UPDATE record_count SET n = n - 1 WHERE kind = OLD.kind; END"
    )
    op.create_table(
        "saved_search",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(collation="NOCASE"), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_search")),
        sa.UniqueConstraint("name", name=op.f("uq_saved_search_name")),
    )
    op.execute(
        "CREATE TABLE fts_key (id INTEGER PRIMARY KEY, record_id CHAR(32) NOT NULL, "
        "page INTEGER NOT NULL, UNIQUE (record_id, page))"
    )
    op.execute(
        "CREATE VIRTUAL TABLE fts_text USING fts5(title, body, notes, "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
    )
    for kind, (title, body) in TEXT.items():
        table = f'"{kind}"'
        new_title, new_body = title.format(r="NEW"), body.format(r="NEW")
        op.execute(
            f"CREATE TRIGGER fts_{kind}_insert AFTER INSERT ON {table} BEGIN "
            "INSERT INTO fts_key (record_id, page) VALUES (NEW.id, 0); "
            "INSERT INTO fts_text (rowid, title, body, notes) VALUES (last_insert_rowid(), "
            f"{new_title}, {new_body}, (SELECT notes FROM record WHERE id = NEW.id)); END"
        )
        op.execute(
            f"CREATE TRIGGER fts_{kind}_update AFTER UPDATE ON {table} BEGIN "
            f"UPDATE fts_text SET title = {new_title}, body = {new_body} "
            f"WHERE rowid = {KEY_OF.format(id='NEW.id')}; END"
        )
        op.execute(f"INSERT INTO fts_key (record_id, page) SELECT id, 0 FROM {table} ORDER BY id")
        op.execute(
            "INSERT INTO fts_text (rowid, title, body, notes) "
            f"SELECT k.id, {title.format(r='t')}, {body.format(r='t')}, r.notes "
            f"FROM {table} t JOIN record r ON r.id = t.id "
            "JOIN fts_key k ON k.record_id = t.id AND k.page = 0"
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
        "CREATE TRIGGER fts_page_insert AFTER INSERT ON document_page BEGIN "
        "INSERT INTO fts_key (record_id, page) VALUES (NEW.document_id, NEW.number); "
        "INSERT INTO fts_text (rowid, title, body, notes) "
        "VALUES (last_insert_rowid(), '', NEW.text, ''); END"
    )
    op.execute(
        "CREATE TRIGGER fts_page_delete AFTER DELETE ON document_page BEGIN "
        "DELETE FROM fts_text WHERE rowid = (SELECT id FROM fts_key "
        "WHERE record_id = OLD.document_id AND page = OLD.number); "
        "DELETE FROM fts_key WHERE record_id = OLD.document_id AND page = OLD.number; END"
    )
    op.execute(
        "INSERT INTO fts_key (record_id, page) SELECT document_id, number FROM document_page"
    )
    op.execute(
        "INSERT INTO fts_text (rowid, title, body, notes) SELECT k.id, '', p.text, '' "
        "FROM document_page p JOIN fts_key k ON k.record_id = p.document_id "
        "AND k.page = p.number"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER count_insert")
    op.execute("DROP TRIGGER count_delete")
    op.drop_table("record_count")
    op.drop_table("saved_search")
    with op.batch_alter_table("quote") as batch:
        batch.drop_constraint(batch.f("fk_quote_document_id_document"), type_="foreignkey")
        batch.drop_index(batch.f("ix_quote_document_id"))
        batch.drop_column("document_id")
    for kind in TEXT:
        op.execute(f"DROP TRIGGER fts_{kind}_insert")
        op.execute(f"DROP TRIGGER fts_{kind}_update")
    for name in ("notes_update", "record_delete", "page_insert", "page_delete"):
        op.execute(f"DROP TRIGGER fts_{name}")
    op.execute("DROP TABLE fts_text")
    op.execute("DROP TABLE fts_key")
