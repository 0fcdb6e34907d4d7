"""Two record kinds: reported values and key judgements.

A **reported value** (``report``) is one value of one fact of an attack or a person as one
source reported it, with its date, its quote and page, and whether the analyst took it as
the assessed value (and why). The record's own column keeps the assessed value, which is
what tables sort and filter by: nothing already stored changes meaning, and no value is
turned into a report citing a source that may not have said it (the record's links cite
sources for the link, not for its casualty figures). A value that was in the case before
any report stays as it is; the first report of its fact keeps it beside the new one, as
an unsourced report, so nothing is lost.

A **key judgement** (``judgement``) is the analyst's assessment in the words of the PHIA
probability yardstick, with an analytic confidence, what it rests on and what it concerns
(``judgement_ref``), and the judgement that superseded it.

A source may name the source it was ``derived_from`` (a wire story re-published), so that
corroboration counts the two once. ``record`` gains ``disputed``: the facts whose reports
disagree, kept by the services so a table can mark them. ``record``, ``record_count`` and
``source`` are rebuilt (for their kind CHECK constraints, and for the new column's foreign
key) from their own stored definitions, as 0007 rebuilds ``attack``, keeping their
indexes and triggers. The search index gets a key range for each new kind.

Revision ID: 0008
"""

import re

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

OLD_KINDS = "'quote', 'link'))"
NEW_KINDS = "'quote', 'link', 'report', 'judgement'))"
SPAN = 1 << 40
# The ranges as 0005 set them, the new kinds after the pages': 9·SPAN and 10·SPAN.
RANGES = ("attack", "person", "group", "source", "document", "quote", "link", "page")
NEW_RANGES = ("report", "judgement")
TEXT = {
    "report": ("''", "coalesce({r}.reason, '')"),
    "judgement": ("{r}.statement", "coalesce({r}.basis, '')"),
}
RECORD = "id, kind, created_at, updated_at, notes"
NOTES = "\n\tnotes TEXT NOT NULL, "
DISPUTED = "\n\tdisputed JSON DEFAULT '[]' NOT NULL, "
SOURCE = (
    "id, title, source_kind, authors, publisher, published, url, accessed, language, reliability"
)
RELIABILITY = "\n\treliability VARCHAR(32), "
DERIVED = "\n\tderived_from_id CHAR(32), "
SOURCE_FK = (
    "\n\tCONSTRAINT fk_source_id_record FOREIGN KEY(id) REFERENCES record (id) ON DELETE CASCADE, "
)
DERIVED_FK = (
    "\n\tCONSTRAINT fk_source_derived_from_id_source FOREIGN KEY(derived_from_id) "
    "REFERENCES source (id) ON DELETE RESTRICT, "
)
NOTE_PENDING = "INSERT OR IGNORE INTO fts_pending (id) VALUES (last_insert_rowid()); END"


def _rebuild(tables: dict[str, tuple[dict[str, str], str, str]]) -> None:
    """Rebuild each table from its stored definition with its replacements (each must
    match once), copying its selected columns; indexes and triggers are made again as
    they were. The triggers go first: one on a table may name another being rebuilt
    (``record``'s count triggers write ``record_count``), and SQLite checks every
    trigger when a table is renamed."""
    conn = op.get_bind()

    def stored(sql: str, *args: str) -> list[tuple[str, str, str]]:
        return [tuple(row) for row in conn.exec_driver_sql(sql, args)]

    attached: list[tuple[str, str, str]] = []
    for table in tables:
        attached += stored(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? "
            "AND type IN ('index', 'trigger') AND sql IS NOT NULL",
            table,
        )
    for kind, name, _sql in attached:
        if kind == "trigger":
            op.execute(f'DROP TRIGGER "{name}"')
    for table, (edit, columns, selected) in tables.items():
        [(_, _, schema)] = stored(
            "SELECT type, name, sql FROM sqlite_master WHERE type = 'table' AND name = ?", table
        )
        for old, new in edit.items():
            assert schema.count(old) == 1, f"{table}: {old!r} is not in its definition"
            schema = schema.replace(old, new)
        rebuilt = f"{table}_rebuilt"
        op.execute(re.sub(rf'^CREATE TABLE "?{table}"? \(', f"CREATE TABLE {rebuilt} (", schema))
        op.execute(f"INSERT INTO {rebuilt} ({columns}) SELECT {selected} FROM {table}")
        op.execute(f"DROP TABLE {table}")
        op.execute(f"ALTER TABLE {rebuilt} RENAME TO {table}")
    for _kind, _name, sql in attached:
        op.execute(sql)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _first_key(name: str) -> int:
    return (len(RANGES) + NEW_RANGES.index(name) + 1) * SPAN


def _next_key(name: str) -> str:
    start = _first_key(name)
    return (
        f"coalesce((SELECT id FROM fts_key WHERE id >= {start} AND id < {start + SPAN} "
        f"ORDER BY id DESC LIMIT 1), {start - 1}) + 1"
    )


