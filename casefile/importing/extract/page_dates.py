"""When a web page says it was published, to the precision it says it, and where it says so.

A page's publication date feeds timelines and citations, so it is taken only from places
that state it (structured data, the publication meta tags, a <time> marked as the
publication's, the address's date folders), read at the precision written: "2017" is a
year, "2017-03" a month. Nothing is filled in: not a day of the month, not a copyright
footer's first year, not a reading of 03/04/2017 (day or month first is the page's
secret; it is left empty, with a note). Generic date finders (htmldate, in trafilatura)
return a whole day whatever was stated, which is why they are not asked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from casefile.domain.dates import DateError, PartialDate
from casefile.importing.extract.metadata import partial_date

# Meta tags that name the publication date, by attribute value (lower case), best first.
_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "citation_publication_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
)
# /2017/03/22/ or /2017/03/ in the address: the date folders news sites file stories in.
_URL_DATE = re.compile(r"/((?:19|20)\d\d)/(0[1-9]|1[0-2])(?:/(0[1-9]|[12]\d|3[01]))?(?:/|$)")
_ISO_START = re.compile(r"\s*\d{4}(?:-\d{2})?(?:-\d{2})?(?:[T\s]|$)")


@dataclass(frozen=True)
class Found:
    published: PartialDate | None
    where: str  # "meta article:published_time", "JSON-LD datePublished", "the address"
    note: str = ""  # a date stated but not taken, and why


def published(tree: HtmlElement, url: str) -> Found:
    """The page's publication date, from the first place that states one readably."""
    unread = ""
    for where, text in _stated(tree):
        when, why = _read(text)
        if when is not None:
            return Found(when, where, unread)
        unread = unread or f"{where} says {text.strip()!r}: {why}"
    found = _URL_DATE.search(urlsplit(url).path) if url else None
    if found:
        year, month, day = found.groups()
        try:
            when = PartialDate(int(year), int(month), int(day) if day else None)
        except DateError:  # /2017/02/31/: a folder name, not a date
            return Found(None, "", unread)
        return Found(when, "the address")
    return Found(None, "", unread)


def _stated(tree: HtmlElement) -> Iterator[tuple[str, str]]:
    for text in _json_ld(tree):
        yield "JSON-LD datePublished", text
    metas: dict[str, str] = {}
    for meta in tree.iterfind(".//meta"):
        name = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = meta.get("content")
        if name in _META and content and name not in metas:
            metas[name] = content
    for name in _META:
        if name in metas:
            yield f"meta {name}", metas[name]
    for time in tree.iterfind(".//time"):
        if time.get("itemprop", "").lower() == "datepublished" or time.get("pubdate") is not None:
            text = time.get("datetime") or time.text_content()
            if text:
                yield "<time> of publication", text


def _json_ld(tree: HtmlElement) -> Iterator[str]:
    for script in tree.iterfind(".//script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except (ValueError, RecursionError):  # not JSON, or nested past Python's stack
            continue
        yield from _date_published(data)


def _date_published(data: Any) -> Iterator[str]:
    """Every datePublished in JSON-LD, through @graph lists and nested objects."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(reversed(item))
        elif isinstance(item, dict):
            value = item.get("datePublished")
            if isinstance(value, str) and value.strip():
                yield value
            pending.extend(v for v in reversed(item.values()) if isinstance(v, list | dict))


def _read(text: str) -> tuple[PartialDate | None, str]:
    """A stated date at its own precision, or why it was not taken."""
    if _ISO_START.match(text):
        found = partial_date(text)
        return (found, "") if found else (None, "not a date")
    try:
        return PartialDate.parse(text, dayfirst=None), ""
    except DateError:
        pass
    readings = set()
    for first in (True, False):
        try:
            readings.add(PartialDate.parse(text, dayfirst=first))
        except DateError:
            continue
    if len(readings) > 1:
        return None, "it reads either way, day or month first, so it was left empty"
    return None, "not a date"
