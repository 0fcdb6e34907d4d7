"""Export a briefing pack: read the case once, set the PDF, and only then put it in place.

The PDF is written beside the destination and moved into place when complete, so a cancel,
a crash or a full disk never leaves half a pack (or destroys the previous one). An
existing file is replaced only when the caller says the user asked for it, and a case
file never is: ``export pdf my.casefile my.casefile`` must not destroy the case. The case
records each pack written, with its version (``versions``), in the action that puts the
file in place (``BriefingService._record`` says in what order, and why)."""

from __future__ import annotations

import dataclasses
import errno
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from sqlalchemy.orm import Session

from casefile.briefing import metadata
from casefile.briefing.options import PackOptions
from casefile.briefing.versions import PackVersion, state_sha256
from casefile.db import packs
from casefile.db.engine import Sessions, is_case_file
from casefile.domain.errors import AlreadyExists, InvalidInput, KnownError
from casefile.domain.handling import LABELS, Handling
from casefile.domain.input_text import clean_text
from casefile.services.audit import AuditLog, created, diff
from casefile.services.failures import known_failure

if TYPE_CHECKING:
    from casefile.briefing.content import PackContent


class ExportCancelled(KnownError):
    pass


@dataclass(frozen=True)
class ExportReport:
    path: Path
    pages: int
    attacks: int
    quotes: int
    sources: int
    version: PackVersion


@dataclass(frozen=True)
class _Basis:
    """What the case says about its next pack, read with the pack's content: the state
    it is built from, the number it takes and the handling block it offers."""

    case_id: UUID
    change: packs.Change | None
    number: int
    handling: Handling

    @classmethod
    def read(cls, s: Session) -> _Basis:
        case_id = packs.case_row(s).id
        return cls(case_id, packs.last_change(s), packs.next_number(s), packs.handling(s))


class BriefingService:
    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    def handling(self) -> Handling:
        """The handling block the case keeps: its last pack's, which the next one offers."""
        with self.sessions.read() as s:
            return packs.handling(s)

    def export(
        self,
        path: Path,
        options: PackOptions,
        progress: Callable[[float], None] = lambda done: None,
        cancelled: Callable[[], bool] = lambda: False,
        now: datetime | None = None,
        *,
        replace: bool = False,
    ) -> ExportReport:
        """Write the pack to ``path``; ``progress`` hears the fraction done (0 to 1). An
        existing file at ``path`` is an ``AlreadyExists`` unless ``replace``. The pack
        prints the next number of the case's sequence as its version unless ``options``
        give one, carries the case's handling block unless they give one, and is
        recorded with both once it is written."""
        path = Path(path)
        if path.is_dir():
            raise InvalidInput(f"{path} is a folder; give the name of the PDF to write")
        if not path.parent.is_dir():
            raise InvalidInput(f"no such folder: {path.parent}")
        _refuse_to_replace(path, replace)
        # ReportLab and the fonts load only when a pack is made: opening a case stays quick.
        from casefile.briefing import fonts
        from casefile.briefing.content import gather

        built = now or datetime.now(UTC).astimezone()
        fonts.register()
        with self.sessions.read() as s:
            content = gather(s, options)
            basis = _Basis.read(s)
        handling = options.handling or basis.handling
        version_said = options.version or str(basis.number)
        options = dataclasses.replace(options, version=version_said, handling=handling)
        as_of = basis.change.at if basis.change else None
        progress(0.1)
        pdf, pages = _set(content, options, built, as_of, progress=progress, cancelled=cancelled)
        version = PackVersion(
            basis.number,
            version_said,
            built,
            as_of,
            state_sha256(basis.case_id, basis.change, options),
            clean_text(path.name),  # a name in a foreign encoding is still stored
        )
        self._record(path, pdf, version, handling, replace=replace)
        progress(1.0)
        return ExportReport(
            path, pages, len(content.attacks), len(content.quotes), len(content.sources), version
        )

    def next_version(self) -> str:
        """The version the next pack prints unless the user types another: "1", "2"…"""
        with self.sessions.read() as s:
            return str(packs.next_number(s))

    def _record(
        self, path: Path, pdf: bytes, version: PackVersion, handling: Handling, *, replace: bool
    ) -> None:
        """Put the pack at ``path`` and record it, in one action: the version and the
        handling block, audited, then the file, then the commit.

        Nothing is lost means three things here. The file that was at ``path`` stays
        until the new pack is whole (``_write_whole``). What the case says it gave out,
        it gave out: a version is recorded only in the transaction that puts its file in
        place, after it is there, so a pack that was cancelled, refused or not written
        (a full disk) records nothing and keeps no change of the handling block. And no
        number is printed on two packs: one that another export recorded while this
        pack was set stops it before its file is placed. Should the commit itself fail
        once the file is in place, the pack stays, whole: it is the user's work, and the
        error says that it was not recorded (the next pack takes its number again)."""
        placed = False
        try:
            with self.sessions.write() as s:
                _check_number(s, version.number)
                audit = AuditLog(s)
                _remember(s, handling, audit)
                packs.add_version(s, **dataclasses.asdict(version))
                _audit_export(s, version, audit)
                _write_whole(path, pdf, replace=replace)
                placed = True
        except Exception as exc:
            known = known_failure(exc) if placed else None
            if known is None:
                raise
            raise KnownError(
                f"{path} was written, but the case could not record it as version "
                f"{version.version} ({known})"
            ) from exc


