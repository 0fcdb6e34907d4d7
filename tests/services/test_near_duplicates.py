"""Near-duplicate documents on real case files: a syndicated copy of a wire story is
found at import and counts once; the analyst's verdict changes the count; a document of
the same words in another order is not a copy."""

from __future__ import annotations

import json
import random
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import text

from casefile.cli.main import main
from casefile.domain.corroboration import Corroboration
from casefile.domain.records import AttackFields, ReportFields
from casefile.domain.terms import DuplicateVerdict
from casefile.importing.fingerprint import fingerprint, similarity
from casefile.services.case import Case, open_case
from casefile.services.demo import article_bytes
from casefile.services.importer import Status

ARTICLE = article_bytes().decode("utf-8")


@pytest.fixture
def stories(tmp_path: Path) -> dict[str, Path]:
    """The seed article as a wire story, a syndicated copy with its own headline and
    footer, and the same words shuffled (same vocabulary, another text)."""
    words = ARTICLE.split()
    random.Random(17).shuffle(words)
    texts = {
        "wire": ARTICLE,
        "copy": "Syndicated from the wire service\n\n"
        + ARTICLE
        + "\n\nCopyright The Evening Paper 2017. All rights reserved.",
        "shuffled": " ".join(words),
    }
    folder = tmp_path / "stories"
    folder.mkdir()
    paths = {}
    for name, body in texts.items():
        paths[name] = folder / f"{name}.txt"
        paths[name].write_text(body, encoding="utf-8")
    return paths


def _imported(case: Case, paths: list[Path]) -> dict[str, tuple[UUID, str]]:
    report = case.importer.import_files(paths)
    assert [o.status for o in report.outcomes] == [Status.IMPORTED] * len(paths)
    assert all(o.message == "" for o in report.outcomes)  # read whole: no warning
    return {o.path.stem: (o.source_id, o.near_duplicate) for o in report.outcomes if o.source_id}


def test_a_syndicated_copy_is_found_at_import_and_the_shuffled_text_is_not(
    case: Case, stories: dict[str, Path]
) -> None:
    first = _imported(case, [stories["wire"]])
    found = _imported(case, [stories["copy"], stories["shuffled"]])
    wire, (copy, said), (shuffled, unsaid) = first["wire"][0], found["copy"], found["shuffled"]
    assert "near-duplicate of “" in said  # the import says so
    assert "% similar" in said
    assert unsaid == ""
    [match] = case.duplicates.of(copy)
    assert (match.other, match.verdict) == (wire, DuplicateVerdict.SUGGESTED)
    assert 0.8 <= match.similarity < 1.0
    assert [d.other for d in case.duplicates.of(wire)] == [copy]  # seen from either side
    assert case.duplicates.of(shuffled) == []


def test_two_copies_of_one_story_count_once_until_the_match_is_rejected(
    case: Case, stories: dict[str, Path]
) -> None:
    ids = _imported(case, [stories["wire"], stories["copy"]])
    wire, copy = ids["wire"][0], ids["copy"][0]
    attack = case.records.add(AttackFields(title="Westminster attack")).id
    for source in (wire, copy):
        case.facts.report(ReportFields(record=attack, fact="killed", value="4", source=source))
    assert case.records.get(attack).support == Corroboration(1, "")  # one story, twice

    before = len(case.history.entries())
    judged = case.duplicates.judge(copy, wire, DuplicateVerdict.REJECTED)
    assert judged.before is DuplicateVerdict.SUGGESTED
    assert case.records.get(attack).support == Corroboration(2, "")
    entries = case.history.entries()[before:]
    assert len({e.action_id for e in entries}) == 1  # one action, in the audit trail
    assert {e.record_id for e in entries if "near_duplicate" in e.changes} == {wire, copy}

    case.duplicates.judge(wire, copy, DuplicateVerdict.CONFIRMED)  # either way round
    assert case.records.get(attack).support == Corroboration(1, "")
    [fact] = [f for f in case.facts.facts_of(attack) if f.name == "killed"]
    assert fact.corroboration == Corroboration(1, "")  # the detail pane says the same


