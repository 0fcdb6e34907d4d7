"""Benchmark for document import (issue #4): `casefile import` against plain extraction.

A corpus is generated once and cached in benchmarks/.cache/import-corpus/ (rebuilt when
missing or when this generator changes): 300 PDFs of 10 pages, 300 saved web articles and
100 Word documents, their text drawn from the demo article. Then, in the same run:

- baseline: the same libraries (casefile.importing.extract: pypdfium2, trafilatura, python-docx)
  reading every file in one plain process, storing nothing;
- Casefile: `casefile import CASE CORPUS` into a new case, as a user runs it: worker
  processes with limits, hashing, duplicate checks, storing originals, text per page and
  the audit trail, one transaction per file.

Printed: documents/s and MB/s of each, the speed-up (target >= 1.3x on 2 cores), and the
peak memory of the import (the command and its workers; target < 1.5 GB). And the cost of
near-duplicate detection (issue 16: at most 10% of the import): the import run with it
and without it (its readers then take no fingerprints), alternated three times, medians;
and its parts, each timed alone in this process on the same texts.

    .venv/bin/python benchmarks/import_docs.py [--rebuild]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from pathlib import Path

from casefile.domain.records import SourceFields
from casefile.importing.extract.dispatch import extract
from casefile.importing.fingerprint import fingerprint
from casefile.services.audit import AuditLog
from casefile.services.case import create_case
from casefile.services.demo import article_bytes
from casefile.services.importer import files_in
from casefile.services.near_duplicates import keep_fingerprint

CACHE = Path(__file__).resolve().parent / ".cache"
KEY = CACHE / "import-corpus.key"
N_PDF, N_HTML, N_DOCX, PDF_PAGES = 300, 300, 100, 10
RUNS = 3  # imports with and without near-duplicate detection, alternated


def paragraphs() -> list[str]:
    """200 paragraphs of 3-7 sentences drawn from the demo article's sentences."""
    text = " ".join(article_bytes().decode().split())
    sentences = [x.strip() for x in re.split(r"(?<=[.!?])\s+", text) if len(x.split()) > 4]
    rng = random.Random(22)
    return [" ".join(rng.sample(sentences, rng.randint(3, 7))) for _ in range(200)]


def corpus_key() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


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


def baseline(files: list[Path]) -> tuple[float, list[list[str]]]:
    """Seconds to extract every file in one process, and each file's pages."""
    start = time.perf_counter()
    texts = [list(extract(path.read_bytes(), path.name).pages) for path in files]
    return time.perf_counter() - start, texts


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


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:  # the process ended while we looked
            continue
        pid = int(status.parent.name)
        parents[pid] = int(fields["PPid"])
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    family = {root}
    grew = True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    return sum(rss.get(pid, 0) for pid in family) / 1024


# Loaded by every Python the import starts (its readers too) when its folder is on
# PYTHONPATH: no fingerprints, so no near-duplicate detection, to measure what it costs.
NO_FINGERPRINTS = """
import casefile.importing.fingerprint as fingerprints
fingerprints.fingerprint = lambda texts: None
"""


def casefile_import(
    folder: Path, indexed: bool = True, fingerprinted: bool = True
) -> tuple[float, float, str]:
    """Seconds, peak MB (the command and its worker processes together), summary line.
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
        start = time.perf_counter()
        process = subprocess.Popen(
            [*cli, "import", str(case), str(folder)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

        def watch() -> None:
            nonlocal peak
            while process.poll() is None:
                peak = max(peak, tree_rss_mb(process.pid))
                time.sleep(0.1)

        watcher = threading.Thread(target=watch)
        watcher.start()
        out, err = process.communicate()
        seconds = time.perf_counter() - start
        watcher.join()
    if process.returncode != 0:
        raise SystemExit(f"import failed:\n{out[-2000:]}\n{err[-2000:]}")
    return seconds, peak, out.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true", help="make the corpus again")
    args = parser.parse_args()
    folder = corpus(args.rebuild)
    files = files_in([folder]).files
    megabytes = sum(p.stat().st_size for p in files) / 1024 / 1024
    base_s, texts = baseline(files)
    runs = [  # alternated, so that a busy moment of the machine falls on both
        (casefile_import(folder), casefile_import(folder, fingerprinted=False)) for _ in range(RUNS)
    ]
    api_s = statistics.median(with_[0] for with_, _ in runs)
    plain_s = statistics.median(without[0] for _, without in runs)
    _, peak_mb, summary = runs[0][0]
    hashed, matched, matches = near_duplicate_cost(texts)
    loading = library_load_s("rensa")
    bare_s, _, _ = casefile_import(folder, indexed=False)
    n = len(files)
    print(f"corpus: {n} files ({N_PDF} PDF x {PDF_PAGES} pages, {N_HTML} HTML, {N_DOCX} DOCX)")
    print(f"        {megabytes:.1f} MB; Casefile says: {summary}")
    print(f"{'':<34}{'docs/s':>10}{'MB/s':>10}{'seconds':>10}")
    for name, seconds in (("baseline: extract, one process", base_s), ("casefile import", api_s)):
        print(f"{name:<34}{n / seconds:>10.1f}{megabytes / seconds:>10.2f}{seconds:>10.1f}")
    print(f"speed-up: {base_s / api_s:.2f}x (target >= 1.3x)")
    print(
        f"search index: the import takes {bare_s:.1f} s without it; indexing adds "
        f"{(api_s / bare_s - 1) * 100:.0f}% (target <= 25%)"
    )
    print(f"peak memory of the import: {peak_mb:,.0f} MB (all its processes; target < 1,500 MB)")
    firsts = f"first runs {runs[0][0][0]:.1f} s and {runs[0][1][0]:.1f} s"
    print(
        f"near-duplicates: the import takes {api_s:.1f} s with them, {plain_s:.1f} s without "
        f"(medians of {RUNS}, alternated; {firsts}): detection adds "
        f"{(api_s / plain_s - 1) * 100:.0f}% (target <= 10%). Its parts, each timed alone: "
        f"fingerprints {hashed:.2f} s CPU (two readers share them), storing and matching "
        f"{matched:.2f} s (the writer), loading rensa {loading:.3f} s; {matches:,} matches"
    )


if __name__ == "__main__":
    main()
