"""Import quality on a real-world corpus (issue 17): public test suites' files and files
made with the formats' own libraries, read by the real importer, against the formats'
own readers.

The corpus is ``tests/corpus/`` (PROVENANCE.md names every file's origin, version and
licence): CPython's CJK encodings and e-mail messages, charset_normalizer's samples,
python-docx's, python-pptx's and pypdf's test documents, srt's and webvtt-py's subtitles;
and, made in a temporary folder (``tests.corpus.reference.make_files``): Excel workbooks
(openpyxl), a Word file with every part kind (python-docx), web pages and EPUBs stating a
date to the year, month or day, and the large files (text in windows-1251, a mail with a
100,000-character subject, a PDF titled with control characters). All are imported into a
new case, without OCR; then, per format (the corpus folder a file is in):

- imported / refused (nothing stored, with the reason) / kept unread (stored, its text
  unread, with the reason) / duplicate, as shares of the files;
- recall: the mean share of the words (4+ letters, ``reference.recall``) of the format's
  own reader's text found in the text stored for the file, over the files that reader
  gives words for: the UTF-8 copy or named encoding of a text file, Python's email
  package (``get_body``) for a mail's body, python-docx, python-pptx, openpyxl, poppler's
  pdftotext, srt and webvtt-py, the standard library's HTML parser.

Then the targets: text files that charset_normalizer decodes right and Casefile stores
right; e-mail body recall (mean >= 0.98); Word recall per part kind (>= 0.95 each); titles
with a control character or over 500 characters (none); dates stored more precisely than
the file states them (none). And the load average before and after, as the machine is
shared.

    .venv/bin/python benchmarks/import_corpus.py [--large-mb 4]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

# The corpus and its reference readers live with the tests, which use them too.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from casefile.services.case import create_case
from casefile.services.importer import Status
from tests.corpus import reference as corpus


def mean(values: list[float]) -> str:
    return f"{statistics.mean(values):.3f}" if values else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--large-mb", type=int, default=4, help="MB of the large text file")
    args = parser.parse_args()
    before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="casefile-corpus-") as tmp:
        made = corpus.make_files(Path(tmp) / "made", large_mb=args.large_mb)
        folders = made.and_committed()
        started = time.perf_counter()
        with create_case(Path(tmp) / "corpus.casefile") as case:
            stored = corpus.import_corpus(case, folders)
        took = time.perf_counter() - started
        after = os.getloadavg()
        print(f"{len(stored)} files imported in {took:.1f} s, without OCR")
        print(f"load average before {_load(before)}, after {_load(after)}")
        _table(stored)  # while the made files are there for their readers
        _targets(stored)


def _load(averages: tuple[float, float, float]) -> str:
    return " ".join(f"{a:.2f}" for a in averages)


def _table(stored: dict[Path, corpus.Stored]) -> None:
    by_format: dict[str, list[tuple[Path, corpus.Stored]]] = defaultdict(list)
    for path, found in stored.items():
        by_format[corpus.format_of(path)].append((path, found))
    print(
        f"{'format':<15}{'files':>6}{'imported':>10}{'refused':>9}{'kept unread':>13}"
        f"{'duplicate':>11}{'recall':>8}{'of':>4}"
    )
    for folder, label in corpus.FORMATS.items():
        rows = by_format.get(folder, [])
        if not rows:
            continue
        shares = {s: sum(f.status is s for _, f in rows) / len(rows) for s in Status}
        recalls = [r for path, found in rows if (r := _recall(path, found)) is not None]
        print(
            f"{label:<15}{len(rows):>6}{shares[Status.IMPORTED]:>10.0%}"
            f"{shares[Status.FAILED]:>9.0%}{shares[Status.KEPT]:>13.0%}"
            f"{shares[Status.DUPLICATE]:>11.0%}{mean(recalls):>8}{len(recalls):>4}"
        )
    print("\nrefused and kept unread, with the reason:")
    for path, found in sorted(stored.items()):
        if found.status in (Status.FAILED, Status.KEPT):
            where = f"{corpus.format_of(path)}/{path.name}"
            print(f"  {where}: {found.status.value}: {found.outcome.message}")


def _recall(path: Path, found: corpus.Stored) -> float | None:
    """The file's recall against its format's reader; 0 for a file that reader reads but
    Casefile did not store the text of; None when there is nothing to measure."""
    reference = corpus.reference_text(path)
    if reference is None:
        return None
    measured = corpus.recall(reference, found.text)
    stored = found.status in (Status.IMPORTED, Status.DUPLICATE)
    return None if measured is None else (measured if stored else 0.0)


def _targets(stored: dict[Path, corpus.Stored]) -> None:
    print("\ntargets:")
    texts = [p for p in stored if corpus.format_of(p) == "text"]
    readable = [p for p in texts if corpus.charset_normalizer_text(p) == corpus.expected_text(p)]
    right = [p for p in readable if corpus.decoded_right(stored[p].text, p)]
    wrong = sorted(p.name for p in set(readable) - set(right))
    print(
        f"  text files charset_normalizer decodes right: {len(readable)} of {len(texts)};"
        f" Casefile stores {len(right)} of them right (target: all)"
        + (f"; not: {', '.join(wrong)}" if wrong else "")
    )
    mails = [
        r
        for p, f in stored.items()
        if corpus.format_of(p) == "mail" and (r := _recall(p, f)) is not None
    ]
    print(f"  e-mail body recall: mean {mean(mails)} over {len(mails)} (target >= 0.98)")
    parts: dict[str, list[float]] = defaultdict(list)
    for path, found in stored.items():
        if path.suffix == ".docx":
            for kind, text in corpus.word_parts(path).items():
                if (r := corpus.recall(text, found.text)) is not None:
                    parts[kind].append(r)
    said = ", ".join(f"{kind} {mean(values)} ({len(values)})" for kind, values in parts.items())
    print(f"  Word recall by part kind: {said} (target >= 0.95 each)")
    titles = [p.name for p, f in stored.items() if corpus.CONTROL.search(f.title)]
    titles += [p.name for p, f in stored.items() if len(f.title) > corpus.TITLE_AT_MOST]
    limit = f"{corpus.TITLE_AT_MOST} characters"
    print(f"  titles with a control character or over {limit}: {titles or 'none'}")
    dated = [
        p.name for p, f in stored.items() if corpus.more_precise(f.published, corpus.stated_date(p))
    ]
    print(f"  dates stored more precisely than the file states: {dated or 'none'}")


if __name__ == "__main__":
    main()
