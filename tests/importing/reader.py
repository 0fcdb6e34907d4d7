"""Reading a file on disk as an import's sandbox reader does, for tests of what it reads."""

from __future__ import annotations

import hashlib
from pathlib import Path

from casefile.importing.reading import ReadResult, ReadTask, read_document


def read_file(path: Path) -> ReadResult:
    """``read_document`` on the file at ``path``, with generous limits."""
    data = path.read_bytes()
    task = ReadTask(0, path, hashlib.sha256(data).hexdigest(), len(data), None, 1000, 10**7)
    return read_document(task)
