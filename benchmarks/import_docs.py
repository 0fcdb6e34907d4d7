"""Benchmark for document import (issue #4): `casefile import` against plain extraction.

A corpus is generated once and cached in benchmarks/.cache/import-corpus/ (rebuilt when
missing or when this generator changes): 300 PDFs of 10 pages, 300 saved web articles and
100 Word documents, their text drawn from the demo article. Then, in the same run:

- baselines: the same libraries (casefile.importing.extract: pypdfium2, trafilatura,
  python-docx) reading every file and storing nothing, in one plain process, and in a
  plain pool of as many processes as Casefile's import has readers (parallel where ours is
  parallel: issue 19);
- Casefile: `casefile import CASE CORPUS` into a new case, as a user runs it: worker
  processes with limits, hashing, duplicate checks, storing originals, text per page and
  the audit trail, one transaction per file.

Each is run --runs times (3) in turn; printed: the first run and the median, documents/s,
MB/s and CPU seconds (of every process), the load average before and after; the import's
speed beside one process (target >= 1.3x on 2 cores) and beside the pool (target >= 0.9x),
and the peak memory of the import (the command and its workers; target < 1.5 GB). With
--busy N, N processes spin on the CPU all along, as another program would: the import
must then not be slower than one process (issue 19). And the cost of
near-duplicate detection (issue 16: at most 10% of the import): the import run with it
and without it (its readers then take no fingerprints), alternated three times, medians;
and its parts, each timed alone in this process on the same texts.

    .venv/bin/python benchmarks/import_docs.py [--rebuild]
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import multiprocessing
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from casefile.domain.records import SourceFields
from casefile.importing.extract.dispatch import extract
from casefile.importing.fingerprint import fingerprint
from casefile.importing.sandbox import readers
from casefile.services.audit import AuditLog
from casefile.services.case import create_case
from casefile.services.demo import article_bytes
from casefile.services.importer import files_in
from casefile.services.near_duplicates import keep_fingerprint

CACHE = Path(__file__).resolve().parent / ".cache"
KEY = CACHE / "import-corpus.key"
N_PDF, N_HTML, N_DOCX, PDF_PAGES = 300, 300, 100, 10
RUNS = 3  # of each row, in turn (imports with and without near-duplicate detection too)


def paragraphs() -> list[str]:
    """200 paragraphs of 3-7 sentences drawn from the demo article's sentences."""
    text = " ".join(article_bytes().decode().split())
    sentences = [x.strip() for x in re.split(r"(?<=[.!?])\s+", text) if len(x.split()) > 4]
    rng = random.Random(22)
    return [" ".join(rng.sample(sentences, rng.randint(3, 7))) for _ in range(200)]


def corpus_key() -> str:
    """What builds the corpus, not this file's bytes: an edited comment or report keeps it."""
    parts: list[Callable[..., object]] = [paragraphs, make_pdf, make_html, make_docx, build_corpus]
    made = repr((N_PDF, N_HTML, N_DOCX, PDF_PAGES, [inspect.getsource(f) for f in parts]))
    return hashlib.sha256(made.encode()).hexdigest()[:12]


def make_pdf(path: Path, rng: random.Random, paras: list[str]) -> None:
    """Ten full pages of running text with headings, as a think-tank report has."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    story: list[object] = []
    for section in range(PDF_PAGES):  # about a page each
        story.append(Paragraph(f"Section {section + 1}", styles["Heading2"]))
        story.extend(Paragraph(p, styles["BodyText"]) for p in rng.sample(paras, 7))
    SimpleDocTemplate(str(path), title=f"Assessment {path.stem}", author="Analyst").build(story)


def make_html(path: Path, rng: random.Random, paras: list[str]) -> None:
    """A news page as a browser saves it: the article inside menus, a sidebar, comments,
    scripts, styles and tracking, 100-200 KB in all."""
    words = " ".join(paras).split()

    def phrase(n: int) -> str:
        start = rng.randrange(len(words) - n)
        return " ".join(words[start : start + n])

    menu = "".join(f'<li><a href="/section/{i}">{phrase(2)}</a></li>' for i in range(150))
    sidebar = "".join(f'<li><a href="/story/{i}">{phrase(9)}</a></li>' for i in range(25))
    comments = "".join(
        f'<div class="comment"><b>user{rng.randrange(9999)}</b><p>{phrase(30)}</p></div>'
        for _ in range(40)
    )
    body = "\n".join(f"<p>{p}</p>" for p in rng.sample(paras, 14))
    blob = "".join(f'"k{i}":"{phrase(6)}",' for i in range(300))
    path.write_text(
        f"""<!doctype html><html lang="en"><head><title>Article {path.stem} | The Paper</title>
