"""Benchmark for the case file (issues #2 and #19): bulk inserts, single adds, open + first page.

Each figure is printed beside a baseline measured in the same run, in the same process,
on the same SQLite: every raw baseline runs through ``casefile.db.engine.raw_connect``, the
connection Casefile itself makes (sqlcipher3's SQLite, with its page cache, foreign keys,
``synchronous = FULL`` and the case's WAL), never through Python's own ``sqlite3``, which
is another build of another version (on Debian 12: 3.40.1 with SECURE_DELETE and no
lookaside, where the same SQL costs half as much CPU again).

- bulk: ``RecordService.add_many`` (validation, reference checks, an audit entry per
  record) against ``executemany`` of the same rows into the same tables in one
  transaction: once with the rows prepared before the clock starts (SQLite's cost alone:
  the baseline), once with the conversion from the same Python objects timed too (a
  hand-written importer, for reference);
- single adds, one transaction each (WAL, synchronous=FULL, so a disk sync each), against
  the same rows written raw, one transaction each, on a case file of the same size on
  the same disk; and, to show where the difference lies, the raw rows written inside
  Casefile's own write action (SQLAlchemy's session, connection and pool);
- opening a 100,000-quote case and listing its first sorted page, against a raw query
  on a connection opened just for it.

Every run starts from a copy of the same case file, garbage collected, and the sides run
in turn (in a rotating order) so that a change in the machine's load touches each alike.
Printed for each: the first run beside the median, CPU time (user + system: less
disturbed than wall time by other processes) beside wall time, the load average before
and after. Last, the audit trail's bytes per created record (its table and indexes).

Targets: bulk within 1.5x of raw; single adds within 1.2x of raw; open + first page < 200 ms.

    .venv/bin/python benchmarks/case_file.py [--runs N]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect

from casefile.db import driver
from casefile.db.engine import raw_connect
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
from casefile.domain.terms import Kind, PersonRole
from casefile.services.case import Case, create_case, open_case
from casefile.services.list_query import ListQuery
from casefile.services.record_reading import COLUMNS_OF_KIND, fields_label

N_ATTACKS, N_PEOPLE, N_QUOTES = 10_000, 20_000, 100_000
SINGLE_ROUNDS, SINGLE_PER_ROUND = 5, 400
Row = tuple[Any, ...]
RECORD_SQL = "INSERT INTO record (id, kind, created_at, updated_at, notes) VALUES (?,?,?,?,?)"
AUDIT_SQL = (
    "INSERT INTO audit_event (action_id, at, action, record_id, kind, label, changes) "
    "VALUES (?,?,?,?,?,?,?)"
)


@dataclass
class Runs:
    """The wall and CPU times of one step's runs, in the order they ran."""

    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)

    def wall(self) -> float:
        return statistics.median(self.walls)

    def cpu(self) -> float:
        return statistics.median(self.cpus)


@contextmanager
def clocked(runs: Runs) -> Iterator[None]:
    """Time the block, wall and CPU, from the same process state: garbage collected."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    yield
    runs.walls.append(time.perf_counter() - wall)
    runs.cpus.append(time.process_time() - cpu)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def copy_case(template: Path, dest: Path) -> Path:
    shutil.copyfile(template, dest)
    return dest


def remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        p.unlink(missing_ok=True)


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


@dataclass(frozen=True)
class RawRows:
    """The rows of one action as SQLite stores them, audit entries included."""

    kind: Kind
    records: list[Row]
    kind_rows: list[Row]
    audit: list[Row]


def raw_rows(items: list[AnyFields], kind: Kind) -> RawRows:
    """What Casefile writes for ``items``, converted by hand: the same values, the same
    audit entry (the creation, with the record's label; its values are the record's)."""
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ")
    action = uuid.uuid4().hex
    records, kind_rows, audit = [], [], []
    for fields in items:
        rid = uuid.uuid4().hex
        records.append((rid, kind.value, now, now, ""))
        kind_rows.append((rid, *(stored(getattr(fields, n)) for n in COLUMNS_OF_KIND[kind])))
        label = fields_label(kind, fields, {})
        audit.append((action, now, "create", rid, kind.value, label, None))
    return RawRows(kind, records, kind_rows, audit)


def kind_sql(kind: Kind) -> str:
    columns = list(COLUMNS_OF_KIND[kind].values())
    marks = ",".join("?" * (len(columns) + 1))
    return f'INSERT INTO "{kind.value}" (id, {", ".join(columns)}) VALUES ({marks})'


def raw_write(conn: Any, rows: RawRows) -> None:
    """One action, as Casefile's write path ends: the rows, the search index, the commit."""
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(RECORD_SQL, rows.records)
    conn.executemany(kind_sql(rows.kind), rows.kind_rows)
    conn.executemany(AUDIT_SQL, rows.audit)
    for statement in INDEX_PENDING:  # the search index, as every writer of a case must
        conn.execute(statement)
    conn.execute("COMMIT")


