"""Window state, recent cases and import limits, kept between runs (QSettings in the data
folder).

Only the user's preferences live here; everything about a case lives in the case file.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from casefile.briefing.options import PackOptions
from casefile.domain.import_options import ImportOptions
from casefile.services import paths

RECENT_MAX = 8


@dataclass(frozen=True)
class LastPack:
    """How the last briefing pack was marked, who wrote it and where it went: offered again."""

    marking: str = PackOptions.marking
    author: str = ""
    show_author: bool = True
    folder: str = ""


class WindowSettings:
    def __init__(self) -> None:
        self._settings = QSettings(str(paths.data_dir() / "window.ini"), QSettings.Format.IniFormat)

    def recent_cases(self) -> list[Path]:
        stored = self._settings.value("recent", [])
        # QSettings gives a lone string for a one-item list in INI files.
        items: list[str] = [stored] if isinstance(stored, str) else list(stored or [])  # type: ignore[call-overload]
        # Not checked for existence here: a case on a network share would make start-up
        # reach the network. A missing one says so, in one line, when it is opened.
        return [Path(p) for p in items]

    def remember_case(self, path: Path) -> None:
        items = [str(path.resolve())]
        items += [str(p) for p in self.recent_cases() if str(p) != items[0]]
        self._settings.setValue("recent", items[:RECENT_MAX])

    def restore(self, key: str) -> QByteArray | None:
        value = self._settings.value(key)
        return value if isinstance(value, QByteArray) else None

    def save(self, key: str, value: QByteArray) -> None:
        self._settings.setValue(key, value)

    def import_options(self) -> ImportOptions:
        """The limits per file for imports (never the PDF password: that is asked)."""
        options = ImportOptions()
        for f in fields(ImportOptions):
            if f.name == "password":
                continue
            kind = type(getattr(options, f.name))
            value = self._settings.value(f"import/{f.name}")
            # An edited settings file with a bad value keeps the default.
            with contextlib.suppress(TypeError, ValueError):
                if value is not None:
                    options = replace(options, **{f.name: kind(value)})
        return options

    def save_import_options(self, options: ImportOptions) -> None:
        for f in fields(ImportOptions):
            if f.name != "password":
                self._settings.setValue(f"import/{f.name}", getattr(options, f.name))

    def last_import_folder(self) -> str:
        return str(self._settings.value("import/folder", str(Path.home())))

    def remember_import_folder(self, folder: Path) -> None:
        self._settings.setValue("import/folder", str(folder))

    def last_pack(self) -> LastPack:
        default = LastPack()
        value = self._settings.value
        return LastPack(
            marking=str(value("export/marking", default.marking)),
            author=str(value("export/author", default.author)),
            show_author=str(value("export/show_author", "yes")) != "no",
            folder=str(value("export/folder", default.folder)),
        )

    def remember_pack(self, last: LastPack) -> None:
        self._settings.setValue("export/marking", last.marking)
        self._settings.setValue("export/author", last.author)
        self._settings.setValue("export/show_author", "yes" if last.show_author else "no")
        self._settings.setValue("export/folder", last.folder)

    def sync(self) -> None:
        self._settings.sync()