def _set(
    content: PackContent,
    options: PackOptions,
    built: datetime,
    as_of: datetime | None,
    *,
    progress: Callable[[float], None],
    cancelled: Callable[[], bool],
) -> tuple[bytes, int]:
    """The pack's PDF and its page count, laid out in memory: the file is only touched
    once the pack is whole. ``progress`` goes from 0.1 (the case read) to 1."""
    from casefile.briefing.pages import PackDocument
    from casefile.briefing.sections import Story

    total = 1

    def on_progress(kind: str, value: int) -> None:
        nonlocal total
        if kind == "SIZE_EST":
            total = max(1, value)
        elif kind == "PROGRESS":
            if cancelled():
                raise ExportCancelled("export cancelled; nothing was written")
            progress(0.1 + 0.9 * min(1.0, value / total))

    pdf = io.BytesIO()
    author = options.author if options.show_author else ""
    document = PackDocument(
        pdf,
        title=content.title,
        marking=options.marking,
        author=author,
        subject=metadata.subject(options),
        keywords=metadata.keywords(options),
        xmp=metadata.xmp(options, title=content.title, author=author, built=built),
    )
    document.setProgressCallBack(on_progress)
    document.build_pack(Story(content, options, built, as_of).flowables())
    return pdf.getvalue(), document.page


def _remember(s: Session, handling: Handling, audit: AuditLog) -> None:
    """Keep the pack's handling block for the next pack: one audited change of the case,
    as a change of its title is (``Case.describe``), and none when it is as kept."""
    changes = diff(_audited(packs.handling(s)), _audited(handling))
    if changes:
        packs.keep_handling(s, handling)
        row = packs.case_row(s)
        audit.record("update", row.id, "case", row.title, changes)


def _check_number(s: Session, number: int) -> None:
    """Refuse to record a pack under a number another export took while it was set."""
    if packs.next_number(s) != number:
        raise KnownError(
            f"another export recorded pack {number} of this case while this one was set; "
            "nothing was written: export again"
        )


def _audit_export(s: Session, version: PackVersion, audit: AuditLog) -> None:
    """The pack in the case's history, under the case, with what identifies it."""
    said = {
        "version": version.version,
        "number": version.number,
        "file": version.file_name,
        "state sha256": version.state_sha256,
    }
    label = f"version {version.version}: {version.file_name}"
    audit.record(packs.EXPORT, packs.case_row(s).id, "pack", label, created(said))


def _audited(handling: Handling) -> dict[str, str | None]:
    """The block as the case's history names its fields: "pack originator", …"""
    return {f"pack {LABELS[name].lower()}": value for name, value in handling.stored().items()}


def _refuse_to_replace(path: Path, replace: bool) -> None:
    if not path.exists():
        return
    if path.suffix.lower() == ".casefile" or is_case_file(path):
        raise InvalidInput(f"{path} is a case file; a briefing pack never replaces one")
    if not replace:
        raise AlreadyExists(f"{path} already exists")


def _write_whole(path: Path, data: bytes, *, replace: bool) -> None:
    """Write beside ``path``, flush to disk, then move it into place: all or nothing. Not
    replacing, the move is a hard link, which fails if a file appeared there meanwhile.
    The file gets the usual permissions (the umask's), not a temporary file's owner-only
    ones."""
    temporary = path.with_name(f".{path.stem}-{uuid4().hex[:12]}.pdf")
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            _link_new(temporary, path)
    except FileExistsError:
        raise AlreadyExists(f"{path} already exists") from None
    except OSError as exc:
        raise KnownError(f"could not write {path}: {exc.strerror or exc}") from None
    finally:
        temporary.unlink(missing_ok=True)


def _link_new(temporary: Path, path: Path) -> None:
    """Give ``temporary`` the name ``path`` only if nothing has it (FileExistsError)."""
    try:
        os.link(temporary, path)
    except OSError as exc:
        if isinstance(exc, FileExistsError) or exc.errno not in _NO_HARD_LINKS:
            raise
        if path.exists():  # a file system without hard links (FAT): check, then rename
            raise FileExistsError(path) from None
        os.replace(temporary, path)


_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK}
