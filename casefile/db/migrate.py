"""Alembic, run in code on the case's own connection.

The scripts ship inside the package (``casefile.migrations``), so an installed Casefile
upgrades a case without its source tree.
"""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from casefile.errors import CaseFileError


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("casefile.migrations")))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migration scripts have no head"
    return head


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade in one transaction: SQLite DDL is transactional, so a failure leaves the
    file at its old revision.

    Foreign keys are off while it runs: a batch migration rebuilds a table by dropping it,
    and with them on the drop would cascade (a document's pages, a link's citations). They
    are checked as a whole before the commit instead.
    """
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys = OFF")  # outside a transaction, or ignored
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
            driver.execute("PRAGMA foreign_keys = ON")
