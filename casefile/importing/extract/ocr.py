"""Reading the words in a picture of a page (OCR): scanned PDFs, and images.

Two engines, both offline, their models on this machine:
- Tesseract, where it is installed (Debian's ``tesseract-ocr`` and its language packs),
  for its hundred and more languages, Arabic and Urdu among them; run as its own program,
  its words and their confidences read from its TSV output.
- RapidOCR (PaddleOCR's models on ONNX Runtime), which ``make`` installs with Casefile, its
  models inside its package: Latin script (and Chinese) with nothing else installed.

Tesseract is used when it has every language asked for; else RapidOCR, and when a
language asked for is one RapidOCR does not read (Arabic, say) the result says so, so
that no page passes as read when its script was not. The text is what the engine saw,
line by line, with its mean confidence: never corrected, never guessed at.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL.Image import Image

# A page is rendered at this resolution for OCR (both engines read 300 dpi best), and no
# larger than this many pixels on its longer side (a poster-sized page would take
# gigabytes).
DPI = 300
LONGEST_SIDE = 5000
# Languages RapidOCR's bundled models read (Tesseract's names for them).
RAPIDOCR_LANGUAGES = frozenset({"eng", "fra", "deu", "spa", "ita", "por", "nld", "chi_sim"})
TESSERACT_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class Recognised:
    """The words an engine read on one page, line by line, and how sure it was (the mean
    of its confidences, 0 to 1; None when it read nothing)."""

    text: str
    confidence: float | None
    engine: str
    # A language asked for that the engine used does not read ("" if none): its script
    # may be missing from ``text``.
    unread: str = ""


def recognise(image: Image, languages: tuple[str, ...]) -> Recognised:
    """The text in ``image``, read for ``languages`` (Tesseract's names: eng, ara, urd)."""
    installed = tesseract_languages()
    if installed and set(languages) <= installed:
        return _tesseract(image, languages)
    missing = sorted(set(languages) - RAPIDOCR_LANGUAGES)
    found = _rapidocr(image)
    if not missing:
        return found
    unread = ", ".join(missing)
    return Recognised(found.text, found.confidence, found.engine, unread)


@functools.cache
def tesseract_languages() -> frozenset[str]:
    """The languages the installed Tesseract reads (none if it is not installed)."""
    program = shutil.which("tesseract")
    if program is None:
        return frozenset()
    try:
        done = subprocess.run(
            [program, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    lines = done.stdout.splitlines()[1:]  # after "List of available languages in …"
    return frozenset(line.strip() for line in lines if line.strip() and line.strip() != "osd")


def fitted(image: Image) -> Image:
    """``image`` in grey, no larger than ``LONGEST_SIDE`` pixels on its longer side."""
    grey = image.convert("L")
    scale = LONGEST_SIDE / max(grey.size)
    if scale < 1:
        grey = grey.resize((round(grey.width * scale), round(grey.height * scale)))
    return grey


def _tesseract(image: Image, languages: tuple[str, ...]) -> Recognised:
    png = io.BytesIO()
    fitted(image).save(png, format="PNG")
    program = shutil.which("tesseract") or "tesseract"
    # One thread: the importer already reads two files at once, one per core.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    done = subprocess.run(
        [program, "stdin", "stdout", "-l", "+".join(languages), "--psm", "3", "tsv"],
        input=png.getvalue(),
        capture_output=True,
        timeout=TESSERACT_TIMEOUT_S,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"Tesseract failed: {reason[-1] if reason else done.returncode}")
    return _from_tsv(done.stdout.decode("utf-8", "replace"))


def _from_tsv(tsv: str) -> Recognised:
    """Tesseract's TSV: a row per word with its block, paragraph and line, and confidence."""
    lines: dict[tuple[str, str, str], list[str]] = {}
    confidences: list[float] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        word = (row.get("text") or "").strip()
        if row.get("level") != "5" or not word:
            continue
        lines.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append(word)
        confidence = float(row.get("conf") or -1)
        if confidence >= 0:
            confidences.append(confidence / 100)
    said: list[str] = []
    paragraph = None
    for (block, par, _line), line_words in lines.items():
        if paragraph is not None and paragraph != (block, par):
            said.append("")  # a paragraph's end, as on the page
        paragraph = (block, par)
        said.append(" ".join(line_words))
    text = "\n".join(said)
    mean = sum(confidences) / len(confidences) if confidences else None
    return Recognised(text, mean, "Tesseract")


_stop_at: float | None = None  # time.monotonic() past which no page is begun


def stop_at(deadline: float | None) -> None:
    """Begin no page after ``deadline`` (the reader's time limit nears); None: no limit."""
    global _stop_at  # noqa: PLW0603 (one reader process reads one file at a time)
    _stop_at = deadline


def _unheard(_page: int, _pages: int) -> None:
    pass


_on_page: Callable[[int, int], None] = _unheard


def tell_pages(hear: Callable[[int, int], None]) -> None:
    """Call ``hear(k, n)`` as OCR begins the k-th of a file's n pictures: a scan of a
    hundred pages takes minutes, and the user sees them go by."""
    global _on_page  # noqa: PLW0603 (one reader process reads one file at a time)
    _on_page = hear


class OcrUnavailable(Exception):
    """No engine can run here (RapidOCR's libraries failed to load, and no Tesseract)."""


@functools.cache
def _rapid_engine() -> Any:
    """Loaded once per worker process (a third of a second), on one thread: the importer
    already reads two files at once, one per core. OpenCV, which it needs, loads system
    libraries (libGL) a minimal server may lack: said, not taken for a damaged file."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except (ImportError, OSError) as exc:
        raise OcrUnavailable(f"RapidOCR did not load: {exc}") from None
    # It shrinks a page to 2,000 pixels, as by default: at 2,500 or more it reads more
    # words but needs more than the 2 GB a worker has by default.
    return RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)


def _rapidocr(image: Image) -> Recognised:
    import numpy

    try:
        result, _elapsed = _rapid_engine()(numpy.asarray(fitted(image).convert("RGB")))
    except Exception as exc:  # ONNX Runtime's own error for what Python calls MemoryError
        if "bad_alloc" in str(exc):
            raise MemoryError from None  # the worker says which limit it met
        raise
    lines = [(str(text), float(score)) for _box, text, score in result or ()]
    text = "\n".join(t for t, _ in lines if t.strip())
    mean = sum(s for _, s in lines) / len(lines) if lines else None
    return Recognised(text, mean, "RapidOCR")


def ocr_pages(
    pictures: Iterable[tuple[int, Image]], count: int, languages: tuple[str, ...], unit: str
) -> tuple[dict[int, str], dict[str, str], tuple[str, ...]]:
    """Each of the ``count`` numbered pictures' text by OCR (taken one at a time: a scan's
    pages are rendered as they are read, not all held at once), with the notes that say
    so (the engine; each one's confidence) and the warnings (a script not read, a low
    confidence). ``unit``: what a picture is called ("page", "frame"; "" for one alone)."""
    read: dict[int, Recognised] = {}
    stopped = ""
    try:
        for begun, (number, picture) in enumerate(pictures, start=1):
            if _stop_at is not None and time.monotonic() > _stop_at:
                stopped = f"OCR stopped at {unit or 'picture'} {number}, within the time limit"
                break
            _on_page(begun, count)
            read[number] = recognise(picture, languages)
    except OcrUnavailable as exc:  # what was read stays; the rest is said to need OCR
        return {n: r.text for n, r in read.items()}, {}, (f"OCR could not run ({exc})",)
    more = "raise the time per file and import it again for the rest"
    if not read:
        return {}, {}, (f"{stopped}: {more}",) if stopped else ()
    engines = ", ".join(sorted({r.engine for r in read.values()}))
    sure = {n: r.confidence for n, r in read.items() if r.confidence is not None}

    def where(number: int) -> str:
        return f"{unit} {number} " if unit else ""

    each = ", ".join(f"{where(n)}{c:.0%}" for n, c in sure.items())
    notes = {
        "Text read by OCR": f"{engines}; confidence {each}" if sure else f"{engines}; no text found"
    }
    warnings: list[str] = []
    unread = sorted({r.unread for r in read.values() if r.unread})
    if unread:
        warnings.append(
            f"OCR could not read {', '.join(unread)} ({engines} reads Latin script): install "
            "Tesseract and its language packs, then import the file again"
        )
    low = [f"{where(n)}{c:.0%}" for n, c in sure.items() if c < LOW_CONFIDENCE]
    if low:
        warnings.append(f"OCR was unsure ({', '.join(low)}): check the text against the picture")
    if stopped:
        warnings.append(f"{stopped}: {more}")
    return {n: r.text for n, r in read.items()}, notes, tuple(warnings)


# Below this mean confidence, a page's OCR text is said to need checking.
LOW_CONFIDENCE = 0.6
