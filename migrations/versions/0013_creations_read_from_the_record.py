"""A record's creation in the history no longer repeats the values the record holds.

A record's ``create`` event (``restore``, when an undone delete brought it back) kept every
value it was made with, as JSON: 9% of a case of 100,000 pages, all of it in the record as
well. Such an event now keeps none: ``changes`` is NULL. Every later change of a field, a
tag or the notes is an event that keeps the value it replaced, and a delete keeps every
value, so what a record was created with is read back (``casefile.services.audit``): the
values it holds now, or those its delete kept, taken back through the updates between.

``audit_event`` is rebuilt with ``changes`` nullable (SQLite cannot drop a NOT NULL in
place; as in 0007, from the table's own stored definition, so its indexes stay as they
were), and each creation is copied without its values where they read back exactly as it
kept them. One that would not (a record changed without an event, a value stored otherwise
since it was written) keeps them: nothing it says is lost. The downgrade writes every
creation's values back.

The values are read as the audit trail writes them (``services.audit.values_of``): a
reference as its UUID, a date as its EDTF text, a count as ``figure_json`` gives it, a list
as a list, the tags sorted as the case sorts them; a value that is empty, left out.

Revision ID: 0013
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

from alembic import op
from sqlalchemy import Connection
from sqlalchemy.dialects.sqlite import dialect

from casefile.db.engine import fold
from casefile.db.types import FigureType
from casefile.domain.serialize import figure_json
from casefile.services.audit import EMPTY, created, values_before

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | None = None
depends_on: str | None = None

KINDS = ("attack", "person", "group", "source", "document", "quote", "link", "report", "judgement")
# An attack's counts are text that sorts (0007): read as the figures they are.
FIGURES = {("attack", "killed"), ("attack", "wounded"), ("attack", "perpetrators_killed")}
CREATIONS = ("create", "restore")
CHUNK = 500  # records read at once
SQLITE = dialect()
Values = dict[str, Any]


def upgrade() -> None:
    conn = op.get_bind()
    conn.exec_driver_sql("CREATE TEMP TABLE read_back (id INTEGER PRIMARY KEY)")
    for chunk in _chunks_of_records(conn):
        same = [
            (event_id,)
            for event_id, kept, values in _creations(conn, chunk)
            if kept is not None and _same(kept, created(values))
        ]
        if same:
            conn.exec_driver_sql("INSERT INTO read_back (id) VALUES (?)", same)
    _rebuild(
        "changes JSON NOT NULL",
        "changes JSON",
        "CASE WHEN id IN (SELECT id FROM read_back) THEN NULL ELSE changes END",
    )
    conn.exec_driver_sql("DROP TABLE read_back")


def downgrade() -> None:
    conn = op.get_bind()
    for chunk in _chunks_of_records(conn):
        written = [
            (json.dumps(created(values), ensure_ascii=False), event_id)
            for event_id, kept, values in _creations(conn, chunk)
            if kept is None
        ]
        if written:
            conn.exec_driver_sql("UPDATE audit_event SET changes = ? WHERE id = ?", written)
    _rebuild("changes JSON", "changes JSON NOT NULL", "changes")


def _rebuild(old: str, new: str, changes: str) -> None:
    """``audit_event`` again with its ``changes`` column declared ``new``, each row's
    ``changes`` copied as the SQL ``changes`` gives it."""
    conn = op.get_bind()
    schema = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit_event'"
    ).scalar_one()
    indexes = [
        row[0]
        for row in conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'audit_event' "
            "AND type IN ('index', 'trigger') AND sql IS NOT NULL"
        )
    ]
    column = f"\n\t{old}, "
    assert schema.count(column) == 1, f"audit_event.changes is not {old}"
    schema = schema.replace(column, f"\n\t{new}, ")
    op.execute(re.sub(r'^CREATE TABLE "?audit_event"? \(', "CREATE TABLE audit_rebuilt (", schema))
    op.execute(
        "INSERT INTO audit_rebuilt (id, action_id, at, action, record_id, kind, label, changes) "
        f"SELECT id, action_id, at, action, record_id, kind, label, {changes} FROM audit_event"
    )
    op.execute("DROP TABLE audit_event")
    op.execute("ALTER TABLE audit_rebuilt RENAME TO audit_event")
    for sql in indexes:
        op.execute(sql)


def _chunks_of_records(conn: Connection) -> Iterator[dict[str, str]]:
    """The records that have a creation in the history (deleted ones too), a few hundred
    at a time, by ID (as stored: hex) with their kind."""
    kinds = ", ".join(f"'{k}'" for k in KINDS)
    actions = ", ".join(f"'{a}'" for a in CREATIONS)
    last = ""
    while True:
        rows = conn.exec_driver_sql(
            "SELECT record_id, min(kind) FROM audit_event "
            f"WHERE record_id > ? AND action IN ({actions}) AND kind IN ({kinds}) "
            f"GROUP BY record_id ORDER BY record_id LIMIT {CHUNK}",
            (last,),
        ).all()
        if not rows:
            return
        yield dict(rows)
        last = rows[-1][0]


def _creations(
    conn: Connection, records: dict[str, str]
) -> Iterator[tuple[int, dict[str, Any] | None, Values]]:
    """Each creation of these records: its event, the values it kept (None: none) and
    the values it reads back, walking back from what each record holds now as the app
    does (``services.audit.values_before``: the same walk, so the same values)."""
    now: dict[str, Values] = {}
    by_kind: dict[str, list[str]] = {}
    for record_id, kind in records.items():
        by_kind.setdefault(kind, []).append(record_id)
    names: dict[str, tuple[str, ...]] = {}
    for kind, ids in by_kind.items():
        names[kind], found = _values_now(conn, kind, ids)
        now.update(found)
    marks = ",".join("?" * len(records))
    events: dict[str, list[tuple[int, str, dict[str, Any] | None]]] = {}
    for event_id, record_id, action, changes in conn.exec_driver_sql(
        f"SELECT id, record_id, action, changes FROM audit_event WHERE record_id IN ({marks}) "
        "ORDER BY id",
        tuple(records),
    ):
        kept = None if changes is None else json.loads(changes)
        events.setdefault(record_id, []).append((event_id, action, kept))
    for record_id, kind in records.items():
        values: Values | None = now.get(record_id)
        for event_id, action, kept in reversed(events[record_id]):
            if action in CREATIONS:
                yield event_id, kept, values or {}
            values = values_before(action, kept, values, names[kind])


def _same(kept: dict[str, Any], read: dict[str, Any]) -> bool:
    """Equal as JSON, types and all (1 is not true, nor 1.0)."""
    return json.dumps(kept, sort_keys=True) == json.dumps(read, sort_keys=True)


def _values_now(
    conn: Connection, kind: str, ids: list[str]
) -> tuple[tuple[str, ...], dict[str, Values]]:
    """The names of a kind's values, and the values of those of ``ids`` that still exist."""
    readers: list[tuple[str, str, Callable[[Any], Any]]] = []
    for _cid, column, declared, *_ in conn.exec_driver_sql(f'PRAGMA table_info("{kind}")'):
        if column == "id":
            continue
        if declared == "CHAR(32)":  # a reference: ``source_id`` holds the field ``source``
            readers.append((column, column.removesuffix("_id"), _uuid))
        elif declared == "JSON":
            readers.append((column, column, json.loads))
        elif declared == "BOOLEAN":
            readers.append((column, column, bool))
        elif (kind, column) in FIGURES:
            readers.append((column, column, _figure))
        else:
            readers.append((column, column, lambda v: v))
    marks = ",".join("?" * len(ids))
    selected = ", ".join(f't."{column}"' for column, _, _ in readers)
    lists = _lists(conn, kind, ids, marks)
    tags: dict[str, list[str]] = {}
    for record_id, name in conn.exec_driver_sql(
        "SELECT record_id, name FROM record_tag JOIN tag ON tag.id = tag_id "
        f"WHERE record_id IN ({marks})",
        tuple(ids),
    ):
        tags.setdefault(record_id, []).append(name)
    found: dict[str, Values] = {}
    for record_id, notes, *row in conn.exec_driver_sql(
        f'SELECT t.id, r.notes, {selected} FROM "{kind}" t JOIN record r ON r.id = t.id '
        f"WHERE t.id IN ({marks})",
        tuple(ids),
    ):
        values = {
            name: None if stored is None else read(stored)
            for (_, name, read), stored in zip(readers, row, strict=True)
        }
        for name, held in lists.items():
            values[name] = held.get(record_id, [])
        values["tags"] = sorted(tags.get(record_id, []), key=fold)
        values["notes"] = notes
        found[record_id] = {n: v for n, v in values.items() if v not in EMPTY}
    names = (*(name for _, name, _ in readers), *lists, "tags", "notes")
    return names, found


def _uuid(stored: str) -> str:
    return str(UUID(hex=stored))


def _figure(stored: str) -> Any:
    figure = FigureType().process_result_value(stored, SQLITE)
    assert figure is not None
    return figure_json(figure)


def _lists(conn: Connection, kind: str, ids: list[str], marks: str) -> dict[str, dict[str, Any]]:
    """A kind's values kept in tables of their own, in their order: a link's citations,
    what a judgement rests on and concerns."""
    if kind == "link":
        sql = (
            "SELECT link_id, 'citations', cited_id FROM link_citation "
            f"WHERE link_id IN ({marks}) ORDER BY link_id, position"
        )
        lists: dict[str, dict[str, Any]] = {"citations": {}}
    elif kind == "judgement":
        sql = (
            "SELECT judgement_id, role, ref_id FROM judgement_ref "
            f"WHERE judgement_id IN ({marks}) ORDER BY judgement_id, role, position"
        )
        lists = {"rests_on": {}, "concerns": {}}
    else:
        return {}
    for owner, name, ref in conn.exec_driver_sql(sql, tuple(ids)):
        lists[name].setdefault(owner, []).append(_uuid(ref))
    return lists
