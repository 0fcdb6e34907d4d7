"""A web page's publication date at the precision the page states, from where it states
it, and none where it states none: real pages' habits, each made into a small page."""

from __future__ import annotations

import pytest

from casefile.domain.dates import PartialDate, Precision
from casefile.importing.extract.dispatch import extract

BODY = "<body><article><h1>Attacker acted alone</h1><p>" + "Police said so. " * 30
BODY += "</p></article><footer>© 1998–2015 The Paper. All rights reserved.</footer></body>"


def page(head: str, body: str = BODY) -> bytes:
    return f"<!DOCTYPE html><html><head><title>Attacker</title>{head}</head>{body}</html>".encode()


@pytest.mark.parametrize(
    ("head", "date", "where"),
    [
        (
            '<meta property="article:published_time" content="2017-03-22T18:00:00Z">',
            PartialDate(2017, 3, 22),
            "meta article:published_time",
        ),
        ('<meta name="date" content="2017">', PartialDate(2017), "meta date"),
        ('<meta name="dc.date" content="2017-03">', PartialDate(2017, 3), "meta dc.date"),
        (
            '<script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, '
            '{"@type": "NewsArticle", "datePublished": "2017-03-23"}]}</script>',
            PartialDate(2017, 3, 23),
            "JSON-LD datePublished",
        ),
        (
            '<meta name="pubdate" content="Wednesday, 22 March 2017 18:00 GMT">',
            PartialDate(2017, 3, 22),
            "meta pubdate",
        ),
    ],
    ids=["iso-datetime", "year", "month", "json-ld", "words"],
)
def test_a_stated_date_is_kept_at_its_precision_with_where_it_was_found(
    head: str, date: PartialDate, where: str
) -> None:
    result = extract(page(head), "page.html")
    assert result.published == date
    assert result.published.precision is date.precision
    assert result.metadata["Publication date from"] == where


def test_a_copyright_footer_is_not_a_publication_date() -> None:
    result = extract(page(""), "page.html")
    assert result.published is None
    assert "Publication date from" not in result.metadata


def test_a_date_that_reads_either_way_is_left_empty_with_a_note() -> None:
    result = extract(page('<meta name="date" content="03/04/2017">'), "page.html")
    assert result.published is None
    assert result.metadata["Date not taken"] == (
        "meta date says '03/04/2017': it reads either way, day or month first, so it was left empty"
    )


def test_a_date_that_is_no_date_or_json_nested_too_deep_costs_nothing() -> None:
    canonical = '<link rel="canonical" href="https://paper.example/2017/02/31/attacker">'
    deep = '<script type="application/ld+json">' + "[" * 5000 + "</script>"
    result = extract(page(canonical + deep), "page.html")
    assert result.published is None
    assert "Police said so." in result.pages[0]  # read, not refused


def test_the_address_date_folders_give_the_date_they_hold() -> None:
    canonical = '<link rel="canonical" href="https://paper.example/news/2017/03/attacker">'
    result = extract(page(canonical), "page.html")
    assert result.published == PartialDate(2017, 3)
    assert result.published.precision is Precision.MONTH
    assert result.metadata["Publication date from"] == "the address"
