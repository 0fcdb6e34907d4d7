"""Benchmark for reported values (issue 16): 50,000 attacks with three reports of each of
three key facts (killed, wounded, date): 450,000 reported values.

Each figure beside a baseline from the same run, on the same SQLite (sqlcipher3's) with
Casefile's cache size:
- writing the reports: ``add_many`` (checks, an audit entry each, every attack's fields and
  disputes kept in step) against a raw ``executemany`` of the same report rows with their
  audit rows, then one ``UPDATE`` per attack of the values the rule picks — worked out
  before the raw clock starts, which flatters the baseline;
- open + first page of attacks sorted by killed (the assessed value), by date, and within
  one year: on the case with reports, against the same steps on a copy of the case before
  its reports were written (targets: first page < 200 ms; each within 1.5x);
- support, kept as data as reports are written (so the writing figures above include it),
  counted again for the whole case from scratch (``recount_all``: the value that stands,
  the reports that agree with it, their origins and best grade, each attack's least
  supported fact, written back) against raw SQL doing the same in outline: a ``GROUP BY``
  counting distinct publishers per attack, fact and value, the best-supported value per
  fact, the weakest fact per attack, written back in one ``UPDATE``. The raw side picks no
  value by rule and follows no derived-from chain, which flatters it. Wall and CPU time.

First runs are printed beside the median of five.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import sqlcipher3

from casefile.db.engine import CACHE_KB
from casefile.domain.dates import PartialDate
from casefile.domain.facts import Standing, standing
from casefile.domain.figures import Figure
from casefile.domain.records import AttackFields, ReportFields, SourceFields
from casefile.domain.terms import Kind, Reliability
from casefile.services.case import create_case, open_case
from casefile.services.list_query import ListQuery
from casefile.services.support import recount_all

N_ATTACKS = int(os.environ.get("FACTS_ATTACKS", "50000"))
PER_FACT = 3
BATCH = 2_000  # attacks whose reports go in one add_many


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and CPU seconds, and the result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def runs(fn: Callable[[], Any], n: int = 5) -> tuple[float, float]:
    """The first run and the median of ``n``, in milliseconds."""
    times = [timed(fn)[0] * 1000 for _ in range(n)]
    return times[0], statistics.median(times)


def build_attacks(path: Path) -> tuple[list[uuid.UUID], list[tuple[uuid.UUID, Reliability]]]:
    rng = random.Random(16)
    with create_case(path) as case:
        sources = []
        for i in range(24):
            grade = rng.choice(list(Reliability))
            fields = SourceFields(
                title=f"Source {i}", publisher=f"Outlet {i % 9}", reliability=grade
            )
            sources.append((case.records.add(fields).id, grade))
        attacks = case.records.add_many(
            [
                AttackFields(
                    title=f"Attack {i}",
                    date=PartialDate(1970 + i % 54, 1 + i % 12),
                    killed=Figure.exactly(i % 40),
                    wounded=Figure.exactly(i % 90),
                )
                for i in range(N_ATTACKS)
            ]
        )
    return attacks, sources


def make_reports(
    attacks: list[uuid.UUID], sources: list[tuple[uuid.UUID, Reliability]]
) -> list[ReportFields]:
    """Three reports per fact: two agree, one often does not (an early count, a range)."""
    rng = random.Random(17)
    reports = []
    for i, attack in enumerate(attacks):
        values = {
            "killed": (
                str(i % 40),
                str(i % 40),
                f"{i % 40}–{i % 40 + 3}" if i % 3 else str(i % 40 + 5),
            ),
            "wounded": (str(i % 90), "dozens (at least 24)", str(i % 90)),
            "date": ((e := PartialDate(1970 + i % 54, 1 + i % 12).to_edtf()), e, e[:4]),
        }
        for fact, said in values.items():
            for n, value in enumerate(said):
                source, _ = rng.choice(sources)
                reports.append(
                    ReportFields(
                        record=attack,
                        fact=fact,
                        value=value,
                        source=source,
                        reported=PartialDate(2000 + n, 1 + i % 12),
                    )
                )
    return reports


def raw_write(
    path: Path, reports: list[ReportFields], sources: dict[uuid.UUID, Reliability]
) -> float:
    """The same rows straight into the tables, and each attack's picked values."""
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ")
    action = uuid.uuid4().hex
    rows, kinds, audit = [], [], []
    picked: dict[tuple[uuid.UUID, str], list[tuple[Standing, str]]] = {}
    for r in reports:
        rid = uuid.uuid4()
        kinds.append((rid.hex, "report", now, now, "", "[]"))
        rows.append(
            (
                rid.hex,
                r.record.hex,
                r.fact,
                r.value,
                r.source.hex if r.source else None,
                r.reported.to_edtf() if r.reported else None,
                0,
                "",
            )
        )
        audit.append(
            (
                action,
                now,
                "create",
                rid.hex,
                "report",
                "label",
                json.dumps({"value": [None, r.value]}),
            )
        )
        weighed = Standing(
            rid,
            False,
            r.source,
            True,
            sources[r.source] if r.source else None,
            None,
            r.reported,
            datetime.now(UTC),
        )
        picked.setdefault((r.record, r.fact), []).append((weighed, r.value))
    updates: dict[uuid.UUID, dict[str, str]] = {}
    for (record, fact), found in picked.items():
        chosen = standing([w for w, _ in found])
        assert chosen is not None
        value = next(v for w, v in found if w.report == chosen[0])
        updates.setdefault(record, {})[fact] = value
    stored = [
        (_figure(u["killed"]), _figure(u["wounded"]), u["date"], record.hex)
        for record, u in updates.items()
    ]
    conn = sqlcipher3.dbapi2.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA cache_size = -{CACHE_KB}")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    wall = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO record (id, kind, created_at, updated_at, notes, disputed) "
        "VALUES (?,?,?,?,?,?)",
        kinds,
    )
    conn.executemany(
        "INSERT INTO report (id, record_id, fact, value, source_id, reported, assessed, reason) "
        "VALUES (?,?,?,?,?,?,?,?)",
        rows,
    )
    conn.executemany(
        "INSERT INTO audit_event (action_id, at, action, record_id, kind, label, changes) "
        "VALUES (?,?,?,?,?,?,?)",
        audit,
    )
    conn.executemany("UPDATE attack SET killed = ?, wounded = ?, date = ? WHERE id = ?", stored)
    conn.execute("DELETE FROM fts_pending")  # reports have no text to index
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - wall
    conn.close()
    return elapsed


