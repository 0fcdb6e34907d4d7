"""Benchmark for the case file (issue #2): bulk inserts, single adds, open + first page.

Each figure is printed beside a baseline measured in the same run:
- bulk: ``RecordService.add_many`` (validation, reference checks, an audit entry per record)
  against raw ``sqlite3`` ``executemany`` of the same rows into the same tables in one
  transaction — once with the rows prepared before the clock starts (SQLite's cost alone),
  once with the conversion from the same Python objects timed too (a hand-written importer);
- single adds, one transaction each (WAL, synchronous=FULL), against the same raw
  transaction;
- opening a 100,000-quote case and listing its first sorted page, against a raw query.

Targets: bulk within 2x of raw; >= 1,000 single adds/s; open + first page < 200 ms.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect

from casefile.db.search_tables import INDEX_PENDING
from casefile.db.types import FigureType
from casefile.domain.dates import PartialDate
from casefile.domain.figures import Figure
from casefile.domain.records import (
    AnyFields,
    AttackFields,
    PersonFields,
    QuoteFields,
    SourceFields,
)
from casefile.domain.serialize import fields_json
from casefile.domain.terms import Kind, PersonRole
from casefile.services.audit import created
from casefile.services.case import create_case, open_case
from casefile.services.list_query import ListQuery
from casefile.services.record_reading import COLUMNS_OF_KIND

N_ATTACKS, N_PEOPLE, N_QUOTES, N_SINGLE = 10_000, 20_000, 100_000, 2_000
Rows = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]
RECORD_SQL = "INSERT INTO record (id, kind, created_at, updated_at, notes) VALUES (?,?,?,?,?)"
AUDIT_SQL = (
    "INSERT INTO audit_event (action_id, at, action, record_id, kind, label, changes) "
    "VALUES (?,?,?,?,?,?,?)"
)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def make_items(source: uuid.UUID) -> dict[Kind, list[AnyFields]]:
    attacks: list[AnyFields] = [
        AttackFields(
            title=f"Attack {i}",
            date=PartialDate(1970 + i % 54, 1 + i % 12, 1 + i % 28),
            city="London",
            country="United Kingdom",
            killed=Figure.exactly(i % 7),
            attack_types=("armed_assault",),
        )
        for i in range(N_ATTACKS)
    ]
    people: list[AnyFields] = [
        PersonFields(name=f"Person {i}", aliases=(f"P{i}",), roles=(PersonRole.SUSPECT,))
        for i in range(N_PEOPLE)
    ]
    quotes: list[AnyFields] = [
        QuoteFields(
            text=f"Statement number {i}: run [the enemy] over in your car.",
            source=source,
            page=1 + i % 300,
            said=PartialDate(2000 + i % 24, 1 + i % 12),
        )
        for i in range(N_QUOTES)
    ]
    return {Kind.ATTACK: attacks, Kind.PERSON: people, Kind.QUOTE: quotes}


FIGURE_COLUMN = FigureType()
SQLITE = sqlite_dialect()


def stored(value: Any) -> Any:
    if isinstance(value, PartialDate):
        return value.to_edtf()
    if isinstance(value, tuple):
        return json.dumps([stored(v) for v in value])
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, Figure):  # as the column type stores it: text by lower bound
        return FIGURE_COLUMN.process_bind_param(value, SQLITE)
    if isinstance(value, Enum):
        return value.value
    return value


def raw_rows(items: list[AnyFields], kind: Kind) -> Rows:
    """The rows as SQLite stores them, audit entries included."""
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ")
    action = uuid.uuid4().hex
    records, kind_rows, audit = [], [], []
    for fields in items:
        rid = uuid.uuid4().hex
        records.append((rid, kind.value, now, now, ""))
        kind_rows.append((rid, *(stored(getattr(fields, n)) for n in COLUMNS_OF_KIND[kind])))
        changes = json.dumps(created(fields_json(fields, dates_as_objects=False)))
        audit.append((action, now, "create", rid, kind.value, "label", changes))
    return records, kind_rows, audit


def raw_insert(path: Path, kind: Kind, rows: Rows) -> None:
    records, kind_rows, audit = rows
    columns = list(COLUMNS_OF_KIND[kind].values())
    marks = ",".join("?" * (len(columns) + 1))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("BEGIN")
    conn.executemany(RECORD_SQL, records)
    conn.executemany(
        f'INSERT INTO "{kind.value}" (id, {", ".join(columns)}) VALUES ({marks})', kind_rows
    )
    conn.executemany(AUDIT_SQL, audit)
    for statement in INDEX_PENDING:  # the search index, as every writer of a case must
        conn.execute(statement)
    conn.execute("COMMIT")
    conn.close()


type_of = {Kind.ATTACK: AttackFields, Kind.PERSON: PersonFields, Kind.QUOTE: QuoteFields}


def bench_bulk(api_path: Path, raw_path: Path, source: uuid.UUID) -> None:
    print(
        f"{'bulk insert':<18}{'API rows/s':>12}{'raw rows/s':>12}{'ratio':>7}"
        f"{'raw+convert':>13}{'ratio':>7}   (target: ratio <= 2.0)"
    )
    with open_case(api_path, backups=False) as case:
        for kind, batch in make_items(source).items():
            rows = raw_rows(batch, kind)
            raw_s, _ = timed(lambda: raw_insert(raw_path, kind, rows))  # noqa: B023
            conv_s, _ = timed(lambda: raw_insert(raw_path, kind, raw_rows(batch, kind)))  # noqa: B023
            api_s, _ = timed(lambda: case.records.add_many(batch))  # noqa: B023
            n = len(batch)
            print(
                f"{f'{n:,} {kind.value}s':<18}{n / api_s:>12,.0f}{n / raw_s:>12,.0f}"
                f"{api_s / raw_s:>7.2f}{n / conv_s:>13,.0f}{api_s / conv_s:>7.2f}"
            )


def bench_single(api_path: Path, raw_path: Path) -> None:
    single = [PersonFields(name=f"Single {i}") for i in range(N_SINGLE)]
    with open_case(api_path, backups=False) as case:
        api_s, _ = timed(lambda: [case.records.add(f) for f in single])
    conn = sqlite3.connect(raw_path, isolation_level=None)
    conn.execute("PRAGMA synchronous = FULL")
    now = datetime.now(UTC).isoformat(" ")

    def raw_single() -> None:
        for i in range(N_SINGLE):
            rid = uuid.uuid4().hex
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(RECORD_SQL, (rid, "person", now, now, ""))
            conn.execute(
                "INSERT INTO person (id, name, aliases, roles, nationality, status) "
                "VALUES (?,?,?,?,?,?)",
                (rid, f"Single {i}", "[]", "[]", "", "unknown"),
            )
            conn.execute(AUDIT_SQL, (rid, now, "create", rid, "person", "x", '{"name": 1}'))
            for statement in INDEX_PENDING:
                conn.execute(statement)
            conn.execute("COMMIT")

    raw_s, _ = timed(raw_single)
    conn.close()
    print(
        f"\n{'single adds':<18}{N_SINGLE / api_s:>12,.0f}{N_SINGLE / raw_s:>12,.0f}"
        f"{api_s / raw_s:>7.2f}   (adds/s, one transaction each; target >= 1,000/s)"
    )


def bench_open(api_path: Path) -> None:
    print(f"\n{'open + 1st page':<18}{'API ms':>12}{'raw ms':>12}   (100,000 quotes; target < 200)")
    for sort, raw_order in (
        ("said", "WHERE 1 ORDER BY said, quote.id"),
        ("created", "WHERE kind = 'quote' ORDER BY created_at, record.id"),
    ):

        def api() -> int:
            with open_case(api_path, backups=False) as case:
                query = ListQuery(Kind.QUOTE, sort=sort, limit=50)  # noqa: B023
                return len(case.listing.page(query).records)

        def raw() -> int:
            conn = sqlite3.connect(api_path)
            sql = f"SELECT * FROM quote JOIN record USING (id) {raw_order} LIMIT 50"  # noqa: B023
            n = len(conn.execute(sql).fetchall())
            conn.close()
            return n

        api_s, n = timed(api)
        raw_s, _ = timed(raw)
        print(f"{f'by {sort} ({n} rows)':<18}{api_s * 1000:>12.0f}{raw_s * 1000:>12.1f}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        api_path, raw_path = Path(tmp) / "api.casefile", Path(tmp) / "raw.casefile"
        with create_case(api_path) as case:
            source = case.records.add(SourceFields(title="Source")).id
        with create_case(raw_path) as case:
            case.records.add(SourceFields(title="Source"))
        bench_bulk(api_path, raw_path, source)
        bench_single(api_path, raw_path)
        bench_open(api_path)


if __name__ == "__main__":
    main()
