"""Finding a quote's words again in a text that changed under it.

A quote taken from a document can point at its words by characters. When the document's
stored bytes are read again in another encoding, its text changes and those characters
point at other words. The words are found again rather than the characters kept: first
the characters the quote pointed at, as the same bytes read in the new encoding (what
they were all along), then the quote's own words. Where neither is in the new text the
quote is not placed by characters any more: it still cites its page, and says no more
than is known.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Placed:
    """Where a quote's words are in the new text, and its words if they were a copy of
    the old text's characters (read in the new encoding, as they now read)."""

    char_start: int
    char_end: int
    text: str


def place_again(
    quote: str, old: str, new: str, span: tuple[int, int], codecs: tuple[str | None, str]
) -> Placed | None:
    """The quote's place in ``new``, a page that read ``old`` when the quote pointed at
    ``span`` (characters) in it; ``codecs``: the old text's encoding (None if unknown) and
    the new one's. None: its words are not in the new text."""
    start, end = span
    pointed = old[start:end]
    near = round(start * len(new) / len(old)) if old else 0
    reread = _reread(pointed, *codecs)
    if reread:
        found = _nearest(new, reread, near)
        if found is not None:
            return Placed(found, found + len(reread), _reworded(quote, pointed, reread))
    found = _nearest(new, quote, near)
    return None if found is None else Placed(found, found + len(quote), quote)


def _reread(text: str, old_codec: str | None, new_codec: str) -> str:
    """``text`` as its bytes read in ``new_codec``; empty where it was not those bytes."""
    if old_codec is None or not text:
        return ""
    try:
        return text.encode(old_codec).decode(new_codec)
    except (UnicodeError, LookupError):
        return ""


def _nearest(text: str, words: str, near: int) -> int | None:
    """Where ``words`` occur in ``text`` nearest to ``near``; None if they do not."""
    if not words.strip():
        return None
    found: int | None = None
    at = text.find(words)
    while at != -1:
        if found is None or abs(at - near) < abs(found - near):
            found = at
        at = text.find(words, at + 1)
    return found


def _reworded(quote: str, pointed: str, reread: str) -> str:
    """The quote's words when they were a copy of the characters it pointed at (exactly,
    or with spaces collapsed as a selection is copied): those characters as they now
    read. Words the analyst wrote (a cleaned or shortened quote) stay theirs."""
    if quote == pointed:
        return reread
    if quote.split() == pointed.split():
        return " ".join(reread.split())
    return quote
