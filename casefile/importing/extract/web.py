"""Saved web pages (HTML files and MHTML single-file archives): the article and its metadata.

An investigator opening a saved extremist page must not announce themselves to its server,
so nothing here reaches the network: trafilatura and lxml are only ever given the page
already in memory (a URL passed along is a label, never fetched), lxml loads no external
DTD or resource, and scripts are text to be dropped, never run.

libxml2 stops at its limits (256 levels of nesting, about 10 MB of text in one piece) and
keeps what it had, without failing; what it left out is said, never dropped in silence.
"""

from __future__ import annotations

import email
import re
from collections.abc import Iterable
from dataclasses import replace
from email import policy
from typing import Any

import trafilatura
from lxml.etree import ErrorTypes, ParserError
from lxml.html import HtmlElement, HTMLParser, document_fromstring
from trafilatura.settings import Document

from casefile.domain.formats import Format
from casefile.importing.extract.chat import is_telegram_html, read_telegram_html
from casefile.importing.extract.decode import Decoded, decode
from casefile.importing.extract.metadata import split_authors
from casefile.importing.extract.model import Damaged, Extracted
from casefile.importing.extract.page_dates import published

# A page's charset: a <meta> or an XML declaration; looked for in its first 64 KB (browsers
# look in the first 1 KB, and garble the saved copies that put it later).
_DECLARED = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)""",
    re.IGNORECASE,
)
_DECLARED_WITHIN = 65536
# As trafilatura parses (the text is already decoded, so the page's own charset is ignored).
_PARSER = HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False, no_network=True
)
_HIDDEN = frozenset({"head", "script", "style", "noscript", "template", "iframe", "object", "svg"})
_BLOCKS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt"),
        *("figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul"),
    }
)
_CELLS = frozenset({"td", "th"})
_DEPTH = re.compile(r"depth in document: (\d+)", re.IGNORECASE)


def read_html(data: bytes, chosen: str | None = None) -> Extracted:
    """The page, in the encoding ``chosen`` if the user chose one (else as it says)."""
    return _page(decode(data, _declared_charset(data), chosen), Format.HTML)


def read_mhtml(data: bytes) -> Extracted:
    """The archive's page; its Content-Location is the page's address if it names no other."""
    archive = email.message_from_bytes(data, policy=policy.default)
    part = next((p for p in archive.walk() if p.get_content_type() == "text/html"), None)
    payload = None if part is None else part.get_payload(decode=True)
    if part is None or not isinstance(payload, bytes):
        raise Damaged("damaged web archive: it holds no HTML page")
    html = decode(payload, part.get_content_charset() or _declared_charset(payload))
    location = part["Content-Location"] or archive["Snapshot-Content-Location"] or ""
    saved = {"Saved": str(archive["Date"])} if archive["Date"] else {}
    return _page(html, Format.MHTML, url=str(location).strip(), metadata=saved)


def html_text(html: str) -> tuple[str, str]:
    """The readable text of an HTML page or fragment (an e-mail's HTML body, say), and
    why it is not the whole text ("" if it is): see ``_parse``."""
    tree, cut = _parse(html)
    return ("" if tree is None else _text(tree)), cut


def visible_text(data: bytes) -> tuple[str, str]:
    """All the visible text of an HTML document, decoded as a page is (an e-book's
    chapter: nothing in it is boilerplate to leave out), and why it is not the whole
    text ("" if it is)."""
    tree, cut = _parse(decode(data, _declared_charset(data)).text)
    return ("" if tree is None else _visible_text(tree)), cut


def _page(
    decoded: Decoded, kind: Format, *, url: str = "", metadata: dict[str, str] | None = None
) -> Extracted:
    shown = dict(metadata or {})
    tree, cut = _parse(decoded.text)
    warnings = (f"the page {cut}",) if cut else ()
    if tree is None:
        return Extracted(
            format=kind, url=url, pages=("",), metadata=shown, warnings=warnings, decoded=decoded
        )
    if is_telegram_html(decoded.text[:_DECLARED_WITHIN]):  # a chat: names and times are text
        chat = read_telegram_html(tree, kind)
        return replace(chat, url=url, metadata={**shown, **chat.metadata}, decoded=decoded)
    found = trafilatura.extract_metadata(tree, default_url=url or None)
    date = published(tree, found.url or url)
    for name, value in (
        ("Description", found.description),
        ("Categories", ", ".join(found.categories or ())),
        ("Tags", ", ".join(found.tags or ())),
        ("Publication date from", date.where),
        ("Date not taken", date.note),
    ):
        if value:
            shown[name] = value
    return Extracted(
        format=kind,
        title=found.title or "",
        authors=split_authors(found.author),
        publisher=found.sitename or "",
        published=date.published,
        url=found.url or url,
        language=str(tree.get("lang") or "").strip(),
        pages=(_text(tree),),
        metadata=shown,
        warnings=warnings,
        decoded=decoded,
    )


def _declared_charset(data: bytes) -> str | None:
    """The charset a page declares, wherever in its markup (a saved copy may put it
    after a kilobyte of scripts, where a browser's first look would not find it)."""
    found = _DECLARED.search(data[:_DECLARED_WITHIN])
    if not found:
        return None
    label: bytes = found[1] or found[2]
    return label.decode("ascii")


def _parse(html: str) -> tuple[HtmlElement | None, str]:
    """The page as a tree, fragments (as e-mail bodies often are) made whole pages; and
    what the parser left out at one of its limits, as a clause ("" if nothing).

    Parsed here, not by trafilatura's loader: that one guesses encodings of its own and
    refuses fragments. The limits stay (no ``huge_tree``): they are what keeps a hostile
    page's cost bounded.
    """
    try:
        tree = document_fromstring(html.encode("utf-8", "surrogatepass"), parser=_PARSER)
    except ParserError:  # nothing but whitespace
        return None, ""
    return tree, _left_out(_PARSER.error_log)


def _left_out(errors: Iterable[Any]) -> str:
    """What the parser's limits cost, from its log (of the last parse only)."""
    for error in errors:
        if error.type != ErrorTypes.ERR_RESOURCE_LIMIT:
            continue
        depth = _DEPTH.search(error.message)
        if depth:
            return (
                f"is nested too deep to read whole (more than {depth[1]} levels): "
                "the text deeper in was not read"
            )
        return "is too large to read whole (a parser's limit): part of its text was not read"
    return ""


def _text(tree: HtmlElement) -> str:
    """The main text as trafilatura finds it (navigation, ads, scripts dropped), else all of
    the visible text: a page with no article still says something."""
    found = trafilatura.bare_extraction(
        tree, include_comments=False, include_tables=True, include_images=False
    )
    if not isinstance(found, Document) or not found.text:
        return _visible_text(tree)
    return "\n".join(line.rstrip() for line in found.text.split("\n")).strip()


def _visible_text(tree: HtmlElement) -> str:
    body = tree.find(".//body")
    # Walked with a stack rather than recursion: a hostile page can nest deeper than Python.
    pending: list[HtmlElement | str] = [tree if body is None else body]
    out: list[str] = []
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        pending.append(item.tail or "")
        # Anything that is not an element (the parser drops comments) has no string tag.
        tag = item.tag.lower() if isinstance(item.tag, str) else "script"
        if tag not in _HIDDEN:
            gap = "\n" if tag in _BLOCKS else " " if tag in _CELLS else ""
            pending.extend((gap, *reversed(item), item.text or "", gap))
    lines = (" ".join(line.split()) for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line)