def audit_bytes(path: Path) -> tuple[int, int]:
    """The audit trail's bytes on disk (its table and indexes, pages as stored) and its
    events. Measured, not timed: through Python's ``sqlite3`` only because sqlcipher3's
    SQLite is built without the ``dbstat`` table."""
    uri = f"file:{path}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as conn:
        size = conn.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name = 'audit_event' "
            "OR name IN (SELECT name FROM sqlite_master WHERE tbl_name = 'audit_event')"
        ).fetchone()[0]
        events = conn.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    return int(size), int(events)


def api_bulk(path: Path, batch: list[AnyFields], times: Runs) -> None:
    with open_case(path, backups=False) as case, clocked(times):
        case.records.add_many(batch)


def raw_bulk(path: Path, batch: list[AnyFields], kind: Kind, times: Runs, *, convert: bool) -> None:
    """The baseline (``convert`` off: the rows ready before the clock) or a hand-written
    importer (``convert``: made from the same objects, on the clock)."""
    prepared = None if convert else raw_rows(batch, kind)
    with closing(raw_connect(path, None)) as conn, clocked(times):
        raw_write(conn, prepared or raw_rows(batch, kind))


def bench_bulk(template: Path, tmp: Path, source: uuid.UUID, runs: int) -> dict[Kind, float]:
    """Each kind's batch into a fresh copy of the case, ``runs`` times per side."""
    print(f"bulk insert, one transaction, {runs} runs each side; load average {load()} before")
    print(
        f"{'':<16}{'API/s':>9}{'raw/s':>9}{'ratio':>7}{'first':>7}"
        f"{'API CPU':>9}{'raw CPU':>9}{'ratio':>7}{'raw+conv/s':>12}{'ratio':>7}"
        "   (median; first: ratio of the first runs; CPU: ms per 1,000 rows)"
    )
    per_record: dict[Kind, float] = {}
    for kind, batch in make_items(source).items():
        api, raw, conv = Runs(), Runs(), Runs()
        sides: list[Callable[[Path], None]] = [
            partial(api_bulk, batch=batch, times=api),
            partial(raw_bulk, batch=batch, kind=kind, times=raw, convert=False),
            partial(raw_bulk, batch=batch, kind=kind, times=conv, convert=True),
        ]
        for r in range(runs):
            for i in range(len(sides)):
                path = copy_case(template, tmp / f"bulk-{i}.casefile")
                sides[(r + i) % len(sides)](path)
                if (r + i) % len(sides) == 0 and r == 0:  # what the API wrote
                    size, events = audit_bytes(path)
                    per_record[kind] = size / events
                remove(path)
        n = len(batch)
        print(
            f"{f'{n:,} {kind.value}s':<16}{n / api.wall():>9,.0f}{n / raw.wall():>9,.0f}"
            f"{api.wall() / raw.wall():>7.2f}{api.walls[0] / raw.walls[0]:>7.2f}"
            f"{api.cpu() / n * 1e6:>9.1f}{raw.cpu() / n * 1e6:>9.1f}{api.cpu() / raw.cpu():>7.2f}"
            f"{n / conv.wall():>12,.0f}{api.wall() / conv.wall():>7.2f}"
        )
    print(f"load average {load()} after; target: ratio <= 1.5")
    return per_record


def raw_write_in(case: Case, rows: RawRows) -> None:
    """The same rows written raw, but inside Casefile's own write action
    (``Sessions.write``: SQLAlchemy's session, connection and pool, BEGIN IMMEDIATE, the
    search index step, the commit): what an action costs before Casefile checks or
    converts anything."""
    with case.sessions.write() as s:
        conn = s.connection()
        driver.run(conn, RECORD_SQL, rows.records)
        driver.run(conn, kind_sql(rows.kind), rows.kind_rows)
        driver.run(conn, AUDIT_SQL, rows.audit)


