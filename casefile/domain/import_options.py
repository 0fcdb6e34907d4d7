"""What an import may take: the limits per file and for the whole import, and the password
for encrypted PDFs. Apart from the importer, so that the settings and the CLI's options
read the defaults without loading the importer and the database layer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from casefile.domain.errors import InvalidInput

# A language as Tesseract names its models: eng, ara, urd, chi_sim.
_LANGUAGE = re.compile(r"[a-z]{3}(?:_[a-z]+)?")


@dataclass(frozen=True)
class ImportOptions:
    """Limits per file (settings and CLI options), the whole import's time limit, and the
    password for encrypted PDFs."""

    password: str | None = None
    max_mb: float = 200.0
    max_pages: int = 5000
    seconds: float = 120.0
    memory_mb: int = 2048
    # Text read from one file. A document's text is stored, indexed and shown whole, and
    # storing it costs the main process 9 to 12 times its size: a 50 MB text file (some
    # 25,000 pages) took 450 to 590 MB.
    max_text_mb: float = 50.0
    # The whole import; None: see ``batch_limit``.
    batch_seconds: float | None = None
    # The languages scans and pictures are read in by OCR, as Tesseract names them and
    # joins them ("eng+ara"); empty: no OCR (a scan is then tagged as needing it).
    ocr_languages: str = "eng"

    def __post_init__(self) -> None:
        self.ocr  # noqa: B018 (refuses a bad list now, not in a reader)

    @property
    def ocr(self) -> tuple[str, ...]:
        """The OCR languages, each checked: () for no OCR."""
        names = tuple(n.strip().lower() for n in self.ocr_languages.split("+") if n.strip())
        for name in names:
            if not _LANGUAGE.fullmatch(name):
                raise InvalidInput(
                    f"'{name}' is not an OCR language: use Tesseract's names, such as eng, "
                    "ara, urd or fra, joined by + (eng+ara)"
                )
        return names

    def batch_limit(self, files: int) -> float:
        """Seconds an import of ``files`` files may take: as set, or else as long as they
        could take one after another, each to its own limit, and one more (for hashing
        and storing): an import is never cut short while every file keeps its limit."""
        if self.batch_seconds is not None:
            return self.batch_seconds
        return self.seconds * (files + 1)
