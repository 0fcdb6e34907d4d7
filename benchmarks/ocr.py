"""OCR benchmark (issue 17): pages a second, CPU and peak memory, beside the engine's own
command line on the same pages.

The pages: the demo article (resources/westminster-2017-article.txt) set in 11-point type
and rasterised at 300 dpi, as a scanner gives a printed page, written as PNG files and as
one image-only PDF (no text layer).

Rows, each a first run and the median of --runs (3), wall and CPU time:
- Casefile importing the scanned PDF (one file: one sandbox worker, one OCR thread), the
  whole import from the command line;
- the engine's own command line on the same pages, one process a page as it is used,
  with the same settings (one thread): ``rapidocr_onnxruntime -img page.png
  --intra_op_num_threads 1 --inter_op_num_threads 1``, and ``tesseract page.png - -l eng``
  (with OMP_THREAD_LIMIT=1) where Tesseract is installed;
- Casefile importing the pages as PNG files (two workers: parallel) beside the command line
  run two pages at a time (parallel where ours is parallel).
Peak memory: the reader's (a process reading the PDF as a worker does) and the command
line's largest process. Word recall: the share of the article's words found in the text.

    .venv/bin/python benchmarks/ocr.py [--runs 3] [--pages 6]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "resources" / "westminster-2017-article.txt"
FONT = ROOT / "resources" / "fonts" / "NotoSerif-Regular.ttf"
DPI = 300
LINES_A_PAGE = 46


def pages(count: int) -> tuple[list[Image.Image], str]:
    """The article set on A4 pages at 300 dpi, 11 points, as many as ``count`` (repeating),
    and the text they show."""
    text = ARTICLE.read_text(encoding="utf-8")
    lines = [line for para in text.split("\n") for line in (textwrap.wrap(para, 88) or [""])]
    face = ImageFont.truetype(str(FONT), round(11 * DPI / 72))
    made, shown = [], []
    for number in range(count):
        picture = Image.new("L", (round(8.27 * DPI), round(11.69 * DPI)), 255)
        draw = ImageDraw.Draw(picture)
        start = (number * LINES_A_PAGE) % max(len(lines) - LINES_A_PAGE, 1)
        for row, line in enumerate(lines[start : start + LINES_A_PAGE]):
            at = (round(0.9 * DPI), round(0.9 * DPI) + row * round(0.2 * DPI))
            draw.text(at, line, font=face, fill=0)
            shown.append(line)
        made.append(picture)
    return made, "\n".join(shown)


def scanned_pdf(pictures: list[Image.Image], path: Path) -> None:
    pdf = canvas.Canvas(str(path), pagesize=(595, 842))
    for picture in pictures:
        pdf.drawImage(ImageReader(picture), 0, 0, width=595, height=842)
        pdf.showPage()
    pdf.save()


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds (this process and its children: the CPU is all in children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}


CASEFILE = str(Path(sys.executable).with_name("casefile"))


def import_into(folder: Path, paths: list[Path], engine: str) -> Callable[[], object]:
    """Casefile's whole import of ``paths`` into a new case, from the command line; with
    Tesseract kept off the PATH for RapidOCR, as on a machine without it."""
    case = folder / "bench.casefile"
    hide = {} if engine == "tess" else {"PATH": str(Path(CASEFILE).parent)}
    env = {**os.environ, "CASEFILE_HOME": str(folder / "home"), **hide}
    command = [CASEFILE, "import", str(case), *map(str, paths), "--timeout", "3600"]

    def run() -> None:
        for stale in folder.glob("bench.casefile*"):
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
        subprocess.run([CASEFILE, "new", str(case)], check=True, capture_output=True)
        subprocess.run(command, check=True, capture_output=True, env=env)

    return run


def each_page(
    command: Callable[[Path], list[str]], paths: list[Path], parallel: int
) -> Callable[[], object]:
    """An engine's command line run once a page, ``parallel`` at a time, on one thread."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(path: Path) -> None:
        subprocess.run(command(path), check=True, capture_output=True, env=env)

    return lambda: list(ThreadPoolExecutor(parallel).map(one, paths))


def rapid_command(path: Path) -> list[str]:
    program = shutil.which("rapidocr_onnxruntime", path=str(Path(sys.executable).parent))
    same = ["--intra_op_num_threads", "1", "--inter_op_num_threads", "1"]
    return [program or "rapidocr_onnxruntime", "-img", str(path), *same]


