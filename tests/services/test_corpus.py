"""Issue 17's quality bar on a real-world corpus: public test suites' files and files made
with the formats' own libraries (``tests/corpus/``), imported once through the real
importer into a case on disk, and held against the formats' own readers.

``benchmarks/import_corpus.py`` prints the same measures, per format."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from pathlib import Path

import pytest

from casefile.domain.dates import PartialDate
from casefile.services.case import create_case
from casefile.services.importer import Status
from tests.corpus.reference import (
    CONTROL,
    FILES,
    TITLE_AT_MOST,
    Stored,
    charset_normalizer_text,
    decoded_right,
    expected_text,
    format_of,
    import_corpus,
    make_files,
    more_precise,
    recall,
    reference_text,
    stated_date,
    word_parts,
)

MAIL_RECALL_AT_LEAST = 0.98
WORD_RECALL_AT_LEAST = 0.95


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Path, Stored]]:
    """Every corpus file, committed and made, as the one import left it; the made files
    stay on disk for their readers until the module is done."""
    folder = tmp_path_factory.mktemp("corpus")
    made = make_files(folder / "made")
    with create_case(folder / "corpus.casefile") as case:
        yield import_corpus(case, made.and_committed())


def of_format(corpus: dict[Path, Stored], *folders: str) -> dict[Path, Stored]:
    return {path: found for path, found in corpus.items() if format_of(path) in folders}


@pytest.mark.slow
def test_every_file_is_imported_or_refused_or_kept_with_its_reason(
    corpus: dict[Path, Stored],
) -> None:
    committed = {p for folder in FILES.iterdir() for p in folder.iterdir()}
    assert committed <= corpus.keys()
    unexplained = [
        path.name
        for path, found in corpus.items()
        if found.status not in (Status.IMPORTED, Status.DUPLICATE) and not found.outcome.message
    ]
    assert not unexplained
    assert not [path.name for path, found in corpus.items() if found.status is Status.SKIPPED]
    protected = {"crazyones-encrypted-256.pdf", "libreoffice-writer-password.pdf"}
    assert {p.name for p, f in corpus.items() if f.outcome.needs_password} >= protected


@pytest.mark.slow
def test_each_text_file_charset_normalizer_decodes_right_is_stored_right(
    corpus: dict[Path, Stored],
) -> None:
    texts = of_format(corpus, "text")
    readable = [p for p in texts if charset_normalizer_text(p) == expected_text(p)]
    assert len(readable) >= 25  # of 33: CPython's CJK files and charset_normalizer's samples
    wrong = [p.name for p in readable if not decoded_right(texts[p].text, p)]
    assert not wrong


@pytest.mark.slow
def test_mail_bodies_are_stored_as_pythons_email_package_reads_them(
    corpus: dict[Path, Stored],
) -> None:
    recalls = {
        path.name: measured
        for path, found in of_format(corpus, "mail").items()
        if (reference := reference_text(path)) is not None
        and (measured := recall(reference, found.text)) is not None
    }
    assert len(recalls) >= 25  # of CPython's 48 test messages, those whose body has words
    below = {name: round(r, 2) for name, r in recalls.items() if r < MAIL_RECALL_AT_LEAST}
    assert statistics.mean(recalls.values()) >= MAIL_RECALL_AT_LEAST, below


@pytest.mark.slow
def test_every_kind_of_word_part_is_stored_as_python_docx_reads_it(
    corpus: dict[Path, Stored],
) -> None:
    by_kind: dict[str, list[float]] = {}
    for path, found in of_format(corpus, "word").items():
        for kind, text in word_parts(path).items():
            measured = recall(text, found.text)
            if measured is not None:
                by_kind.setdefault(kind, []).append(measured)
    assert by_kind.keys() == {"body", "tables", "headers and footers", "comments"}
    means = {kind: statistics.mean(values) for kind, values in by_kind.items()}
    assert min(means.values()) >= WORD_RECALL_AT_LEAST, means


@pytest.mark.slow
def test_no_title_has_a_control_character_or_is_over_500_characters(
    corpus: dict[Path, Stored],
) -> None:
    titled = {path.name: found.title for path, found in corpus.items() if found.title}
    # The made files that state such titles were read, so the check below saw them.
    assert "Threat assessment" in titled["control-title.pdf"]
    assert titled["long-subject.eml"].startswith("Westminster Westminster")
    bad = {name: title[:60] for name, title in titled.items() if CONTROL.search(title)}
    long = [name for name, title in titled.items() if len(title) > TITLE_AT_MOST]
    assert not bad
    assert not long


@pytest.mark.slow
def test_no_date_is_stored_more_precisely_than_the_file_states_it(
    corpus: dict[Path, Stored],
) -> None:
    dated = {path: found.published for path, found in corpus.items() if found.published}
    # Mails and the made pages and books state dates, and those were stored.
    assert len(dated) >= 25
    assert {p.name for p in dated} >= {"published-year.html", "published-month.html"}
    wrong = {
        path.name: (str(published), str(stated_date(path)))
        for path, published in dated.items()
        if more_precise(published, stated_date(path))
    }
    assert not wrong


def test_recall_counts_the_references_words_found_in_forms_alike() -> None:
    assert recall("The attacker acted alone", "the ATTACKER acted") == 2 / 3
    assert recall("diﬀerently", "he thinks differently") == 1.0  # pdftotext keeps ligatures
    assert recall("a b c", "anything") is None


def test_a_date_is_more_precise_than_stated_when_it_says_more_or_otherwise() -> None:
    march = PartialDate(2017, 3)
    assert more_precise(PartialDate(2017, 3, 1), march)  # a day the file does not give
    assert more_precise(PartialDate(2017, 4), march)
    assert more_precise(PartialDate(2017), None)  # a date where the file states none
    assert not more_precise(PartialDate(2017), march)
    assert not more_precise(march, march)
    assert not more_precise(None, march)