<meta name="author" content="Reporter {rng.randrange(50)}">
<meta property="og:site_name" content="The Paper">
<meta property="article:published_time" content="2017-03-{rng.randrange(1, 28):02d}">
<link rel="canonical" href="https://paper.example/{path.stem}">
<script src="https://ads.example/tag.js"></script>
<script>window.__STATE__ = {{{blob}"end":1}};</script>
<style>{"".join(f".c{i} {{ margin: {i}px; color: #{i:06x} }}" for i in range(400))}</style>
</head><body><header><nav><ul>{menu}</ul></nav></header>
<main><article><h1>Article {path.stem}</h1><p class="byline">By Reporter</p>{body}</article>
<aside><h2>Most read</h2><ol>{sidebar}</ol></aside>
<section class="comments"><h2>Comments</h2>{comments}</section></main>
<footer>{phrase(60)} <img src="https://tracker.example/p.gif"></footer></body></html>
"""
    )


def make_docx(path: Path, rng: random.Random, paras: list[str]) -> None:
    """A memo of a few pages with a table in the middle."""
    import docx

    document = docx.Document()
    document.core_properties.title = f"Memo {path.stem}"
    document.core_properties.author = "Desk officer"
    for p in rng.sample(paras, 12):
        document.add_paragraph(p)
    table = document.add_table(rows=8, cols=4)
    for row in table.rows:
        for cell in row.cells:
            cell.text = rng.choice(paras)[:60]
    for p in rng.sample(paras, 12):
        document.add_paragraph(p)
    document.save(str(path))


def build_corpus(folder: Path) -> None:
    rng = random.Random(2017)
    paras = paragraphs()
    shutil.rmtree(folder, ignore_errors=True)
    for sub, count, make, ext in (
        ("pdf", N_PDF, make_pdf, "pdf"),
        ("html", N_HTML, make_html, "html"),
        ("docx", N_DOCX, make_docx, "docx"),
    ):
        (folder / sub).mkdir(parents=True)
        for i in range(count):
            make(folder / sub / f"{sub}-{i:04d}.{ext}", rng, paras)
    KEY.write_text(corpus_key())


def corpus(rebuild: bool) -> Path:
    folder = CACHE / "import-corpus"
    if rebuild or not KEY.exists() or KEY.read_text() != corpus_key():
        print("building the corpus (once)…", flush=True)
        build_corpus(folder)
    return folder


def pages_of(path: Path) -> list[str]:
    return list(extract(path.read_bytes(), path.name).pages)


def baseline(files: list[Path], processes: int) -> tuple[Timed, list[list[str]]]:
    """Every file extracted, storing nothing: in this process (``processes`` 1), or in a
    plain pool of that many (started within the time, as the import starts its readers)."""
    before = _children_cpu()
    start, cpu = time.perf_counter(), time.process_time()
    if processes == 1:
        texts = [pages_of(path) for path in files]
    else:
        # Forked from this process, its libraries loaded: the pool starts at once, and its
        # workers' CPU is counted when they are reaped.
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            texts = pool.map(pages_of, files, chunksize=4)
    wall = time.perf_counter() - start
    return Timed(wall, time.process_time() - cpu + _children_cpu() - before), texts


@dataclass(frozen=True)
class Timed:
    wall: float
    cpu: float  # of every process of the run


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def busy(count: int) -> list[subprocess.Popen[bytes]]:
    """``count`` processes spinning on the CPU: the cores taken by another program."""
    spin = "while True: pass"
    return [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(count)]


def library_load_s(module: str) -> float:
    """Seconds a new Python takes to import ``module`` (and what it brings)."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(done.stdout)


