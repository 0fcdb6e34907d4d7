"""Copy out of a damaged case every row SQLite can still read (the rescue copy).

What SQLite's own ``.recover`` does for its shell, done through the driver we have: the
schema is read from the damaged file and made anew in an empty file, then each table's
rows are copied in rowid order; where a damaged page stops the walk, the walk resumes at
the next rowid that can be reached, so one bad page costs the rows on it, not the rest.
Indexes, views and triggers are made after the rows. Search-index tables are left empty (the
rescued case is reindexed). A record half of which was lost is dropped whole. The
damaged file is only read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casefile.db.engine import DBAPIError, DriverConnection, create_database, raw_connect
from casefile.domain.errors import CaseFileError
from casefile.domain.terms import Kind

BATCH = 500
# How far past an unreadable row the walk looks for the next readable one, in doublings.
FURTHEST_JUMP = 63


@dataclass
class Salvaged:
    """Rows copied per table, and the tables in which some could not be read."""

    rows: dict[str, int] = field(default_factory=dict)
    damaged: list[str] = field(default_factory=list)  # tables with rows lost
    not_made: list[str] = field(default_factory=list)  # indexes, views or triggers not remade


def salvage(source: Path, key: str | None, dest: Path) -> Salvaged:
    """Write to ``dest`` (which must not exist) what can be read of ``source``."""
    try:
        src = raw_connect(source, key)
    except DBAPIError as exc:
        raise _nothing(source, exc) from None
    try:
        try:
            schema = src.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
            ).fetchall()
            version = src.execute("PRAGMA user_version").fetchone()[0]
        except DBAPIError as exc:
            raise _nothing(source, exc) from None
        create_database(dest, key)
        out = raw_connect(dest, key)
        try:
            out.execute("PRAGMA foreign_keys = OFF")  # checked after, by ``problems``
            out.execute(f"PRAGMA user_version = {int(version)}")
            return _copy(src, out, schema)
        finally:
            out.close()
    finally:
        src.close()


def _nothing(source: Path, exc: BaseException) -> CaseFileError:
    return CaseFileError(
        f"nothing can be rescued from {source}: its list of tables cannot be read ({exc})"
    )


def _copy(src: DriverConnection, out: DriverConnection, schema: list[Any]) -> Salvaged:
    found = Salvaged()
    virtual = [name for kind, name, sql in schema if sql.upper().startswith("CREATE VIRTUAL")]
    tables = [
        (name, sql)
        for kind, name, sql in schema
        if kind == "table"
        and not name.startswith("sqlite_")
        and not any(name.startswith(f"{v}_") for v in virtual)
    ]
    for name, sql in tables:
        out.execute(sql)
        if name in virtual:
            continue  # the search index: rebuilt from the records by the rescue
        copied, whole = _copy_rows(src, out, name)
        found.rows[name] = copied
        if not whole:
            found.damaged.append(name)
    found.rows["record"] = found.rows.get("record", 0) - _mend_records(out)
    for kind, name, sql in schema:
        if kind in ("index", "view", "trigger"):  # in the order made: a trigger reads a view
            try:
                out.execute(sql)
            except DBAPIError:
                found.not_made.append(name)
    return found


def _mend_records(out: DriverConnection) -> int:
    """A record is a row of ``record`` and one of its kind's table (joined-table
    inheritance): where one half was on a lost page, the other is dropped too, and the
    counts per kind are taken anew. (Before the triggers exist: nothing else moves.)
    Returns how many ``record`` rows were dropped."""
    dropped = 0
    out.execute("BEGIN")
    for kind in Kind:
        table = f'"{kind.value}"'
        dropped += out.execute(
            f"DELETE FROM record WHERE kind = ? AND id NOT IN (SELECT id FROM {table})",
            (kind.value,),
        ).rowcount
        out.execute(f"DELETE FROM {table} WHERE id NOT IN (SELECT id FROM record)")
    out.execute("DELETE FROM record_count")
    out.execute(
        "INSERT INTO record_count (kind, n) SELECT kind, count(*) FROM record GROUP BY kind"
    )
    out.execute("COMMIT")
    return dropped


def _copy_rows(src: DriverConnection, out: DriverConnection, table: str) -> tuple[int, bool]:
    try:
        columns = [row[1] for row in src.execute(f'PRAGMA table_info("{table}")')]
    except DBAPIError:
        return 0, False
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" * (len(columns) + 1))
    insert = f'INSERT INTO "{table}" (rowid, {names}) VALUES ({marks})'
    copied, whole, after = 0, True, 0
    out.execute("BEGIN")
    while True:
        rows: list[tuple[Any, ...]] = []
        try:
            for row in _walk(src, table, names, after):
                rows.append(row)
                after = row[0]
                if len(rows) == BATCH:
                    out.executemany(insert, rows)
                    copied, rows = copied + len(rows), []
            out.executemany(insert, rows)
            copied += len(rows)
            break
        except DBAPIError:
            out.executemany(insert, rows)
            copied += len(rows)
            whole = False
            resume = _next_readable(src, table, after)
            if resume is None:
                break
            after = resume
    out.execute("COMMIT")
    return copied, whole


def _walk(src: DriverConnection, table: str, names: str, after: int) -> Iterator[tuple[Any, ...]]:
    """The rows after rowid ``after``, in rowid order (rowids here are never negative)."""
    yield from src.execute(
        f'SELECT rowid, {names} FROM "{table}" WHERE rowid > ? ORDER BY rowid', (after,)
    )


def _next_readable(src: DriverConnection, table: str, after: int) -> int | None:
    """Where the walk can go on past a damaged page: just before the first row found
    further on, looking 2, 4, 8… rows past the last one read (the next is the one that
    failed); None when nothing further can be found."""
    for jump in range(1, FURTHEST_JUMP):
        try:
            row = src.execute(
                f'SELECT rowid FROM "{table}" WHERE rowid > ? ORDER BY rowid LIMIT 1',
                (after + 2**jump - 1,),
            ).fetchone()
        except DBAPIError:
            continue
        return None if row is None else int(row[0]) - 1
    return None
