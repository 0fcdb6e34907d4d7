"""Export a briefing pack: read the case once, set the PDF, and only then put it in place.

The PDF is written beside the destination and renamed over it when complete, so a cancel,
a crash or a full disk never leaves half a pack (or destroys the previous one)."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from casefile.briefing.options import PackOptions
from casefile.db.engine import Sessions
from casefile.errors import CasefileError, InvalidInput


class ExportCancelled(CasefileError):
    pass


@dataclass(frozen=True)
class ExportReport:
    path: Path
    pages: int
    attacks: int
    quotes: int
    sources: int


class BriefingService:
    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    def export(
        self,
        path: Path,
        options: PackOptions,
        progress: Callable[[float], None] = lambda done: None,
        cancelled: Callable[[], bool] = lambda: False,
        now: datetime | None = None,
    ) -> ExportReport:
        """Write the pack to ``path``; ``progress`` hears the fraction done (0 to 1)."""
        path = Path(path)
        if path.is_dir():
            raise InvalidInput(f"{path} is a folder; give the name of the PDF to write")
        if not path.parent.is_dir():
            raise InvalidInput(f"no such folder: {path.parent}")
        # ReportLab and the fonts load only when a pack is made: opening a case stays quick.
        from casefile.briefing import fonts
        from casefile.briefing.content import gather
        from casefile.briefing.pages import PackDocument
        from casefile.briefing.sections import Story

        created = now or datetime.now(UTC).astimezone()
        fonts.register()
        with self.sessions.read() as s:
            content = gather(s, options)
        progress(0.1)

        total = 1

        def on_progress(kind: str, value: int) -> None:
            nonlocal total
            if kind == "SIZE_EST":
                total = max(1, value)
            elif kind == "PROGRESS":
                if cancelled():
                    raise ExportCancelled("export cancelled; nothing was written")
                progress(0.1 + 0.9 * min(1.0, value / total))

        pdf = io.BytesIO()  # ReportLab writes here; the file is only touched once it is whole
        document = PackDocument(
            pdf,
            title=content.title,
            marking=options.marking,
            author=options.author if options.show_author else "",
            subject=f"{options.subtitle} — {options.marking}",
        )
        document.setProgressCallBack(on_progress)
        document.build_pack(Story(content, options, created).flowables())
        _write_whole(path, pdf.getvalue())
        progress(1.0)
        return ExportReport(
            path, document.page, len(content.attacks), len(content.quotes), len(content.sources)
        )


def _write_whole(path: Path, data: bytes) -> None:
    """Write beside ``path``, flush to disk, then rename over it: all or nothing. The file
    gets the usual permissions (the umask's), not a temporary file's owner-only ones."""
    temporary = path.with_name(f".{path.stem}-{uuid4().hex[:12]}.pdf")
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise CasefileError(f"could not write {path}: {exc.strerror or exc}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
