"""A PDF held in memory, shown a whole page at a time (stored documents, briefing packs)."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QWidget


class PdfPages:
    """The document, its buffer and its view. The document and buffer belong to ``owner``
    (a window or dialog), which outlives the view: a view that outlives its document, or a
    document whose buffer goes first, crashes Qt."""

    def __init__(self, owner: QWidget, data: bytes, name: str) -> None:
        self._bytes = QByteArray(data)
        self._buffer = QBuffer(self._bytes, owner)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.pdf = QPdfDocument(owner)
        self.pdf.load(self._buffer)
        self.view = QPdfView()
        self.view.setAccessibleName(name)
        self.view.setDocument(self.pdf)
        self.view.setPageMode(QPdfView.PageMode.SinglePage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        # A whole page fits, so no scroll bars: with them, QPdfView can flip one on and off
        # forever (a layout loop that freezes the window).
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
