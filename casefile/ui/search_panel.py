"""Search everything as you type: results grouped by kind, matched words in bold.

Typing is never blocked: each pause of a moment sends one search to the worker, and an
answer that arrives after newer typing is dropped. A result is a link: a record opens in
the window, a document page opens in the viewer at that page with the words selected.
The best 50 come first; "Show more" asks again for 50 more (ranking is the search's cost,
whatever the number shown, so a second page costs what the first did).
"""

from __future__ import annotations

from dataclasses import replace
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtWidgets import QTextBrowser, QWidget

from casefile.ui.detail_view import STYLE

if TYPE_CHECKING:
    from casefile.services.search import Hit, SearchResult
    from casefile.ui.controller import CaseController

TYPING_PAUSE_MS = 200
PAGE = 50  # results at first, and how many more each "Show more" adds
MORE = "more:"


class SearchResults(QTextBrowser):
    """The answers to what is in the search field; links say where each one is."""

    open_record = Signal(object)  # a record's UUID
    open_page = Signal(object, int, list)  # a document's UUID, the page, words to select

    def __init__(self, controller: CaseController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)  # offline: a result never opens the network
        self.setAccessibleName("Search results")
        self.anchorClicked.connect(self._follow)
        self._typed = ""
        self._asked = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(self._ask)
        self._hits: dict[str, Hit] = {}
        self._limit = PAGE
        self._shown = ""  # what the results shown were found for

    def search(self, typed: str) -> None:
        """What the field holds now; the search runs once typing pauses."""
        self._typed = typed
        self._limit = PAGE
        self._timer.start()

    def _ask(self, keep_place: bool = False) -> None:
        self._asked += 1
        asked, typed, limit = self._asked, self._typed, self._limit

        def answered(result: SearchResult) -> None:
            if asked == self._asked:  # newer typing has its own answer coming
                place = self.verticalScrollBar().value()
                shown = replace(result, hits=result.hits[:limit])
                self._show(typed, shown, more=len(result.hits) > limit)
                if keep_place:  # more results came below the ones being read
                    self.verticalScrollBar().setValue(place)

        # One more than shown: whether there are more to offer.
        self.controller.read(lambda case: case.search.search(typed, limit=limit + 1), answered)

    def _show(self, typed: str, result: SearchResult, more: bool = False) -> None:
        self._shown = typed
        self._hits = {f"hit:{i}": h for i, h in enumerate(result.hits)}
        if not typed.strip():
            self.setHtml(f"{STYLE}<p class='muted'>Type to search the whole case.</p>")
            return
        stopped = result.stopped()  # ran out of time: said first, in one line
        said = f"<p class='muted'>{escape(stopped)}.</p>" if stopped else ""
        bounded = result.bounded()  # a common word: the best among its newest matches
        said += f"<p class='muted'>{escape(bounded)}.</p>" if bounded and result.hits else ""
        if not result.hits:
            nothing = f"<p class='muted'>Nothing found for “{escape(typed.strip())}”.</p>"
            self.setHtml(f"{STYLE}{said or nothing}")
            return
        found = f"More than {len(result.hits)}" if more else str(len(result.hits))
        parts = [
            STYLE,
            said,
            f"<p class='muted'>{found} found for “{escape(typed.strip())}”. "
            "Esc goes back to the record.</p>",
        ]
        from casefile.services.search import group_title  # loaded by the search that ran

        for group in dict.fromkeys(h.group for h in result.hits):
            anchors = [(a, h) for a, h in self._hits.items() if h.group == group]
            parts.append(f"<h3>{escape(group_title(group))} ({len(anchors)})</h3>")
            for anchor, hit in anchors:
                where = f" <span class='muted'>page {hit.page}</span>" if hit.page else ""
                if hit.caveats:
                    where += f" <span class='muted'>({escape(hit.caveats)})</span>"
                parts.append(
                    f"<p><a href='{anchor}'>{escape(hit.label)}</a>{where}<br>"
                    f"<span class='change'>{_marked(hit.snippet)}</span></p>"
                )
        if more:
            parts.append(f"<p><a href='{MORE}'>Show {PAGE} more results</a></p>")
        self.setHtml("".join(parts))

    def _follow(self, url: QUrl) -> None:
        if url.toString() == MORE:
            if self._shown == self._typed:  # else newer words are about to replace these
                self._limit += PAGE
                self._ask(keep_place=True)
            return
        hit = self._hits.get(url.toString())
        if hit is None:
            return
        if hit.page:
            self.open_page.emit(hit.record_id, hit.page, _matched_words(hit.snippet))
        else:
            self.open_record.emit(hit.record_id)


def _marked(snippet: str) -> str:
    """The snippet as HTML, the matched words in bold (everything else escaped)."""
    from casefile.services.search import MARK_END, MARK_START  # loaded by the search that ran

    text = escape(" ".join(snippet.split()))
    return text.replace(MARK_START, "<b>").replace(MARK_END, "</b>")


def _matched_words(snippet: str) -> list[str]:
    from casefile.services.search import MARK_END, MARK_START  # loaded by the search that ran

    words: list[str] = []
    for part in snippet.split(MARK_START)[1:]:
        words.append(part.split(MARK_END, 1)[0])
    return words