def near_duplicate_cost(texts: list[list[str]]) -> tuple[float, float, int]:
    """CPU seconds of near-duplicate detection's two parts for the corpus, measured alone
    in this process: the fingerprints (in the import, the readers take them, in parallel)
    and storing and matching each in a case (the import's writer does this, in the
    transaction that stores the file; the commit is not counted). And the matches found."""
    start = time.process_time()
    signatures = [fingerprint(pages) for pages in texts]
    hashed = time.process_time() - start
    with tempfile.TemporaryDirectory() as tmp, create_case(Path(tmp) / "nd.casefile") as case:
        ids = case.records.add_many([SourceFields(title=f"s{i}") for i in range(len(texts))])
        found, matched = 0, 0.0
        with case.sessions.write() as s:  # the import commits files in groups, not each
            for source_id, signature in zip(ids, signatures, strict=True):
                if signature is not None:
                    start = time.process_time()
                    found += len(keep_fingerprint(s, AuditLog(s), source_id, signature))
                    matched += time.process_time() - start
    return hashed, matched, found


def tree(root: int) -> dict[int, tuple[float, float]]:
    """A process and all its descendants, from /proc: each one's resident MB and CPU
    seconds so far (user + system)."""
    parents: dict[int, int] = {}
    found: dict[int, tuple[float, float]] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for folder in Path("/proc").glob("[0-9]*"):
        try:
            stat = (folder / "stat").read_text().rsplit(")", 1)[1].split()
            rss_pages = int((folder / "statm").read_text().split()[1])
        except (OSError, IndexError):  # the process ended while we looked
            continue
        pid = int(folder.name)
        parents[pid] = int(stat[1])  # after the name: state, ppid, …, utime, stime
        cpu = (int(stat[11]) + int(stat[12])) / tick
        found[pid] = (rss_pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024, cpu)
    family = {root}
    grew = True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    return {pid: found[pid] for pid in family if pid in found}


# Loaded by every Python the import starts (its readers too) when its folder is on
# PYTHONPATH: no fingerprints, so no near-duplicate detection, to measure what it costs.
NO_FINGERPRINTS = """
import casefile.importing.fingerprint as fingerprints
fingerprints.fingerprint = lambda texts: None
"""


