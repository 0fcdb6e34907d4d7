"""Benchmark for search (issues #5 and #19): the search the GUI and CLI run, against raw
FTS5 on the same SQLite.

A case is built once per size and cached in benchmarks/.cache/: by default 100,000
document pages of about 2 KB of text (2,000 documents of 50 pages, about 200 MB), two
quotes per page (200,000), and 2,000 people and groups, made through the core API
(documents attached with their pages, quotes by the bulk path), so the index is built by
the same triggers as in use. A cached case is rebuilt only when what builds it changes:
the generator's code (its compiled code, so not for a comment), its parameters, the
article its words come from, or the schema a new case gets (``cache_key``).

Then a fixed set of 60 queries of six kinds (rare word, common word, phrase, prefix,
filter, misspelt name) runs through ``SearchService.search`` (ranked, snippets, first page
of 50) and, as the baseline, as a raw FTS5 ``MATCH ... ORDER BY bm25 LIMIT 50`` with
``snippet()`` on the same file, through the same library, build and settings as Casefile's
own connections (sqlcipher3's SQLite, opened by ``casefile.db.engine.raw_connect``: same
page cache and pragmas), in the same process. Each query runs three times on each side,
the two sides in turn (which goes first alternates from query to query); printed per kind
and overall: p50 and p95 of the medians, p95 of the first runs, p95 of the CPU time (of
the whole process: a thread ranking beside the search counts), and the ratios; the load
average before and after. Targets (issue #19): every kind's p95 under 100 ms at 100,000
pages and under 150 ms at 200,000, CPU no more than raw's.

``--scale`` prints the curve instead: each kind's p95 and the case's size from 25,000 to
400,000 pages (each size's case is built once, and cached: the largest takes a while).

With ``--repeats``, instead: a search for a word that a page repeats 5,000, 40,000 and
400,000 times, in a case of that page alone (issue #14: FTS5's snippet() grew with the
square of the repeats: 15 s at 40,000). Target: under a second at 400,000.

    .venv/bin/python benchmarks/search.py [--pages N | --scale | --repeats] [--rebuild]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import CodeType, FunctionType

from casefile.db.engine import DriverConnection, raw_connect
from casefile.domain.dates import PartialDate
from casefile.domain.records import AnyFields, GroupFields, PersonFields, QuoteFields, SourceFields
from casefile.services.audit import AuditLog
from casefile.services.case import create_case, open_case
from casefile.services.demo import article_bytes

CACHE = Path(__file__).resolve().parent / ".cache"
PAGES, PAGES_PER_DOCUMENT, QUOTES_PER_PAGE, NAMES = 100_000, 50, 2, 1_000
SCALE = (25_000, 50_000, 100_000, 200_000, 400_000)
RUNS = 3  # of each query on each side
FIRST = ["Khalid", "Rachid", "Abu", "Omar", "Yusuf", "Salah", "Anis", "Mohamed", "Ahmed", "Ali"]
LAST = ["Masood", "Redouane", "Abdeslam", "Amri", "Butt", "Zaghba", "Abedi", "Khan", "Hussain"]
RAW_SQL = (
    "SELECT rowid, snippet(fts_text, -1, '[', ']', '…', 14) FROM fts_text "
    "WHERE fts_text MATCH ? ORDER BY bm25(fts_text, 10.0, 3.0, 1.0) LIMIT 50"
)


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


def case_path(pages: int) -> Path:
    return CACHE / f"search-{pages}-pages.casefile"


def build(pages: int) -> None:
    """The case of ``pages`` pages, written under a temporary name and then renamed, so
    that a build cut short is not taken for a cached case."""
    CACHE.mkdir(exist_ok=True)
    building = case_path(pages).with_suffix(".building")
    building.unlink(missing_ok=True)
    rng = random.Random(2017)
    common, rare = vocabulary()
    documents, quotes = pages // PAGES_PER_DOCUMENT, pages * QUOTES_PER_PAGE
    with create_case(building, title="Search benchmark") as case:
        names: list[AnyFields] = [
            PersonFields(name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}") for i in range(NAMES)
        ]
        names += [GroupFields(name=f"Brigade {rng.choice(LAST)} {i}") for i in range(NAMES)]
        case.records.add_many(names)
        source_ids = case.records.add_many(
            [
                SourceFields(title=f"Report {i}", published=PartialDate(2000 + i % 24))
                for i in range(documents)
            ]
        )
        for batch in range(0, documents, 100):
            with case.sessions.write() as s:
                audit = AuditLog(s)
                for number in range(batch, min(batch + 100, documents)):
                    texts = [page_text(rng, common, rare) for _ in range(PAGES_PER_DOCUMENT)]
                    case.documents.attach_in(
                        s,
                        audit,
                        f"document {number}".encode(),
                        f"report-{number}.pdf",
                        source=source_ids[number],
                        media_type="application/pdf",
                        pages=texts,
                    )
            done = min(batch + 100, documents) * PAGES_PER_DOCUMENT
            print(f"  pages {done:>9,}", flush=True)
        for batch in range(0, quotes, 50_000):
            case.records.add_many(
                [
                    QuoteFields(
                        text=" ".join(rng.choice(common) for _ in range(rng.randint(8, 30))),
                        source=rng.choice(source_ids),
                        said=PartialDate(2000 + rng.randrange(24)),
                    )
                    for _ in range(min(50_000, quotes - batch))
                ]
            )
            print(f"  quotes {min(batch + 50_000, quotes):>8,}", flush=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{building}{suffix}").unlink(missing_ok=True)
    building.rename(case_path(pages))


def _code_key(code: CodeType, docstring: object = None) -> Iterator[bytes]:
    """What a function does, as compiled: its bytecode, names and constants (nested
    functions' too), without its docstring or line numbers, so that neither a comment
    nor a docstring changes it."""
    yield code.co_code
    yield repr((code.co_names, code.co_varnames, code.co_freevars)).encode()
    for const in code.co_consts:
        if isinstance(const, CodeType):
            yield from _code_key(const)
        elif const is not docstring:
            yield repr(const).encode()


def _schema() -> str:
    """The schema a new case gets, as SQLite stores it, each statement's lines in order
    (a table rebuilt by Alembic's batch mode lists its constraints in an order that
    changes from one process to the next)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "empty.casefile"
        create_case(path, title="Schema").close()
        conn = raw_connect(path, None)
        try:
            rows = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name")
            return json.dumps(
                [
                    (kind, name, sorted(line.strip(" \t,") for line in (sql or "").splitlines()))
                    for kind, name, sql in rows
                ]
            )
        finally:
            conn.close()


def cache_key(pages: int) -> str:
    """What the cached case of ``pages`` pages is built from."""
    digest = hashlib.sha256()
    generator: list[Callable[..., object]] = [vocabulary, page_text, build]
    for fn in generator:
        assert isinstance(fn, FunctionType)
        for part in _code_key(fn.__code__, fn.__doc__):
            digest.update(part)
    parameters = (pages, PAGES_PER_DOCUMENT, QUOTES_PER_PAGE, NAMES, FIRST, LAST)
    digest.update(repr(parameters).encode())
    digest.update(article_bytes())
    digest.update(_schema().encode())
    return digest.hexdigest()


def cached_case(pages: int, rebuild: bool) -> Path:
    """The case of ``pages`` pages, built first if it is missing or out of date."""
    meta = case_path(pages).with_suffix(".json")
    key = cache_key(pages)
    kept = json.loads(meta.read_text()) if meta.exists() else {}
    if rebuild or kept.get("key") != key or not case_path(pages).exists():
        print(f"building the search case of {pages:,} pages (once)…", flush=True)
        start = time.perf_counter()
        build(pages)
        kept = {"key": key, "seconds": round(time.perf_counter() - start, 1)}
        meta.write_text(json.dumps(kept))
    return case_path(pages)


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


@dataclass
class Runs:
    """One query's runs on one side: wall and CPU milliseconds, the first run first."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def run(self, fn: Callable[[], object]) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        self.cpu.append((time.process_time() - cpu) * 1000)
        self.wall.append((time.perf_counter() - wall) * 1000)

    def median(self) -> float:
        return statistics.median(self.wall)

    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


def p50(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


@dataclass(frozen=True)
class Figures:
    """Per kind of query, each query's runs on each side."""

    api: dict[str, list[Runs]]
    raw: dict[str, list[Runs]]


def measure(path: Path, kinds: dict[str, list[str]]) -> Figures:
    """Every query of ``kinds`` through the API and raw, in turn (see the module's doc)."""
    api: dict[str, list[Runs]] = {kind: [] for kind in kinds}
    raw: dict[str, list[Runs]] = {kind: [] for kind in kinds}
    with open_case(path, backups=False) as case:
        conn = raw_connect(path, None)  # as Casefile's own connections are made
        try:
            turn = 0
            for kind, typed in kinds.items():
                for text in typed:
                    a, r = Runs(), Runs()
                    search = partial(case.search.search, text, limit=50)
                    plain = partial(_raw_search, conn, raw_fts(text))
                    for _ in range(RUNS):
                        sides: list[tuple[Runs, Callable[[], object]]] = [(a, search), (r, plain)]
                        for runs, fn in sides if turn % 2 == 0 else sides[::-1]:
                            runs.run(fn)
                    turn += 1
                    api[kind].append(a)
                    raw[kind].append(r)
        finally:
            conn.close()
    return Figures(api, raw)


def _raw_search(conn: DriverConnection, match: str) -> object:
    return conn.execute(RAW_SQL, (match,)).fetchall()


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def table(figures: Figures) -> None:
    print(
        f"{'':<14}{'API':>30} |{'raw, same SQLite':>30} |{'API / raw':>15}\n"
        f"{'kind':<14}{'p50':>7}{'p95':>8}{'first':>8}{'cpu':>7} |"
        f"{'p50':>7}{'p95':>8}{'first':>8}{'cpu':>7} |{'p95':>7}{'cpu':>8}"
    )
    rows = [*figures.api, "all"]
    for kind in rows:
        a = [r for k, rs in figures.api.items() if kind in (k, "all") for r in rs]
        b = [r for k, rs in figures.raw.items() if kind in (k, "all") for r in rs]
        cells = []
        for side in (a, b):
            medians = [r.median() for r in side]
            firsts = [r.wall[0] for r in side]
            cpus = [r.cpu_median() for r in side]
            cells.append((p50(medians), p95(medians), p95(firsts), p95(cpus)))
        (a50, a95, af, ac), (b50, b95, bf, bc) = cells
        print(
            f"{kind:<14}{a50:>7.1f}{a95:>8.1f}{af:>8.1f}{ac:>7.1f} |"
            f"{b50:>7.1f}{b95:>8.1f}{bf:>8.1f}{bc:>7.1f} |{a95 / b95:>7.2f}{ac / bc:>8.2f}"
        )
    print(
        "ms: p50, p95 of each query's median of 3 runs; first: p95 of the first runs; cpu: p95"
        " of the\nmedian CPU (whole process). Targets: p95 < 100 ms at 100,000 pages, < 150 ms"
        " at 200,000;\nCPU no more than raw's."
    )


def size_line(path: Path, pages: int) -> str:
    size = path.stat().st_size
    return f"case file {size / 1e9:.2f} GB: {size / 1e9 * 100_000 / pages:.2f} GB per 100,000 pages"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=PAGES, help="the case's size in pages")
    parser.add_argument("--scale", action="store_true", help="the curve from 25k to 400k pages")
    parser.add_argument("--rebuild", action="store_true", help="build the cached case again")
    parser.add_argument("--repeats", action="store_true")
    args = parser.parse_args()
    if args.repeats:
        repeats()
        return
    kinds = queries()
    if args.scale:
        scale(kinds, args.rebuild)
        return
    path = cached_case(args.pages, args.rebuild)
    before = load()
    figures = measure(path, kinds)
    after = load()
    print(
        f"{args.pages:,} pages; load average {before} before, {after} after, {os.cpu_count()} CPUs"
    )
    table(figures)
    print(size_line(path, args.pages))