def bench_single(template: Path, tmp: Path) -> None:
    """Persons added one action each, in rounds taken in turn (in a rotating order), each
    side on its own copy: the API, the raw baseline, and (for where the difference lies)
    the raw rows in Casefile's own write action."""
    paths = [copy_case(template, tmp / f"single-{i}.casefile") for i in range(3)]
    api, raw, framed = Runs(), Runs(), Runs()
    print(
        f"\nsingle adds, one transaction each, {SINGLE_ROUNDS} rounds of {SINGLE_PER_ROUND} "
        f"each side; load average {load()} before"
    )
    with (
        open_case(paths[0], backups=False) as case,
        closing(raw_connect(paths[1], None)) as conn,
        open_case(paths[2], backups=False) as other,
    ):
        for r in range(SINGLE_ROUNDS):
            people = [PersonFields(name=f"Single {r}.{i}") for i in range(SINGLE_PER_ROUND)]
            actions = [raw_rows([p], Kind.PERSON) for p in people]
            framed_actions = [raw_rows([p], Kind.PERSON) for p in people]
            sides = ["api", "raw", "framed"]
            for side in sides[r % 3 :] + sides[: r % 3]:
                if side == "api":
                    with clocked(api):
                        for p in people:
                            case.records.add(p)
                elif side == "raw":
                    with clocked(raw):
                        for rows in actions:
                            raw_write(conn, rows)
                else:
                    with clocked(framed):
                        for rows in framed_actions:
                            raw_write_in(other, rows)
    n = SINGLE_PER_ROUND
    print(
        f"{'':<16}{'API/s':>9}{'raw/s':>9}{'ratio':>7}{'first':>7}{'API CPU':>9}{'raw CPU':>9}"
        f"{'in action/s':>13}{'ratio':>7}{'CPU':>7}"
    )
    print(
        f"{'persons':<16}{n / api.wall():>9,.0f}{n / raw.wall():>9,.0f}"
        f"{api.wall() / raw.wall():>7.2f}{api.walls[0] / raw.walls[0]:>7.2f}"
        f"{api.cpu() / n * 1e3:>9.3f}{raw.cpu() / n * 1e3:>9.3f}"
        f"{n / framed.wall():>13,.0f}{framed.wall() / raw.wall():>7.2f}"
        f"{framed.cpu() / n * 1e3:>7.3f}"
    )
    print(
        "(median round; CPU: ms per add; in action: the raw rows inside Casefile's own "
        "write action, its ratio to raw)"
    )
    print(f"load average {load()} after; target: ratio <= 1.2")
    for path in paths:
        remove(path)


def bench_open(template: Path, tmp: Path, source: uuid.UUID, runs: int) -> None:
    path = copy_case(template, tmp / "open.casefile")
    with open_case(path, backups=False) as case:
        case.records.add_many(make_items(source)[Kind.QUOTE])
    print(
        f"\nopen + 1st page of {N_QUOTES:,} quotes, {runs} runs each side; "
        f"load average {load()} before"
    )
    print(f"{'':<22}{'API ms':>8}{'first':>8}{'CPU':>6}{'raw ms':>8}{'first':>8}{'CPU':>6}")
    for sort, raw_order in (
        ("said", "WHERE 1 ORDER BY said, quote.id"),
        ("created", "WHERE kind = 'quote' ORDER BY created_at, record.id"),
    ):
        api, raw = Runs(), Runs()
        sql = f"SELECT * FROM quote JOIN record USING (id) {raw_order} LIMIT 50"
        shown = 0
        for r in range(runs):
            for side in ("api", "raw") if r % 2 == 0 else ("raw", "api"):
                if side == "api":
                    with clocked(api), open_case(path, backups=False) as case:
                        query = ListQuery(Kind.QUOTE, sort=sort, limit=50)
                        shown = len(case.listing.page(query).records)
                else:
                    with clocked(raw), closing(raw_connect(path, None)) as conn:
                        conn.execute(sql).fetchall()
        print(
            f"{f'by {sort} ({shown} rows)':<22}{api.wall() * 1e3:>8.1f}{api.walls[0] * 1e3:>8.1f}"
            f"{api.cpu() * 1e3:>6.0f}{raw.wall() * 1e3:>8.1f}{raw.walls[0] * 1e3:>8.1f}"
            f"{raw.cpu() * 1e3:>6.0f}"
        )
    print(f"load average {load()} after; target: API < 200 ms")
    remove(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each bulk step (default 5)")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        template = tmp / "template.casefile"
        with create_case(template) as case:
            source = case.records.add(SourceFields(title="Source")).id
        print(f"on {os.cpu_count()} CPUs\n")
        per_record = bench_bulk(template, tmp, source, runs)
        bench_single(template, tmp)
        bench_open(template, tmp, source, runs)
        print("\naudit trail per created record (its table and indexes, on disk)")
        for kind, size in per_record.items():
            print(f"{kind.value:<16}{size:>9,.0f} bytes")


if __name__ == "__main__":
    main()