def upgrade() -> None:
    _rebuild(
        {
            "record": ({OLD_KINDS: NEW_KINDS, NOTES: NOTES + DISPUTED}, RECORD, RECORD),
            "record_count": ({OLD_KINDS: NEW_KINDS}, "kind, n", "kind, n"),
            "source": (
                {RELIABILITY: RELIABILITY + DERIVED, SOURCE_FK: SOURCE_FK + DERIVED_FK},
                SOURCE,
                SOURCE,
            ),
        }
    )
    op.create_index(op.f("ix_source_derived_from_id"), "source", ["derived_from_id"])
    _create_report()
    _create_judgement()
    for kind, (title, body) in TEXT.items():
        op.execute(
            f'CREATE TRIGGER fts_{kind}_insert AFTER INSERT ON "{kind}" BEGIN '
            f"INSERT INTO fts_key (id, record_id, page) VALUES ({_next_key(kind)}, NEW.id, 0); "
            f"{NOTE_PENDING}"
        )
        op.execute(
            f'CREATE TRIGGER fts_{kind}_update AFTER UPDATE ON "{kind}" BEGIN '
            f"UPDATE fts_text SET title = {title.format(r='NEW')}, body = {body.format(r='NEW')} "
            "WHERE rowid = (SELECT id FROM fts_key WHERE record_id = NEW.id AND page = 0); END"
        )


def _create_report() -> None:
    op.create_table(
        "report",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("fact", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=True),
        sa.Column("quote_id", sa.Uuid(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("reported", sa.String(length=16), nullable=True),
        sa.Column(
            "claim_mode",
            _enum(
                "claimmode",
                "letter",
                "call_before",
                "call_after",
                "email",
                "note",
                "video",
                "online",
                "personal",
                "other",
                "unknown",
            ),
            nullable=True,
        ),
        sa.Column("assessed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"], ["record.id"], name=op.f("fk_report_id_record"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["record.id"],
            name=op.f("fk_report_record_id_record"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_report_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["quote.id"], name=op.f("fk_report_quote_id_quote"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
    )
    op.create_index("ix_report_record_id_fact", "report", ["record_id", "fact"])
    op.create_index("ix_report_fact_value", "report", ["fact", "value"])
    op.create_index(op.f("ix_report_source_id"), "report", ["source_id"])
    op.create_index(op.f("ix_report_quote_id"), "report", ["quote_id"])


def _create_judgement() -> None:
    op.create_table(
        "judgement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column(
            "probability",
            _enum(
                "probability",
                "remote_chance",
                "highly_unlikely",
                "unlikely",
                "realistic_possibility",
                "likely",
                "highly_likely",
                "almost_certain",
            ),
            nullable=False,
        ),
        sa.Column(
            "confidence",
            _enum("analyticconfidence", "low", "moderate", "high"),
            nullable=True,
        ),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("made", sa.String(length=16), nullable=True),
        sa.Column("superseded_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["id"], ["record.id"], name=op.f("fk_judgement_id_record"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"],
            ["judgement.id"],
            name=op.f("fk_judgement_superseded_by_id_judgement"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judgement")),
    )
    op.create_index("ix_judgement_made_id", "judgement", ["made", "id"])
    op.create_index(op.f("ix_judgement_superseded_by_id"), "judgement", ["superseded_by_id"])
    op.create_table(
        "judgement_ref",
        sa.Column("judgement_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["judgement_id"],
            ["judgement.id"],
            name=op.f("fk_judgement_ref_judgement_id_judgement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ref_id"],
            ["record.id"],
            name=op.f("fk_judgement_ref_ref_id_record"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("judgement_id", "role", "ref_id", name=op.f("pk_judgement_ref")),
    )
    op.create_index(op.f("ix_judgement_ref_ref_id"), "judgement_ref", ["ref_id"])


def downgrade() -> None:
    """Only a case with no reports and no judgements goes back: an older Casefile could
    not show them, and dropping them would lose work."""
    conn = op.get_bind()
    left = conn.exec_driver_sql(
        "SELECT count(*) FROM record WHERE kind IN ('report', 'judgement')"
    ).scalar_one()
    if left:
        raise RuntimeError(f"the case holds {left} reported values or judgements")
    for kind in TEXT:
        op.execute(f"DROP TRIGGER fts_{kind}_insert")
        op.execute(f"DROP TRIGGER fts_{kind}_update")
    op.execute("DELETE FROM record_count WHERE kind IN ('report', 'judgement')")
    op.drop_index(op.f("ix_source_derived_from_id"), table_name="source")
    op.drop_table("judgement_ref")
    op.drop_table("judgement")
    op.drop_table("report")
    _rebuild(
        {
            "record": ({NEW_KINDS: OLD_KINDS, NOTES + DISPUTED: NOTES}, RECORD, RECORD),
            "record_count": ({NEW_KINDS: OLD_KINDS}, "kind, n", "kind, n"),
            "source": (
                {RELIABILITY + DERIVED: RELIABILITY, SOURCE_FK + DERIVED_FK: SOURCE_FK},
                SOURCE,
                SOURCE,
            ),
        }
    )
