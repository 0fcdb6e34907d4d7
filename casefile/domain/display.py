"""How a field's value reads to a person, the same in the terminal, the window and the
briefing pack: dates at their precision, grades by their label, unknown counts as
"unknown" (never 0), references by the label of what they point at."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any
from uuid import UUID

from casefile.domain.dates import PartialDate
from casefile.domain.figures import Figure
from casefile.domain.formats import media_label
from casefile.domain.terms import Confidence, Credibility, LabelledEnum, Probability, Reliability

COUNT_FIELDS = frozenset({"killed", "wounded", "perpetrators_killed"})
# Times into a recording, in whole seconds (``QuoteFields.at``): shown as "0:01:02", and
# typed as ``input_text.read_time`` reads them, in the CLI and the window alike.
TIME_FIELDS = frozenset({"at"})
# What a link that no source or quote cites is called, wherever it shows.
UNSOURCED = "unsourced"
# What a terminal would act on instead of showing, or that hides where text is: C0 and C1
# controls and DEL (ESC recolours, CR rewrites the line), the line and paragraph
# separators, the bidirectional embeddings, overrides and isolates (U+202E shows a name
# backwards), and lone surrogates (undecodable bytes of a file name, which cannot even be
# written to a UTF-8 stream). The marks LRM, RLM and ALM stay: they belong to right-to-left
# names and reorder nothing after them.
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# Words of field names that are not read as they are written.
_SPELT = {"url": "URL", "char": "character", "sha256": "SHA-256"}


def field_label(name: str) -> str:
    """A field's name as a label: 'perpetrators_killed' → 'Perpetrators killed',
    'url' → 'URL'."""
    text = " ".join(_SPELT.get(word, word) for word in name.split("_"))
    return text[:1].upper() + text[1:]


def a_or_an(noun: str) -> str:
    """'an attack', 'a person': the article as the noun is said."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def how_many(count: int, noun: str, plural: str = "") -> str:
    """'1 page', '3 pages', '2 people': a count with its noun, thousands separated."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def any_of(nouns: Iterable[str]) -> str:
    """'a person or group', 'an attack, person or group': one article, the last joined
    by 'or'."""
    words = list(nouns)
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
    return a_or_an(listed)


def shortened(text: str, length: int = 60) -> str:
    """A long title cut at ``length`` characters with an ellipsis, where a list names a
    source beside other things (its full title is one click away)."""
    short = " ".join(text.split())
    return short if len(short) <= length else short[: length - 1].rstrip() + "…"


def sentence(message: str) -> str:
    """A core message, written as one line for the terminal ("the range ends…"), as a
    sentence in a window ("The range ends…."): capitalised, one space between words, with
    its full stop."""
    text = " ".join(message.split())
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")


def terminal_safe(text: str) -> str:
    """``text`` as it may be printed: each ``UNSAFE`` character as an escape (``\\x1b``,
    ``\\r``, ``\\n``, ``\\u202e``; an undecodable byte as ``\\xff``), the rest as it is.

    What is stored is never changed; this is only how it is shown. Backslashes are not
    escaped, so escaping twice changes nothing."""
    return UNSAFE.sub(_escape, text)


def _escape(found: re.Match[str]) -> str:
    char = found[0]
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # how Python keeps a byte that is not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def grade_code(reliability: Reliability | None, credibility: Credibility | None) -> str:
    """'B2', 'B', '2' or '': the Admiralty code an analyst says aloud."""
    return (reliability.value if reliability else "") + (credibility.value if credibility else "")


def link_caveats(confidence: Confidence | None, citations: int) -> str:
    """What a reader must know beside a link's label, wherever it shows: how sure it is,
    when that was recorded ("probable"), and that nothing cites it ("unsourced"). Empty
    when there is neither."""
    said = [confidence.label.lower()] if confidence is not None else []
    if not citations:
        said.append(UNSOURCED)
    return ", ".join(said)


def citation_count(citations: int) -> str:
    """A link's citations in a column: their number, or "unsourced"."""
    return f"{citations:,}" if citations else UNSOURCED


def file_size(size: int) -> str:
    """3,296 bytes as '3.2 KB' (as file managers put it, in units of 1,024)."""
    if size < 1024:
        return f"{size:,} bytes"
    amount = size / 1024
    for unit in ("KB", "MB"):
        if amount < 1024:
            return f"{amount:,.1f} {unit}"
        amount /= 1024
    return f"{amount:,.1f} GB"


def time_into(seconds: int) -> str:
    """62 seconds into a recording as '0:01:02': hours always, unpadded, as players show a
    long recording's times, so that every time in a case reads alike."""
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02}:{second:02}"


def display(name: str, value: Any, labels: Mapping[UUID, str], *, with_ids: bool = True) -> str:
    if value is None:
        return "unknown" if name in COUNT_FIELDS else ""
    if isinstance(value, Figure):
        return str(value)
    if name in TIME_FIELDS and isinstance(value, int):
        return time_into(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name == "citations" and value == ():
        return UNSOURCED
    if name == "size" and isinstance(value, int):
        return file_size(value)
    if name == "media_type" and isinstance(value, str):
        return media_label(value)
    if isinstance(value, PartialDate):
        return value.display()
    if isinstance(value, (Reliability, Credibility)):  # analysts speak of "a B2 report"
        return f"{value.value} — {value.label}"
    if isinstance(value, Probability):  # the yardstick's words mean their range
        return f"{value.label} ({value.explanation})"
    if isinstance(value, LabelledEnum):
        return value.label
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, UUID):
        label = labels.get(value, "?")
        return f"{label} [{str(value)[:8]}]" if with_ids else label
    if isinstance(value, tuple):
        return ", ".join(display(name, v, labels, with_ids=with_ids) for v in value)
    return str(value)


def moved_places(placed: int, reworded: int, unplaced: int) -> str:
    """What reading a document again did to the quotes placed in it by characters; empty
    if there were none."""
    said = []
    if placed:
        said.append(f"{how_many(placed, 'quote')} found again in the new text")
    if reworded:
        copies = "it was" if reworded == 1 else "they were"
        said.append(f"{reworded:,} now read as the text does ({copies} copied from it)")
    if unplaced:
        lost = how_many(unplaced, "quote")
        said.append(f"{lost} not found in it now cite their page only: check them")
    return "; ".join(said)
