"""Casualty counts as sources give them: "at least 30", "30–35", "dozens".

The three counts of an attack (killed, wounded, perpetrators killed) were whole numbers.
They become figures (``casefile.domain.figures``), stored as text that sorts by the lower
bound: each bound zero-padded to ten digits, then the source's own word. A number stored
before is that number exactly ("3" → ``0000000003``), so nothing is lost and the order of
a list sorted by killed is the same.

SQLite cannot change a column's type in place: the table is rebuilt as SQLite's manual
describes (new table, copy, drop, rename), from its own stored definition with only the
three types changed, so its collations, constraints, indexes and the search index's
triggers stay exactly as they were. (Alembic's batch mode reflects the table instead, and
reflection drops the titles' NOCASE collation.)

Revision ID: 0007
"""

import re

from alembic import op

from casefile.domain.errors import CaseFileError

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

COUNTS = ("killed", "wounded", "perpetrators_killed")
LIMIT = 9_999_999_999


def _rebuild(old_type: str, new_type: str) -> None:
    conn = op.get_bind()
    schema = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'attack'"
    ).scalar_one()
    attached = [
        row[0]
        for row in conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'attack' "
            "AND type IN ('index', 'trigger') AND sql IS NOT NULL"
        )
    ]
    for name in COUNTS:
        column = f"\n\t{name} {old_type}, "
        assert schema.count(column) == 1, f"attack.{name} is not {old_type}"
        schema = schema.replace(column, f"\n\t{name} {new_type}, ")
    op.execute(re.sub(r'^CREATE TABLE "?attack"? \(', "CREATE TABLE attack_rebuilt (", schema))
    op.execute("INSERT INTO attack_rebuilt SELECT * FROM attack")
    op.execute("DROP TABLE attack")
    op.execute("ALTER TABLE attack_rebuilt RENAME TO attack")
    for sql in attached:
        op.execute(sql)


def upgrade() -> None:
    too_large = (
        op.get_bind()
        .exec_driver_sql(
            "SELECT count(*) FROM attack WHERE " + " OR ".join(f"{n} > {LIMIT}" for n in COUNTS)
        )
        .scalar_one()
    )
    if too_large:  # a figure has ten digits: more than anyone has counted
        raise CaseFileError(
            f"{too_large} attacks have a count over {LIMIT:,}, more than this version stores: "
            "correct them with the version that made the case first; the case is unchanged"
        )
    _rebuild("INTEGER", "TEXT")
    for name in COUNTS:
        op.execute(f"UPDATE attack SET {name} = printf('%010d', {name}) WHERE {name} IS NOT NULL")


def downgrade() -> None:
    """Back to whole numbers: an exact figure keeps its number, any other its lower bound
    (what the older version sorted by), which is all a whole number can say."""
    for name in COUNTS:
        op.execute(
            f"UPDATE attack SET {name} = CAST(substr({name}, 1, 10) AS INTEGER) "
            f"WHERE {name} IS NOT NULL"
        )
    _rebuild("TEXT", "INTEGER")
