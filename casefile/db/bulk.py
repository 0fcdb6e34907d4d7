"""A fast executemany for the bulk path.

SQLAlchemy's Core ``executemany`` spends more time per row building parameters than
SQLite spends inserting them. Here the statement is compiled once per table and column
set, each column's own bind processor (the same TypeDecorators the ORM uses) converts the
values column by column, and the rows go to the driver in one call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Dialect, Table, insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.type_api import _BindProcessorType

from casefile.db import driver

# The compiled INSERT, then for each of its parameters: where it is in a row, its converter.
Plan = tuple[str, list[tuple[int, _BindProcessorType[Any] | None]]]
_PLANS: dict[tuple[str, str, tuple[str, ...], bool], Plan] = {}


def _plan(dialect: Dialect, table: Table, names: tuple[str, ...], keep_existing: bool) -> Plan:
    key = (dialect.name, table.name, names, keep_existing)
    if key not in _PLANS:
        statement = (
            sqlite_insert(table).on_conflict_do_nothing() if keep_existing else insert(table)
        )
        compiled = statement.compile(dialect=dialect, column_keys=list(names))
        order = compiled.positiontup or list(names)
        steps = [(names.index(n), table.c[n].type.bind_processor(dialect)) for n in order]
        _PLANS[key] = (str(compiled), steps)
    return _PLANS[key]


def insert_rows(
    session: Session,
    table: Table,
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    keep_existing: bool = False,
) -> None:
    """Insert ``rows`` (tuples of values for the columns ``names``) into ``table``;
    ``keep_existing``: a row whose key is already there is skipped, not an error."""
    if not rows:
        return
    conn = session.connection()
    sql, steps = _plan(conn.dialect, table, tuple(names), keep_existing)
    values = list(zip(*rows, strict=True))  # one tuple per column
    columns: list[Sequence[Any]] = []
    for position, convert in steps:
        column = values[position]
        if column[0] is column[-1] and column.count(column[0]) == len(column):
            # A value every row shares (the action's time and ID, a quote's source)
            # converts once, and is adapted for the driver once.
            shared = column[0] if convert is None else convert(column[0])
            columns.append((driver.adapted(shared),) * len(column))
        elif convert is None:
            columns.append(column)
        else:
            columns.append(list(map(convert, column)))
    driver.run(conn, sql, list(zip(*columns, strict=True)))
