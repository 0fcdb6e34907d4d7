"""Subtitles (SubRip .srt, WebVTT .vtt): the words said, each cue a line led by its time.

Read as plain text, a subtitle file buries its words between cue numbers and
``00:01:02,500 --> 00:01:04,000`` lines, and a quote taken from it cannot say when in the
recording it was said. Read here, each cue is one line, "[0:01:02] The words." (its start
time as ``casefile.domain.cues`` writes it), with its tags removed and a WebVTT voice's
speaker kept ("[0:01:02] Abu Muhammad: The words."): what a reader searches and quotes,
and the time a quote taken from the line cites.

A file is parsed by the maintained libraries (srt, webvtt-py), after decoding its bytes as
every text file is (``decode``: a byte-order mark, UTF-8, detection, a flagged guess). A cue
that cannot be read is left out, and a warning says how many and where; a file in which no
cue can be read is ``Damaged``, and the importer keeps it unread with the reason.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from casefile.domain.cues import cue_line
from casefile.domain.display import how_many, shortened
from casefile.domain.formats import Format
from casefile.importing.extract.decode import Decoded, decode, normalise_newlines
from casefile.importing.extract.model import Damaged, Extracted

if TYPE_CHECKING:
    from srt import Subtitle
    from webvtt import Caption

# The first cue of a SubRip file: its number (which some writers leave out), then its
# timing line, "00:00:01,000 --> 00:00:04,500".
_SRT_START = re.compile(r"(?:\d+[ \t]*\n)?[ \t]*\d+:\d{2}:\d{2}[,.]\d{1,3}[ \t]*-->")
# WebVTT's signature: the first line is "WEBVTT", alone or followed by a space or a tab.
_WEBVTT_START = re.compile(r"WEBVTT(?:[ \t]|\n|\Z)")
# SubRip's formatting: HTML-like tags (<i>, <font color=…>) and SSA overrides ({\an8}).
# WebVTT's tags are removed by webvtt-py itself.
_SRT_TAGS = re.compile(r"</?[A-Za-z][^<>\n]*>|\{\\[^{}\n]*\}")
_SECOND = timedelta(seconds=1)


def is_srt(text: str) -> bool:
    """It opens with a SubRip cue: a number, then a timing line."""
    return bool(_SRT_START.match(normalise_newlines(text[:200]).lstrip("\ufeff \t\n")))


def is_webvtt(text: str) -> bool:
    """It opens with the "WEBVTT" line the format requires."""
    return bool(_WEBVTT_START.match(normalise_newlines(text[:200]).lstrip("\ufeff")))


def read_srt(data: bytes, chosen: str | None = None) -> Extracted:
    """A SubRip file's cues, in the encoding ``chosen`` if the user chose one."""
    decoded = decode(data, chosen=chosen)
    cues, skipped = _srt_cues(normalise_newlines(decoded.text))
    said = [(cue.start // _SECOND, _srt_words(cue.content)) for cue in cues]
    return _subtitles(Format.SRT, "", said, skipped, decoded)


def read_webvtt(data: bytes, chosen: str | None = None) -> Extracted:
    """A WebVTT file's cues, in the encoding ``chosen`` if the user chose one. The text
    after "WEBVTT" on its first line, when there is any, is its title."""
    import webvtt
    from webvtt.errors import MalformedFileError

    decoded = decode(data, chosen=chosen)
    text = normalise_newlines(decoded.text)
    try:
        parsed = webvtt.from_string(text)
    except MalformedFileError:
        raise Damaged(f"damaged {Format.WEBVTT.label}: it does not begin with WEBVTT") from None
    said = [(c.start_time.in_seconds(), _webvtt_words(c)) for c in parsed.captions]
    # webvtt-py passes over a cue whose timing line it cannot read, saying nothing; no
    # other line may hold "-->", so those it cannot read are the cues left out.
    skipped = [line for line in text.split("\n") if "-->" in line and not _timing(line)]
    return _subtitles(Format.WEBVTT, parsed.header_text, said, skipped, decoded)


def _timing(line: str) -> bool:
    """Whether webvtt-py reads ``line`` as a cue's timing line: its pattern, and two
    times it takes (not "62:05.000": minutes go up to 59)."""
    from webvtt.errors import MalformedCaptionError
    from webvtt.models import Timestamp
    from webvtt.vtt import WebVTTCueBlock

    found = WebVTTCueBlock.CUE_TIMINGS_PATTERN.match(line)
    if found is None:
        return False
    try:
        Timestamp.from_string(found[1])
        Timestamp.from_string(found[2])
    except MalformedCaptionError:
        return False
    return True


def _subtitles(
    kind: Format,
    title: str,
    said: list[tuple[int, str]],
    skipped: list[str],
    decoded: Decoded,
) -> Extracted:
    """The cues (their start in whole seconds, their words) as the document's one section,
    a line each; what was left out said in a warning, or the file refused as damaged when
    no cue could be read. A cue of tags alone says nothing and has no line."""
    if skipped and not said:
        raise Damaged(f"damaged {kind.label}: no cue in it can be read ({_first(skipped)})")
    warnings: tuple[str, ...] = ()
    if skipped:
        were = "was" if len(skipped) == 1 else "were"
        warnings = (
            f"{how_many(len(skipped), 'part')} of it could not be read as cues and {were} "
            f"left out ({_first(skipped)})",
        )
    lines = (cue_line(start, words) for start, words in said if words)
    return Extracted(
        format=kind,
        title=title.strip(),
        pages=("\n".join(lines),),
        warnings=warnings,
        decoded=decoded,
    )


def _first(skipped: list[str]) -> str:
    return f"the first: “{shortened(' '.join(skipped[0].split()), 80)}”"


def _srt_cues(text: str) -> tuple[list[Subtitle], list[str]]:
    """The cues srt reads, and the stretches of text between them it could not read.

    srt stops at the first stretch it cannot read (or, told to ignore errors, drops each
    one with only a log line): parsing is taken up again after each, and each is kept to
    be named."""
    import srt

    cues: list[Subtitle] = []
    skipped: list[str] = []
    rest = text
    while rest:
        try:
            for cue in srt.parse(rest):
                cues.append(cue)
        except srt.SRTParseError as error:
            skipped.append(error.unmatched_content)
            rest = rest[error.actual_start :]
            continue
        break
    return cues, skipped


def _srt_words(content: str) -> str:
    """A SubRip cue's text on one line, without its formatting."""
    return " ".join(_SRT_TAGS.sub("", content).split())


def _webvtt_words(caption: Caption) -> str:
    """A WebVTT cue's text on one line, without its tags, its escapes read (&amp; is &),
    and each voice's speaker before what they say: "Abu Muhammad: The words."."""
    return " ".join(_voiced(caption))


def _voiced(caption: Caption) -> Iterator[str]:
    import webvtt

    lines = zip(caption.raw_text.split("\n"), caption.text.split("\n"), strict=True)
    for raw, plain in lines:
        words = html.unescape(" ".join(plain.split()))
        voice = webvtt.Caption.VOICE_SPAN_PATTERN.match(raw)  # the library's "<v Speaker>"
        speaker = html.unescape(" ".join(voice[1].split())) if voice else ""
        if words:
            yield f"{speaker}: {words}" if speaker else words
