"""What an investigator types into the search box, turned into an FTS5 query and filters.

Plain words must all match; "exact phrases"; prefix*; OR between two terms; -word or
-"phrase" to exclude; and filters: kind:quote, tag:claim (a tag of several words in
quotes: tag:"needs OCR"), from:2016 to:2017, reliability:A-B. Whatever is typed is never
an error: every term reaches FTS5 as a quoted string (so AND, NEAR, punctuation or SQL are
just words), an unbalanced quote ends at the end of the line, and a filter that cannot be
read is searched as a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from casefile.domain.dates import DateError, PartialDate
from casefile.domain.errors import InvalidInput
from casefile.domain.terms import Kind, Reliability

# A quoted phrase (-"excluded"); a filter with a quoted value (tag:"needs OCR", #"…");
# anything else up to a space.
TOKEN = re.compile(r'(-?)"([^"]*)"?|((?:[A-Za-z]+:|#)"[^"]*"?|\S+)')
KIND_WORDS: dict[str, Kind | str] = {
    **{k.value: k for k in Kind},
    **{k.value + "s": k for k in Kind},
    "people": Kind.PERSON,
    "page": "page",
    "pages": "page",
    "note": "note",
    "notes": "note",
}


@dataclass(frozen=True)
class Term:
    text: str
    prefix: bool = False

    def fts(self) -> str:
        quoted = '"' + self.text.replace('"', '""') + '"'
        return quoted + " *" if self.prefix else quoted


@dataclass
class SearchQuery:
    """The parsed query. ``groups`` are ORed together; the terms inside one are ANDed."""

    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    kinds: set[Kind | str] = field(default_factory=set)
    tags: list[str] = field(default_factory=list)
    since: PartialDate | None = None
    until: PartialDate | None = None
    reliability: tuple[Reliability, ...] = ()

    @property
    def words(self) -> list[str]:
        """The plain words searched for (for near spellings of names)."""
        return [t.text for g in self.groups for t in g if " " not in t.text.strip()]

    @property
    def sought(self) -> list[str]:
        """Each term searched for (not excluded) as an FTS5 query of its own, once: what
        a snippet marks."""
        return list(dict.fromkeys(t.fts() for g in self.groups for t in g))

    def match(self) -> str | None:
        """The FTS5 MATCH expression, or None when nothing is searched for."""
        groups = [" AND ".join(t.fts() for t in g) for g in self.groups if g]
        if not groups:
            return None
        expression = " OR ".join(f"({g})" for g in groups)
        if self.excluded:
            expression = f"({expression}) NOT ({' OR '.join(t.fts() for t in self.excluded)})"
        return expression


CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def parse(text: str) -> SearchQuery:
    # Control characters are no one's words, and NUL would end FTS5's reading of a string.
    text = CONTROL.sub(" ", text)
    query = SearchQuery()
    pending_or = False
    for negated, phrase, bare in TOKEN.findall(text):
        if bare:
            if bare == "OR":
                pending_or = bool(query.groups)
                continue
            if _filter(query, bare):
                continue
            excluded = bare.startswith("-") and len(bare) > 1
            term = _term(bare[1:] if excluded else bare)
        else:
            excluded = bool(negated)
            term = Term(phrase.strip()) if phrase.strip() else None
        if term is None:
            continue
        if excluded:
            query.excluded.append(term)
        elif pending_or or not query.groups:
            query.groups.append([term])
        else:
            query.groups[-1].append(term)
        pending_or = False
    return query


def _term(word: str) -> Term | None:
    """A word, with a trailing * as a prefix; a word of punctuation alone is no term."""
    prefix = word.endswith("*")
    stem = word.rstrip("*")
    if not re.search(r"\w", stem):
        return None
    return Term(stem, prefix)


def tags_typed(text: str) -> tuple[list[str], str]:
    """The tags named in what was typed into a table's filter (``#tag``, or ``tag:tag``
    as in a search; either with a value of several words in quotes: ``#"needs OCR"``),
    and the rest of it as typed, the words the table is filtered by. (In a search, #word
    stays a word: a hashtag.)"""
    tags: list[str] = []
    rest: list[str] = []
    for found in TOKEN.finditer(CONTROL.sub(" ", text)):
        bare = found[3]
        query = SearchQuery()
        if bare.startswith("#"):
            bare = f"tag:{bare[1:]}"
        if bare and _filter(query, bare) and query.tags:
            tags += query.tags
        else:
            rest.append(found[0])
    return tags, " ".join(rest)


def _filter(query: SearchQuery, token: str) -> bool:
    """Apply ``name:value`` if it is a filter that can be read; else it is a word."""
    name, _, value = token.partition(":")
    name, value = name.casefold(), value.strip()
    if value.startswith('"'):
        value = value.strip('"').strip()
    if not value:
        return False
    try:
        if name == "kind" and value.casefold() in KIND_WORDS:
            query.kinds.add(KIND_WORDS[value.casefold()])
        elif name == "tag":
            query.tags.append(value)
        elif name == "from":
            query.since = PartialDate.parse(value)
        elif name == "to":
            query.until = PartialDate.parse(value)
        elif name == "reliability":
            query.reliability = _grades(value)
        else:
            return False
    except (DateError, InvalidInput):
        return False
    return True


def _grades(value: str) -> tuple[Reliability, ...]:
    """ "B", "A-C" or "A,B": the Admiralty reliability grades meant."""
    letters = [m.value for m in Reliability]
    parts = value.upper().replace(",", "-").split("-")
    if not all(p in letters for p in parts):
        raise InvalidInput(f"not a reliability grade: {value}")
    if "," in value:
        return tuple(Reliability.parse(p) for p in parts)
    low, high = sorted(letters.index(p) for p in (parts[0], parts[-1]))
    return tuple(Reliability.parse(v) for v in letters[low : high + 1])


def prefix_match(text: str) -> str | None:
    """The quick filter's query: every word typed, as the start of a word in the record
    (so "glasg" finds Glasgow), all of them required. None when no word was typed."""
    words = re.findall(r"\w+", CONTROL.sub(" ", text))
    return " AND ".join(Term(w, prefix=True).fts() for w in words) or None
