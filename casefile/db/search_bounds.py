"""What keeps a search's cost bounded: snippets made over a bounded length of text, and
a time budget on the search's statements.

FTS5's ``snippet()`` scores a window at every match in a text against every match in
it, and ``highlight()`` copies all it has written at every match: both grow with the
square of the matches in one text (a page repeating a word 40,000 times: 15 s; 400,000
times: hours), and neither can be stopped, being one step of SQLite's program each. So
a snippet is made by FTS5 over a copy of the hit's text in memory (so that nothing of an
encrypted case reaches a disk), in which a long column's text is cut to the passage
holding the most of the words sought. A column of up to ``SHOWN`` characters (a record's,
a page of a book) is taken whole: its snippet is what FTS5 makes over the index.

The time budget is SQLite's progress handler: it looks at the clock every ``STEPS``
steps of a statement, and stops the statement once the time is up.
"""

from __future__ import annotations

import contextlib
import re
import time
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import sqlcipher3
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from casefile.db.search_tables import TOKENIZER

# The most characters of a column a snippet is made over: at most 1,200 words, over
# which FTS5 makes it in about 15 ms even if every one is a match (100 ms if all three
# columns are such). A longer text is cut into passages of half as many, and the snippet
# made over the one holding the most of the words sought and the one after.
SHOWN = 2_400
# About how many characters a passage repeats of the one before, so that a phrase cut by
# the end of one is whole in the next.
OVERLAP = 100
STEPS = 1_000  # steps of a statement between two looks at the clock
COLUMNS = ("title", "body", "notes")


class OutOfTime(Exception):
    """A statement was stopped because the search's time budget ran out."""


class TimeBudget:
    """The time a search may take, from when this is made, on every connection it uses."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds
        self.spent = False  # whether the time ran out before the search was done

    def left(self) -> bool:
        """Whether there is time left (once there is not, the budget is spent)."""
        if time.monotonic() >= self._end:
            self.spent = True
        return not self.spent

    @contextlib.contextmanager
    def over(self, session: Session) -> Iterator[None]:
        """The session's statements stop once the time is up, raising ``OutOfTime``."""
        dbapi = session.connection().connection.dbapi_connection
        assert dbapi is not None
        with self.stopping(dbapi):
            try:
                yield
            except DBAPIError as exc:
                if self.spent and _interrupted(exc.orig):
                    raise OutOfTime from exc
                raise

    @contextlib.contextmanager
    def stopping(self, dbapi: sqlcipher3.dbapi2.Connection, steps: int = STEPS) -> Iterator[None]:
        """The DB-API connection's statements stop once the time is up (``OutOfTime``),
        looked at every ``steps`` steps."""
        dbapi.set_progress_handler(self._look, steps)
        try:
            yield
        except sqlcipher3.dbapi2.OperationalError as exc:
            if self.spent and _interrupted(exc):
                raise OutOfTime from exc
            raise
        finally:
            dbapi.set_progress_handler(None, STEPS)

    def _look(self) -> bool:
        return not self.left()  # true: SQLite stops the statement


def _interrupted(error: BaseException | None) -> bool:
    """Whether SQLite's error is that of a statement its progress handler stopped."""
    return isinstance(error, sqlcipher3.dbapi2.OperationalError) and str(error) == "interrupted"


@dataclass(frozen=True)
class Marks:
    """What a snippet puts around a matched word and where text is left out, and how many
    words it shows."""

    start: str
    end: str
    ellipsis: str = "…"
    words: int = 14


@dataclass(frozen=True)
class Shown:
    """A hit's snippet ("" if the time ran out first), and the columns of its text
    (0, 1, 2: title, body, notes) in which a word sought was found."""

    snippet: str
    columns: frozenset[int]


Texts = Mapping[int, tuple[str | None, str | None, str | None]]  # per row: title, body, notes


def snippets(
    texts: Texts, terms: Sequence[str], marks: Marks, budget: TimeBudget
) -> dict[int, Shown]:
    """How each row of ``texts`` is shown, found with ``terms`` (FTS5 queries, one per
    term sought): FTS5's snippet over its columns, a long one cut to its passage holding
    the most terms (the first such) and the one after. A row that the time ran out
    before is left out, or has no snippet."""
    if not terms or not budget.left():
        return {}
    shown = shown_texts(texts, terms, marks.ellipsis, budget)
    with _in_memory() as conn:
        conn.execute(
            f"CREATE VIRTUAL TABLE shown USING fts5({', '.join(COLUMNS)}, tokenize = '{TOKENIZER}')"
        )
        conn.executemany(
            f"INSERT INTO shown (rowid, {', '.join(COLUMNS)}) VALUES (?, ?, ?, ?)",
            ((row, *columns) for row, columns in shown.items()),
        )
        anywhere = " OR ".join(terms)
        columns: dict[int, set[int]] = {}
        made: dict[int, str] = {}
        # A row's snippet is one step, of up to 100 ms: the clock is looked at every step.
        with contextlib.suppress(OutOfTime), budget.stopping(conn, steps=1):
            for column, name in enumerate(COLUMNS):
                sql = "SELECT rowid FROM shown WHERE shown MATCH ?"
                for (row,) in conn.execute(sql, (f"{{{name}}} : ({anywhere})",)):
                    columns.setdefault(row, set()).add(column)
            if budget.left():
                sql = "SELECT rowid, snippet(shown, -1, ?, ?, ?, ?) FROM shown WHERE shown MATCH ?"
                params = (marks.start, marks.end, marks.ellipsis, marks.words, anywhere)
                for row, snippet in conn.execute(sql, params):  # kept as made, if stopped
                    made[row] = snippet
    return {row: Shown(made.get(row, ""), frozenset(c)) for row, c in columns.items()}


