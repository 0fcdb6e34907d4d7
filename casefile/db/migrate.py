"""Alembic, run in code on the case's own connection.

The scripts ship inside the package (``casefile.migrations``), so an installed Casefile
upgrades a case without its source tree.
"""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

from casefile.domain.errors import CaseFileError

if TYPE_CHECKING:
    from alembic.config import Config

# The revision this Casefile writes, so that opening a case that is at it needs no Alembic:
# importing Alembic (and Mako with it) costs a tenth of a second at every start. The
# scripts are read only for a case at another revision. A test checks that this is the
# scripts' head.
HEAD = "0013"


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(files("casefile.migrations")))
    config.attributes["connection"] = connection
    return config


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The case's revision, as Alembic keeps it (None: the file has no schema yet)."""
    with engine.connect() as conn:
        kept = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).first()
        if kept is None:
            return None
        revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        return None if revision is None else str(revision)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade in one transaction: SQLite DDL is transactional, so a failure leaves the
    file at its old revision.

    Foreign keys are off while it runs: a batch migration rebuilds a table by dropping it,
    and with them on the drop would cascade (a document's pages, a link's citations). They
    are checked as a whole before the commit instead.

    And ``ALTER TABLE … RENAME`` renames only the table (SQLite's legacy mode): the rebuilt
    table takes the dropped one's name, and what names it (the view the search index reads
    its text from, ``fts_source``) names it again. Otherwise SQLite reads every view again
    at the rename, and stops at the one naming the table just dropped.
    """
    from alembic import command

    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys = OFF")  # outside a transaction, or ignored
        driver.execute("PRAGMA legacy_alter_table = ON")
        try:
            with conn.begin():
                command.upgrade(alembic_config(conn), revision)
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    table, rowid, parent, _ = broken[0]
                    raise CaseFileError(
                        f"the upgrade would leave {table} row {rowid} pointing at a missing "
                        f"{parent} row; the case is unchanged"
                    )
        finally:
            driver.execute("PRAGMA legacy_alter_table = OFF")
            driver.execute("PRAGMA foreign_keys = ON")
