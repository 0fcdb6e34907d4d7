"""A subtitle cue as a document's text holds it: one line, led by the time it starts at.

"[0:01:02] Abu Muhammad: The caliphate will not forget." The importer writes each cue of a
subtitle file so (``cue_line``); the time is in whole seconds, and reads as every time in
a case does (``display.time_into``).
"""

from __future__ import annotations

from casefile.domain.display import time_into


def cue_line(seconds: int, words: str) -> str:
    """One cue's line: its start, ``seconds`` into the recording, then its words."""
    return f"[{time_into(seconds)}] {words}"
