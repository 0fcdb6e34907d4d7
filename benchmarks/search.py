"""Benchmark for search (issue #5): the search the GUI and CLI run, against raw FTS5.

A case is built once and cached in benchmarks/.cache/ (rebuilt when missing or when the
schema or this generator changes): 100,000 document pages of about 2 KB of text (2,000
documents of 50 pages, about 200 MB), 200,000 quotes, and 2,000 people and groups, made
through the core API (documents attached with their pages, quotes by the bulk path), so
the index is built by the same triggers as in use.

Then a fixed set of 60 queries of six kinds (rare word, common word, phrase, prefix,
filter, misspelt name) runs through ``SearchService.search`` (ranked, snippets, first page
of 50) and, as the baseline, as a raw FTS5 ``MATCH ... ORDER BY bm25 LIMIT 50`` with
``snippet()`` through plain ``sqlite3`` on the same file; each query's time is the median
of three runs. Printed: p50 and p95 per kind
and overall, and the ratio. Targets: p95 no slower than raw (ratio <= 1.0) and under
150 ms for every kind.

With ``--repeats``, instead: a search for a word that a page repeats 5,000, 40,000 and
400,000 times, in a case of that page alone (issue #14: FTS5's snippet() grew with the
square of the repeats: 15 s at 40,000). Target: under a second at 400,000.

    .venv/bin/python benchmarks/search.py [--rebuild | --repeats]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from functools import partial
from pathlib import Path

from casefile.db import migrate
from casefile.domain.dates import PartialDate
from casefile.domain.records import AnyFields, GroupFields, PersonFields, QuoteFields, SourceFields
from casefile.services.audit import AuditLog
from casefile.services.case import create_case, open_case
from casefile.services.demo import article_bytes

CACHE = Path(__file__).resolve().parent / ".cache"
CASE = CACHE / "search-100000-pages.casefile"
META = CACHE / "search-100000-pages.json"
DOCUMENTS, PAGES_PER_DOCUMENT, QUOTES, NAMES = 2_000, 50, 200_000, 1_000
FIRST = ["Khalid", "Rachid", "Abu", "Omar", "Yusuf", "Salah", "Anis", "Mohamed", "Ahmed", "Ali"]
LAST = ["Masood", "Redouane", "Abdeslam", "Amri", "Butt", "Zaghba", "Abedi", "Khan", "Hussain"]


def vocabulary() -> tuple[list[str], list[str]]:
    """The article's words (common) and made-up rare words (a few pages each)."""
    common = [w.strip('.,"“”()') for w in article_bytes().decode().split()]
    common = [w for w in common if w.isalpha()]
    rng = random.Random(7)
    letters = "abcdefghiklmnoprstuvyz"
    rare = ["".join(rng.choice(letters) for _ in range(rng.randint(6, 10))) for _ in range(5_000)]
    return common, rare


def page_text(rng: random.Random, common: list[str], rare: list[str]) -> str:
    words = [rng.choice(common) for _ in range(300)]
    for _ in range(3):
        words.insert(rng.randrange(len(words)), rng.choice(rare))
    return " ".join(words)


def key() -> str:
    return hashlib.sha256(Path(__file__).read_bytes() + migrate.HEAD.encode()).hexdigest()


def build() -> None:
    CACHE.mkdir(exist_ok=True)
    CASE.unlink(missing_ok=True)
    rng = random.Random(2017)
    common, rare = vocabulary()
    start = time.perf_counter()
    with create_case(CASE, title="Search benchmark") as case:
        names: list[AnyFields] = [
            PersonFields(name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}") for i in range(NAMES)
        ]
        names += [GroupFields(name=f"Brigade {rng.choice(LAST)} {i}") for i in range(NAMES)]
        case.records.add_many(names)
        source_ids = case.records.add_many(
            [
                SourceFields(title=f"Report {i}", published=PartialDate(2000 + i % 24))
                for i in range(DOCUMENTS)
            ]
        )
        for batch in range(0, DOCUMENTS, 100):
            with case.sessions.write() as s:
                audit = AuditLog(s)
                for number in range(batch, batch + 100):
                    pages = [page_text(rng, common, rare) for _ in range(PAGES_PER_DOCUMENT)]
                    case.documents.attach_in(
                        s,
                        audit,
                        f"document {number}".encode(),
                        f"report-{number}.pdf",
                        source=source_ids[number],
                        media_type="application/pdf",
                        pages=pages,
                    )
            print(f"  pages {(batch + 100) * PAGES_PER_DOCUMENT:>9,}", flush=True)
        for batch in range(0, QUOTES, 50_000):
            case.records.add_many(
                [
                    QuoteFields(
                        text=" ".join(rng.choice(common) for _ in range(rng.randint(8, 30))),
                        source=rng.choice(source_ids),
                        said=PartialDate(2000 + rng.randrange(24)),
                    )
                    for _ in range(50_000)
                ]
            )
            print(f"  quotes {batch + 50_000:>8,}", flush=True)
    META.write_text(json.dumps({"key": key(), "seconds": time.perf_counter() - start}))