@dataclass(frozen=True)
class _Passage:
    row: int
    column: int
    start: int
    end: int
    shown_to: int  # where what is shown of it ends: the next passage's end


def shown_texts(
    texts: Texts, terms: Sequence[str], ellipsis: str, budget: TimeBudget
) -> dict[int, list[str]]:
    """Per row, the text of each column a snippet is made over: the whole, or of a column
    longer than ``SHOWN`` characters, its passage holding the most terms (the first such)
    and the one after (nothing if the time ran out first). Where that cuts the column's
    text, it says so with an ellipsis, which the snippet shows if it reaches it."""
    whole = {row: [text or "" for text in columns] for row, columns in texts.items()}
    shown = {row: list(columns) for row, columns in whole.items()}
    long = [
        _Passage(row, column, start, end, after[1])
        for row, columns in whole.items()
        for column, text in enumerate(columns)
        if len(text) > SHOWN
        for (start, end), after in _with_next(list(passages(text)))
    ]
    held = _terms_held(whole, long, terms, budget) if long and budget.left() else {}
    cut = {(p.row, p.column) for p in long}
    for row, column in cut:
        shown[row][column] = ""
    for key in sorted(held, key=lambda k: (-held[k], k)):
        p = long[key]
        if (p.row, p.column) in cut:
            cut.remove((p.row, p.column))
            text = whole[p.row][p.column]
            passage = text[p.start : p.shown_to]
            if p.start > 0:
                passage = ellipsis + passage.lstrip()
            if p.shown_to < len(text):
                passage = passage.rstrip() + ellipsis
            shown[p.row][p.column] = passage
    return shown


def _terms_held(
    whole: Mapping[int, list[str]],
    long: Sequence[_Passage],
    terms: Sequence[str],
    budget: TimeBudget,
) -> dict[int, int]:
    """Per passage of ``long`` (by its place) that holds some of ``terms``, how many."""
    held: dict[int, int] = {}
    with _in_memory() as conn:
        conn.execute(f"CREATE VIRTUAL TABLE passage USING fts5(text, tokenize = '{TOKENIZER}')")
        conn.executemany(
            "INSERT INTO passage (rowid, text) VALUES (?, ?)",
            ((key, whole[p.row][p.column][p.start : p.end]) for key, p in enumerate(long)),
        )
        with contextlib.suppress(OutOfTime), budget.stopping(conn):
            for term in terms:
                sql = "SELECT rowid FROM passage WHERE passage MATCH ?"
                for (key,) in conn.execute(sql, (term,)):
                    held[key] = held.get(key, 0) + 1
    return held


@contextlib.contextmanager
def _in_memory() -> Iterator[sqlcipher3.dbapi2.Connection]:
    """A database of this process's own, in memory, in one transaction (FTS5 writes its
    index once, not at every row)."""
    conn = sqlcipher3.dbapi2.connect(":memory:", isolation_level=None)
    try:
        conn.execute("BEGIN")
        yield conn
    finally:
        conn.close()


def _with_next(spans: list[tuple[int, int]]) -> Iterator[tuple[tuple[int, int], tuple[int, int]]]:
    """Each span, with the next (the last with itself)."""
    return zip(spans, [*spans[1:], spans[-1]], strict=True)


def passages(
    text: str, size: int = SHOWN // 2, overlap: int = OVERLAP
) -> Iterator[tuple[int, int]]:
    """Where ``text`` is cut into passages of about ``size`` characters, as (start, end),
    each starting about ``overlap`` characters (less than half of ``size``) before the
    end of the one before. Cut between words, so that a passage matches what its text
    does; a word longer than ``size`` makes its passage as long."""
    start = 0
    while len(text) - start > size:
        end = _between_words(text, start + size // 2, start + size, last=True)
        if end is None:  # a word to its end, or to the end of the text
            end = _between_words(text, start + size, len(text)) or len(text)
        yield start, end
        start = _between_words(text, end - overlap, end) or end
    if start < len(text):
        yield start, len(text)


# What may be between words: what is neither a letter nor a digit in Python's eyes, and
# the underscore. Of those, FTS5's unicode61 tokenizer reads marks and private-use
# characters as parts of words (see ``_between_words``).
_MAYBE_BETWEEN = re.compile(r"[\W_]")


def _between_words(text: str, low: int, high: int, *, last: bool = False) -> int | None:
    """The place after the first (or ``last``) character of ``text[low:high]`` that is
    between words (None if there is none). A space or a line's end, where there is one."""
    spaces = [text.rfind(c, low, high) if last else text.find(c, low, high) for c in " \n"]
    if max(spaces) >= 0:
        return (max(spaces) if last else min(p for p in spaces if p >= 0)) + 1
    place = None
    for found in _MAYBE_BETWEEN.finditer(text, low, high):
        category = unicodedata.category(found.group())
        if category[0] not in "LNM" and category != "Co":
            place = found.end()
            if not last:
                break
    return place