def casefile_import(
    folder: Path, indexed: bool = True, fingerprinted: bool = True
) -> tuple[Timed, float, str]:
    """Seconds (wall, CPU), peak MB (the command and its worker processes together),
    summary line.
    Not ``indexed``: the case's search-index triggers are dropped first, to measure what
    indexing costs (issue #5: at most 25% of the import). Not ``fingerprinted``: the
    readers take no fingerprints (issue 16: detection adds at most 10%)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        if not fingerprinted:
            (Path(tmp) / "sitecustomize.py").write_text(NO_FINGERPRINTS)
            env["PYTHONPATH"] = os.pathsep.join(p for p in (tmp, env.get("PYTHONPATH")) if p)
        case = Path(tmp) / "bench.casefile"
        cli = [str(Path(sys.executable).with_name("casefile"))]
        subprocess.run([*cli, "new", str(case)], check=True, capture_output=True)
        if not indexed:
            with closing(sqlite3.connect(case)) as conn:
                names = "SELECT name FROM sqlite_master WHERE name GLOB 'fts_*_insert'"
                for (name,) in conn.execute(names).fetchall():
                    conn.execute(f"DROP TRIGGER {name}")
                conn.commit()
        peak = 0.0
        cpu = _children_cpu()
        start = time.perf_counter()
        process = subprocess.Popen(
            [*cli, "import", str(case), str(folder)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

        used: dict[int, float] = {}  # CPU seconds of each process of the import, last seen

        def watch() -> None:
            # Its readers are the children of a fork server that outlives no one's wait:
            # their CPU is read from /proc as they run, not from this process's children.
            nonlocal peak
            while process.poll() is None:
                seen = tree(process.pid)
                peak = max(peak, sum(rss for rss, _ in seen.values()))
                used.update((pid, cpu) for pid, (_, cpu) in seen.items())
                time.sleep(0.1)

        watcher = threading.Thread(target=watch)
        watcher.start()
        out, err = process.communicate()
        seconds = time.perf_counter() - start
        watcher.join()
    if process.returncode != 0:
        raise SystemExit(f"import failed:\n{out[-2000:]}\n{err[-2000:]}")
    cpu = max(_children_cpu() - cpu, sum(used.values()))  # (the command's own, if all ran)
    return Timed(seconds, cpu), peak, out.strip().splitlines()[-1]


@dataclass
class Measured:
    rows: dict[str, list[Timed]]
    fingerprinted: list[Timed]
    unfingerprinted: list[Timed]
    bare: Timed | None  # the import without its search index (on a quiet machine)
    texts: list[list[str]]
    peak_mb: float
    summary: str


def measure(folder: Path, files: list[Path], runs: int, spinning: int) -> Measured:
    """Every row ``runs`` times in turn, so that a busy moment falls on each."""
    pool = readers()  # as many as the import starts
    found = Measured({}, [], [], None, [], 0.0, "")
    for _ in range(runs):
        one, found.texts = baseline(files, 1)
        found.rows.setdefault("baseline: extract, one process", []).append(one)
        found.rows.setdefault(f"baseline: extract, pool of {pool}", []).append(
            baseline(files, pool)[0]
        )
        imported, peak_mb, summary = casefile_import(folder)
        found.fingerprinted.append(imported)
        if not found.summary:
            found.peak_mb, found.summary = peak_mb, summary
        if not spinning:  # what detection costs is measured on a quiet machine
            found.unfingerprinted.append(casefile_import(folder, fingerprinted=False)[0])
    found.rows["casefile import"] = found.fingerprinted
    if not spinning:
        found.bare = casefile_import(folder, indexed=False)[0]
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true", help="make the corpus again")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"runs of each (default {RUNS})")
    parser.add_argument("--busy", type=int, default=0, help="processes spinning meanwhile")
    args = parser.parse_args()
    folder = corpus(args.rebuild)
    files = files_in([folder]).files
    megabytes = sum(p.stat().st_size for p in files) / 1024 / 1024
    spinning = busy(args.busy)
    load = os.getloadavg()[0]
    try:
        found = measure(folder, files, args.runs, args.busy)
    finally:
        for process in spinning:
            process.kill()
    n = len(files)
    print(f"corpus: {n} files ({N_PDF} PDF x {PDF_PAGES} pages, {N_HTML} HTML, {N_DOCX} DOCX)")
    print(f"        {megabytes:.1f} MB; Casefile says: {found.summary}")
    print(
        f"{args.runs} runs each, in turn; {args.busy} processes spinning; load average "
        f"{load:.2f} before, {os.getloadavg()[0]:.2f} after, on {os.cpu_count()} CPUs"
    )
    print(f"{'':<34}{'first s':>9}{'median s':>10}{'CPU s':>8}{'docs/s':>9}{'MB/s':>8}")
    median = {name: statistics.median(t.wall for t in row) for name, row in found.rows.items()}
    for name, row in found.rows.items():
        cpu = statistics.median(t.cpu for t in row)
        print(
            f"{name:<34}{row[0].wall:>9.1f}{median[name]:>10.1f}{cpu:>8.1f}"
            f"{n / median[name]:>9.1f}{megabytes / median[name]:>8.2f}"
        )
    one_s, pool_s, api_s = median.values()
    target = "target >= 1.0x with the cores busy" if args.busy else "target >= 1.3x"
    print(f"speed-up over one process: {one_s / api_s:.2f}x ({target})")
    print(f"speed beside the plain pool: {pool_s / api_s:.2f}x (target >= 0.9x)")
    print(f"peak memory of the import: {found.peak_mb:,.0f} MB (all its processes; < 1,500 MB)")
    if found.bare is not None:
        report_parts(found, api_s, args.runs)


def report_parts(found: Measured, api_s: float, runs: int) -> None:
    """What the search index and near-duplicate detection add to the import."""
    plain_s = statistics.median(t.wall for t in found.unfingerprinted)
    hashed, matched, matches = near_duplicate_cost(found.texts)
    loading = library_load_s("rensa")
    assert found.bare is not None
    print(
        f"search index: the import takes {found.bare.wall:.1f} s without it; indexing adds "
        f"{(api_s / found.bare.wall - 1) * 100:.0f}% (target <= 25%)"
    )
    firsts = (
        f"first runs {found.fingerprinted[0].wall:.1f} s, {found.unfingerprinted[0].wall:.1f} s"
    )
    print(
        f"near-duplicates: the import takes {api_s:.1f} s with them, {plain_s:.1f} s without "
        f"(medians of {runs}, alternated; {firsts}): detection adds "
        f"{(api_s / plain_s - 1) * 100:.0f}% (target <= 10%). Its parts, each timed alone: "
        f"fingerprints {hashed:.2f} s CPU (two readers share them), storing and matching "
        f"{matched:.2f} s (the writer), loading rensa {loading:.3f} s; {matches:,} matches"
    )


if __name__ == "__main__":
    main()