def scale(kinds: dict[str, list[str]], rebuild: bool) -> None:
    """Each kind's p95 (API, and raw over every kind) per size of case."""
    print(
        f"{'pages':>8}{'load':>6}" + "".join(f"{k[:11]:>12}" for k in kinds) + f"{'raw all':>9}"
        f"{'GB/100k':>9}   (API p95 per kind, ms)"
    )
    for pages in SCALE:
        path = cached_case(pages, rebuild)
        before = os.getloadavg()[0]
        figures = measure(path, kinds)
        cells = "".join(f"{p95([r.median() for r in rs]):>12.1f}" for rs in figures.api.values())
        every_raw = [r.median() for rs in figures.raw.values() for r in rs]
        size = path.stat().st_size / 1e9 * 100_000 / pages
        print(f"{pages:>8,}{before:>6.2f}{cells}{p95(every_raw):>9.1f}{size:>9.2f}", flush=True)


def repeats() -> None:
    """Milliseconds to search a page repeating the word searched for, per repeat count."""
    print(f"{'repeats':>9}{'ms':>9}{'first':>9}")
    for count in (5_000, 40_000, 400_000):
        with tempfile.TemporaryDirectory() as folder:
            with create_case(Path(folder) / "repeats.casefile", title="Repeats") as case:
                source = case.records.add(SourceFields(title="Flood")).id
                page = "start " + "word " * count + "end"
                case.documents.attach(b"flood", "flood.txt", source=source, pages=[page])
                runs = Runs()
                for _ in range(RUNS):
                    runs.run(partial(case.search.search, "word"))
            print(
                f"{count:>9,}{runs.median():>9.1f}{runs.wall[0]:>9.1f}"
                "   (target: < 1,000 at 400,000)",
                flush=True,
            )


if __name__ == "__main__":
    main()
