"""Stored documents: bytes kept once, by hash, and given back unchanged."""

from __future__ import annotations

import hashlib
from pathlib import Path
from uuid import uuid4

import pytest

from casefile.domain.errors import InvalidInput, NotFound
from casefile.domain.records import SourceFields
from casefile.domain.terms import Kind
from casefile.services.case import Case, open_case
from tests.services.record_checks import blob_count


def test_documents_store_bytes_once_and_give_them_back(case_path: Path) -> None:
    data = b"\x00\x01binary\xff" * 1000
    sha = hashlib.sha256(data).hexdigest()
    with open_case(case_path, backups=False) as case:
        source = case.records.add(SourceFields(title="S"))
        first = case.documents.attach(
            data, "scan.pdf", source=source.id, media_type="application/pdf", pages=["one", "two"]
        )
        second = case.documents.attach(data, "copy of scan.pdf", source=source.id)
        different = case.documents.attach(
            b"other bytes", "other.txt", source=source.id, media_type="text/plain"
        )
        assert first.fields.sha256 == second.fields.sha256 == sha
        assert first.fields.size == second.fields.size == len(data)
        assert different.fields.sha256 == hashlib.sha256(b"other bytes").hexdigest()
        assert blob_count(case) == 2
        assert case.check() == []
        create = case.history.entries(first.id)[0]
        assert create.action == "create"
        assert create.changes["sha256"] == [None, sha]
        assert create.changes["size"] == [None, len(data)]
        assert create.changes["source"] == [None, str(source.id)]

        with pytest.raises(InvalidInput):
            case.records.update(first.id, {"sha256": "0" * 64})
        with pytest.raises(InvalidInput):
            case.records.update(first.id, {"size": 1})
        renamed = case.records.update(first.id, {"file_name": "judgment.pdf"})
        assert renamed.fields.file_name == "judgment.pdf"
        assert renamed.fields.sha256 == sha
        with pytest.raises(InvalidInput):
            case.documents.attach(b"x", "x.bin", source=uuid4())
        assert case.info().counts[Kind.DOCUMENT] == 3
        assert blob_count(case) == 2

    with open_case(case_path, backups=False) as case:
        assert case.documents.content(first.id) == data
        assert case.documents.content(second.id) == data
        assert case.documents.content(different.id) == b"other bytes"
        assert case.documents.pages(first.id) == ["one", "two"]
        assert case.documents.pages(second.id) == []
        assert [d.id for d in case.records.documents_of(source.id)] == [
            first.id,
            second.id,
            different.id,
        ]
        assert case.records.get(second.id).fields.sha256 == sha
        assert case.check() == []
        with pytest.raises(NotFound):
            case.documents.content(uuid4())


def test_attach_new_bytes_without_a_source(case: Case) -> None:
    doc = case.documents.attach(b"loose bytes", "loose.bin")
    assert doc.fields.source is None
    assert case.documents.content(doc.id) == b"loose bytes"