def test_a_scan_finds_the_matches_of_documents_imported_before_casefile_looked(
    case_path: Path, stories: dict[str, Path]
) -> None:
    with open_case(case_path) as case:
        ids = _imported(case, [stories["wire"], stories["copy"]])
        with case.sessions.write() as s:  # as a case from before revision 0009 holds them
            for table in ("near_duplicate", "fingerprint_band", "fingerprint"):
                s.execute(text(f"DELETE FROM {table}"))
        attack = case.records.add(AttackFields(title="Westminster attack")).id
        for source, _ in ids.values():
            case.facts.report(ReportFields(record=attack, fact="killed", value="4", source=source))
        assert case.records.get(attack).support == Corroboration(2, "")  # none found yet
        assert case.duplicates.every() == []
        before = len(case.history.entries())
        assert case.duplicates.scan() == 1
        [(_, match)] = case.duplicates.every()
        assert match.verdict is DuplicateVerdict.SUGGESTED
        assert case.records.get(attack).support == Corroboration(1, "")  # counted again
        found = case.history.entries()[before:]
        assert {e.record_id for e in found if "near_duplicate" in e.changes} == {
            source for source, _ in ids.values()
        }
        assert case.duplicates.scan() == 0  # nothing left to look at


def test_the_cli_lists_confirms_and_rejects_in_one_line_each(
    case_path: Path, stories: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    with open_case(case_path) as case:
        ids = _imported(case, [stories["wire"], stories["copy"]])
    wire, copy = str(ids["wire"][0]), str(ids["copy"][0])
    assert main(["duplicates", str(case_path), "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert {listed["source"], listed["other"]} == {wire, copy}
    assert listed["verdict"] == "suggested"
    assert main(["duplicates", str(case_path), copy[:8], "--reject", wire[:8]]) == 0
    assert "rejected: independent" in capsys.readouterr().out
    assert main(["show", str(case_path), wire[:8], "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [d["verdict"] for d in shown["near_duplicates"]] == ["rejected"]
    assert main(["duplicates", str(case_path), "--confirm", wire[:8]]) == 1
    assert "name the SOURCE" in capsys.readouterr().err


def test_a_fingerprint_needs_enough_words_and_ignores_case_and_line_breaks() -> None:
    assert fingerprint(["Too short to compare."]) is None
    a = fingerprint([ARTICLE])
    b = fingerprint([" ".join(ARTICLE.upper().split())])
    assert a is not None
    assert b is not None
    assert similarity(a, b) == 1.0


def test_an_undone_delete_brings_back_the_fingerprint_the_match_and_its_verdict(
    case: Case, stories: dict[str, Path]
) -> None:
    ids = _imported(case, [stories["wire"], stories["copy"]])
    wire, copy = ids["wire"][0], ids["copy"][0]
    case.duplicates.judge(copy, wire, DuplicateVerdict.CONFIRMED)
    attack = case.records.add(AttackFields(title="Westminster attack")).id
    for source in (wire, copy):
        case.facts.report(ReportFields(record=attack, fact="killed", value="4", source=source))
    assert case.records.get(attack).support == Corroboration(1, "")
    deletion = case.records.delete(copy)
    assert case.duplicates.of(wire) == []
    case.records.restore(deletion)
    [match] = case.duplicates.of(wire)
    assert (match.other, match.verdict) == (copy, DuplicateVerdict.CONFIRMED)
    assert case.records.get(attack).support == Corroboration(1, "")  # one story still
    third = stories["wire"].with_name("again.txt")
    third.write_text(ARTICLE + "\n\nRe-published with thanks.", encoding="utf-8")
    [again] = _imported(case, [third]).values()
    assert {d.other for d in case.duplicates.of(again[0])} == {wire, copy}  # its print is back