def _figure(text: str) -> str:
    from sqlalchemy.dialects.sqlite import dialect

    from casefile.db.types import FigureType
    from casefile.domain.figures import read_figure

    return str(FigureType().process_bind_param(read_figure(text), dialect()))


RAW_RECOUNT = """
WITH per_value AS (
    SELECT r.record_id, r.fact, r.value,
           count(DISTINCT coalesce(nullif(lower(s.publisher), ''), s.id)) AS n
    FROM report r JOIN source s ON s.id = r.source_id
    GROUP BY r.record_id, r.fact, r.value
), per_fact AS (
    SELECT record_id, fact, max(n) AS n FROM per_value GROUP BY record_id, fact
), weakest AS (
    SELECT record_id, min(n) AS n FROM per_fact GROUP BY record_id
)
UPDATE record SET support_count = weakest.n FROM weakest WHERE weakest.record_id = record.id
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        plain, api, raw = (
            Path(tmp) / "plain.casefile",
            Path(tmp) / "api.casefile",
            Path(tmp) / "raw.casefile",
        )
        attacks, sources = build_attacks(plain)
        shutil.copy(plain, api)
        shutil.copy(plain, raw)
        reports = make_reports(attacks, sources)
        print(f"{N_ATTACKS:,} attacks, {len(reports):,} reported values ({PER_FACT} per fact)")

        with open_case(api, backups=False) as case:
            wall, cpu, _ = timed(
                lambda: [
                    case.records.add_many(reports[i : i + BATCH * 9])
                    for i in range(0, len(reports), BATCH * 9)
                ]
            )
        raw_s = raw_write(raw, reports, dict(sources))
        print(
            f"\nwriting reports      API {len(reports) / wall:>9,.0f}/s "
            f"(CPU {cpu:.1f} s, wall {wall:.1f} s)"
            f"   raw {len(reports) / raw_s:>9,.0f}/s   ratio {wall / raw_s:.2f}"
        )

        print(
            f"\n{'first page (ms)':<28}{'with reports':>14}{'without':>10}{'ratio':>7}"
            "   (first / median of 5; target < 200, <= 1.5x)"
        )
        queries = {
            "sorted by killed": ListQuery(Kind.ATTACK, sort="killed", descending=True),
            "sorted by date": ListQuery(Kind.ATTACK, sort="date"),
            "within 2001": ListQuery(Kind.ATTACK, since=PartialDate(2001), until=PartialDate(2001)),
        }
        for name, query in queries.items():
            figures = []
            for path in (api, plain):
                with open_case(path, backups=False) as case:
                    figures.append(runs(partial(case.listing.page, query)))
            (first, median), (base_first, base_median) = figures
            print(
                f"{name:<28}{first:>6.0f} /{median:>5.0f}{base_first:>5.0f} /{base_median:>4.0f}"
                f"{median / base_median:>7.2f}"
            )

        print(f"\n{'recount all support (s)':<28}{'wall':>8}{'CPU':>8}   (first run, then again)")
        for attempt in ("first", "again"):
            with open_case(api, backups=False) as case, case.sessions.write() as s:
                wall, cpu, counted = timed(lambda: recount_all(s))
            conn = sqlcipher3.dbapi2.connect(str(raw), isolation_level=None)
            conn.execute(f"PRAGMA cache_size = -{CACHE_KB}")
            conn.execute("PRAGMA synchronous = FULL")
            raw_wall, raw_cpu, _ = timed(lambda: conn.executescript(f"BEGIN;{RAW_RECOUNT};COMMIT;"))  # noqa: B023
            conn.close()
            print(
                f"{'Casefile, ' + attempt:<28}{wall:>8.2f}{cpu:>8.2f}   {counted:,} records\n"
                f"{'raw GROUP BY + UPDATE':<28}{raw_wall:>8.2f}{raw_cpu:>8.2f}"
                f"   ratio {wall / raw_wall:.1f}x wall, {cpu / raw_cpu:.1f}x CPU"
            )


if __name__ == "__main__":
    main()
