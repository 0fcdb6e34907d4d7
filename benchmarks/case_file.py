"""Benchmark for the case file (issue: the case file): bulk inserts, single adds, open + list.

Prints each figure beside a baseline measured in the same run:
- the bulk path (RecordService.add_many: validation, references, audit entries) against raw
  ``sqlite3`` ``executemany`` of the same rows into the same tables in one transaction;
- single-record adds, one transaction each (WAL, synchronous=FULL), against the same raw
  single-row transaction;
- opening a 100,000-quote case and listing its first sorted page, cold and warm.

Targets (issue #2): bulk within 2x of raw; >= 1,000 single adds/s; open + first sorted
page < 200 ms.
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

from casefile.audit import created
from casefile.case import create_case, open_case
from casefile.dates import PartialDate
from casefile.listing import ListQuery
from casefile.records import (
    AnyFields,
    AttackFields,
    PersonFields,
    QuoteFields,
    SourceFields,
    field_names,
)
from casefile.serialize import fields_json
from casefile.vocab import Kind, PersonRole

N_ATTACKS, N_PEOPLE, N_QUOTES, N_SINGLE = 10_000, 20_000, 100_000, 2_000


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def make_items(source: uuid.UUID) -> dict[str, list[AnyFields]]:
    years = [str(y) for y in range(1970, 2024)]
    attacks: list[AnyFields] = [
        AttackFields(
            title=f"Attack {i}",
            date=PartialDate.parse(f"{1 + i % 28} March {years[i % len(years)]}"),
            city="London",
            country="United Kingdom",
            killed=i % 7,
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
    return {"attacks": attacks, "people": people, "quotes": quotes}


Rows = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]


def stored(value: Any) -> Any:
    if isinstance(value, PartialDate):
        return value.to_edtf()
    if isinstance(value, tuple):
        return json.dumps([stored(v) for v in value])
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, Enum):
        return value.value
    return value


def raw_rows(items: list[AnyFields], kind: str) -> Rows:
    """The same rows in their stored form (audit entries included), made before the clock
    starts: the baseline is SQLite's insert cost alone."""
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ")
    action = uuid.uuid4().hex
    records, kind_rows, audit = [], [], []
    for fields in items:
        rid = uuid.uuid4().hex
        records.append((rid, kind, now, now, ""))
        kind_rows.append((rid, *(stored(getattr(fields, n)) for n in field_names(type(fields)))))
        changes = json.dumps(created(fields_json(fields, dates_as_objects=False)))
        audit.append((action, now, "create", rid, kind, "label", changes))
    return records, kind_rows, audit


def raw_insert(path: Path, table: str, columns: list[str], rows: Rows) -> None:
    records, kind_rows, audit = rows
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO record (id, kind, created_at, updated_at, notes) VALUES (?,?,?,?,?)", records
    )
    placeholders = ",".join("?" * (len(columns) + 1))
    conn.executemany(
        f'INSERT INTO "{table}" (id, {", ".join(columns)}) VALUES ({placeholders})', kind_rows
    )
    conn.executemany(
        "INSERT INTO audit_event (action_id, at, action, record_id, kind, label, changes) VALUES (?,?,?,?,?,?,?)",
        audit,
    )
    conn.execute("COMMIT")
    conn.close()


COLUMN_NAMES = {"claimed_by": "claimed_by_id", "source": "source_id", "speaker": "speaker_id"}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        api_path, raw_path = folder / "api.casefile", folder / "raw.casefile"
        with create_case(api_path) as case:
            source = case.records.add(SourceFields(title="Source")).id
        with create_case(raw_path) as case:
            case.records.add(SourceFields(title="Source"))
        items = make_items(source)
        print(
            f"{'bulk insert':<28}{'API rows/s':>12}{'raw rows/s':>12}{'ratio':>8}  (target <= 2.0)"
        )
        with open_case(api_path, backups=False) as case:
            for name, batch in items.items():
                table = {"attacks": "attack", "people": "person", "quotes": "quote"}[name]
                kind = {"attacks": "attack", "people": "person", "quotes": "quote"}[name]
                columns = [COLUMN_NAMES.get(c, c) for c in field_names(type(batch[0]))]
                rows = raw_rows(batch, kind)
                raw_s, _ = timed(lambda: raw_insert(raw_path, table, columns, rows))
                api_s, _ = timed(lambda: case.records.add_many(batch))
                n = len(batch)
                print(
                    f"{f'{n:,} {name}':<28}{n / api_s:>12,.0f}{n / raw_s:>12,.0f}{api_s / raw_s:>8.2f}"
                )

            single = [PersonFields(name=f"Single {i}") for i in range(N_SINGLE)]
            api_s, _ = timed(lambda: [case.records.add(f) for f in single])
        conn = sqlite3.connect(raw_path, isolation_level=None)
        conn.execute("PRAGMA synchronous = FULL")
        now = datetime.now(UTC).isoformat(" ")

        def raw_single() -> None:
            for i in range(N_SINGLE):
                rid = uuid.uuid4().hex
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO record VALUES (?,?,?,?,?)", (rid, "person", now, now, ""))
                conn.execute(
                    "INSERT INTO person (id, name, aliases, roles, nationality, status) VALUES (?,?,?,?,?,?)",
                    (rid, f"Single {i}", "[]", "[]", "", "unknown"),
                )
                conn.execute(
                    "INSERT INTO audit_event (action_id, at, action, record_id, kind, label, changes) VALUES (?,?,?,?,?,?,?)",
                    (rid, now, "create", rid, "person", "x", "{}"),
                )
                conn.execute("COMMIT")

        raw_s, _ = timed(raw_single)
        conn.close()
        print(
            f"\n{'single adds (1 txn each)':<28}{N_SINGLE / api_s:>12,.0f}{N_SINGLE / raw_s:>12,.0f}"
            f"{api_s / raw_s:>8.2f}  (target >= 1,000/s)"
        )

        def open_and_page(sort: str) -> int:
            with open_case(api_path, backups=False) as case:
                return len(case.listing.page(ListQuery(Kind.QUOTE, sort=sort, limit=50)).records)

        def raw_open_and_page() -> int:
            conn = sqlite3.connect(api_path)
            rows = conn.execute(
                "SELECT * FROM quote JOIN record USING (id) ORDER BY said, id LIMIT 50"
            ).fetchall()
            conn.close()
            return len(rows)

        print(
            f"\n{'open + first sorted page':<28}{'API ms':>12}{'raw ms':>12}  (target < 200 ms, {N_QUOTES:,} quotes)"
        )
        for sort in ("said", "created"):
            api_s, n = timed(lambda: open_and_page(sort))
            raw_s, _ = timed(raw_open_and_page)
            print(f"{f'sorted by {sort} ({n} rows)':<28}{api_s * 1000:>12.0f}{raw_s * 1000:>12.1f}")


if __name__ == "__main__":
    main()
