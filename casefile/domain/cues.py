"""A subtitle cue as a document's text holds it: one line, led by the time it starts at.

"[0:01:02] Abu Muhammad: The caliphate will not forget." The importer writes each cue of a
subtitle file so (``cue_line``); the document viewer reads the time back from the line a
selection starts in, for the quote made of it (``cue_time``), and finds the cue of a
quote's time to open it there (``cue_at``). The line is the one record of a cue's time:
nothing else is kept beside the text that could disagree with it. The time is in whole
seconds, as a quote cites it (``QuoteFields.at``), and reads as every time in a case does
(``display.time_into``, read back by ``input_text.read_time``).
"""

from __future__ import annotations

import re

from casefile.domain.display import time_into
from casefile.domain.input_text import read_time

# A cue's line opens with its time in brackets, then a space: what ``cue_line`` writes.
_CUE = re.compile(r"\[(\d+:\d{2}:\d{2})\] ", re.MULTILINE)


def cue_line(seconds: int, words: str) -> str:
    """One cue's line: its start, ``seconds`` into the recording, then its words."""
    return f"[{time_into(seconds)}] {words}"


def cue_time(text: str, index: int) -> int | None:
    """The time of the cue whose line holds the character at ``index`` of ``text``; None
    when that line is no cue's."""
    found = _CUE.match(text, text.rfind("\n", 0, index) + 1)
    return read_time(found[1]) if found else None


def cue_at(text: str, seconds: int) -> tuple[int, int] | None:
    """Where in ``text`` the cue said at ``seconds`` is, as the start and end of its words:
    the last cue that starts by then (the one playing), else the first; None when the
    text has no cue."""
    cues = [(read_time(found[1]) or 0, found.end()) for found in _CUE.finditer(text)]
    if not cues:
        return None
    started = [start for time, start in cues if time <= seconds]
    start = started[-1] if started else cues[0][1]
    end = text.find("\n", start)
    return start, len(text) if end < 0 else end


def without_time(text: str) -> str:
    """A quoted passage without the time its first cue's line opens with: the quote keeps
    the time as its own field, and its words as said."""
    found = _CUE.match(text)
    return text[found.end() :] if found else text