def queries() -> dict[str, list[str]]:
    common, rare = vocabulary()
    rng = random.Random(3)
    frequent = sorted(set(common), key=common.count, reverse=True)
    return {
        "rare word": rng.sample(rare, 10),
        "common word": frequent[:10],
        "phrase": [f'"{a} {b}"' for a, b in zip(common[::7], common[1::7], strict=False)][:10],
        "prefix": [w[:3] + "*" for w in rng.sample(frequent[:60], 10)],
        "filter": [f"{w} kind:quote from:2010 to:2015" for w in frequent[10:20]],
        "misspelt name": [
            "Masud",
            "Redwane",
            "Abdesalam",
            "Amry",
            "Zagba",
            "Abedy",
            "Hussein",
            "Rashid",
            "Yousef",
            "Mohammed",
        ],
    }


def raw_fts(text: str) -> str:
    """The same words as a plain FTS5 query (no filters, no near spellings)."""
    words = [w for w in text.split() if ":" not in w]
    return " ".join(words).replace("*", "") + ("*" if text.endswith("*") else "")


def timed(fn: Callable[[], object]) -> float:
    """Milliseconds: the median of three runs, so one stall does not make the figure."""
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeats", action="store_true")
    args = parser.parse_args()
    if args.repeats:
        repeats()
        return
    if args.rebuild or not META.exists() or json.loads(META.read_text())["key"] != key():
        print("building the search case (once)…", flush=True)
        build()
    sql = (
        "SELECT rowid, snippet(fts_text, -1, '[', ']', '…', 14) FROM fts_text "
        "WHERE fts_text MATCH ? ORDER BY bm25(fts_text) LIMIT 50"
    )
    kinds = queries()
    with open_case(CASE, backups=False) as case:
        api = {
            k: [timed(partial(case.search.search, t, limit=50)) for t in ts]
            for k, ts in kinds.items()
        }
    # Plain sqlite3 only once the case is closed: two SQLite libraries with one file open
    # in one process would trample each other's locks.
    with closing(sqlite3.connect(CASE)) as raw:

        def run_raw(typed: str) -> object:
            return raw.execute(sql, (raw_fts(typed),)).fetchall()

        base = {k: [timed(partial(run_raw, t)) for t in ts] for k, ts in kinds.items()}
    print(f"{'kind':<15}{'API p50':>9}{'API p95':>9}{'raw p50':>9}{'raw p95':>9}{'ratio':>7}")
    for kind in kinds:
        a, b = api[kind], base[kind]
        print(
            f"{kind:<15}{statistics.median(a):>9.1f}{p95(a):>9.1f}"
            f"{statistics.median(b):>9.1f}{p95(b):>9.1f}{p95(a) / p95(b):>7.2f}"
        )
    every_api = [t for ts in api.values() for t in ts]
    every_raw = [t for ts in base.values() for t in ts]
    print(
        f"{'all':<15}{statistics.median(every_api):>9.1f}{p95(every_api):>9.1f}"
        f"{statistics.median(every_raw):>9.1f}{p95(every_raw):>9.1f}"
        f"{p95(every_api) / p95(every_raw):>7.2f}   (ms; targets: ratio <= 1.0, p95 < 150)"
    )


def repeats() -> None:
    """Milliseconds to search a page repeating the word searched for, per repeat count."""
    print(f"{'repeats':>9}{'ms':>9}")
    for count in (5_000, 40_000, 400_000):
        with tempfile.TemporaryDirectory() as folder:
            with create_case(Path(folder) / "repeats.casefile", title="Repeats") as case:
                source = case.records.add(SourceFields(title="Flood")).id
                page = "start " + "word " * count + "end"
                case.documents.attach(b"flood", "flood.txt", source=source, pages=[page])
                took = timed(partial(case.search.search, "word"))
            print(f"{count:>9,}{took:>9.1f}   (target: < 1,000 at 400,000)", flush=True)


if __name__ == "__main__":
    main()