def tesseract_command(path: Path) -> list[str]:
    return [shutil.which("tesseract") or "tesseract", str(path), "-", "-l", "eng"]


def reader(scan: Path, engine: str) -> Callable[[], object]:
    """Casefile's reader alone on the scan, in a process of its own, as a sandbox worker
    reads it (its CPU is counted: the import's is in its workers, which are not ours)."""
    command = [sys.executable, "-c", READER, str(scan), engine]
    return lambda: subprocess.run(command, check=True, capture_output=True)


def report(name: str, run: Callable[[], object], runs: int, pages: int) -> None:
    results = [timed(run) for _ in range(runs)]
    walls = [wall for wall, _ in results]
    median = statistics.median(walls)
    cpu = statistics.median(c for _, c in results)
    print(f"{name:<50}{walls[0]:>9.1f}{median:>10.1f}{cpu:>8.1f}{pages / median:>9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", type=int, default=6)
    args = parser.parse_args()
    tesseract = shutil.which("tesseract") is not None
    with tempfile.TemporaryDirectory(prefix="casefile-ocr-bench-") as tmp:
        folder = Path(tmp)
        pictures, shown = pages(args.pages)
        (folder / "pages").mkdir()
        pngs = [folder / "pages" / f"page{n}.png" for n in range(1, len(pictures) + 1)]
        for picture, path in zip(pictures, pngs, strict=True):
            picture.save(path)
        scan = folder / "scan.pdf"
        scanned_pdf(pictures, scan)
        rows: list[tuple[str, Callable[[], object]]] = [
            ("Casefile: import the scanned PDF (RapidOCR) ¹", import_into(folder, [scan], "rapid")),
            ("Casefile's reader alone on it (RapidOCR)", reader(scan, "rapid")),
            ("rapidocr_onnxruntime CLI, a page at a time", each_page(rapid_command, pngs, 1)),
            ("Casefile: import the pages as PNGs (RapidOCR) ¹", import_into(folder, pngs, "rapid")),
            ("rapidocr_onnxruntime CLI, two pages at a time", each_page(rapid_command, pngs, 2)),
        ]
        if tesseract:
            rows += [
                (
                    "Casefile: import the scanned PDF (Tesseract) ¹",
                    import_into(folder, [scan], "tess"),
                ),
                ("Casefile's reader alone on it (Tesseract)", reader(scan, "tess")),
                ("tesseract CLI, a page at a time", each_page(tesseract_command, pngs, 1)),
            ]
        load = os.getloadavg()[0]
        print(f"{args.pages} pages at {DPI} dpi; {args.runs} runs each; load {load:.2f}")
        print(f"{'':<50}{'first s':>9}{'median s':>10}{'CPU s':>8}{'pages/s':>9}")
        for name, run in rows:
            report(name, run, args.runs, args.pages)
        print("\npeak memory; word recall (the share of the pages' words of 4+ letters read):")
        for engine in ("rapid", "tess") if tesseract else ("rapid",):
            peak, recall = reader_peak(scan, words(shown), engine)
            print(f"  Casefile's reader ({engine}): peak {peak:,.0f} MB, recall {recall:.1%}")
        largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"  the largest process of the runs above (a CLI's, an import's): {largest:,.0f} MB")
        print(
            "\n¹ the whole import from the command line (a new case, the sandbox, storing); its"
            " CPU is in\n  sandbox workers this process cannot count: see the reader's row."
        )


READER = """
import resource, sys
from pathlib import Path
from casefile.importing.extract import ocr
from casefile.importing.extract.dispatch import extract
if sys.argv[2] != "tess":
    ocr.tesseract_languages = frozenset
found = extract(Path(sys.argv[1]).read_bytes(), "scan.pdf", ocr=("eng",))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print("\\n".join(found.pages))
"""


def reader_peak(scan: Path, expected: set[str], engine: str) -> tuple[float, float]:
    """Peak memory of a process reading the scan as a sandbox worker does, and its recall."""
    command = [sys.executable, "-c", READER, str(scan), engine]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    peak, _, text = done.stdout.partition("\n")
    return float(peak), len(words(text) & expected) / max(len(expected), 1)


if __name__ == "__main__":
    main()
