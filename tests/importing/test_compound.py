"""Compound files written as MS-CFB lays them out, read back by olefile at its strictest."""

from __future__ import annotations

import io
import os

import olefile
import pytest

from casefile.importing.extract.compound import Storage, compound_file


def _read(data: bytes) -> olefile.OleFileIO:
    """olefile raising on every defect it can see, the slightest included."""
    return olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_POTENTIAL)


def _streams(storage: Storage, at: tuple[str, ...] = ()) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for name, child in storage.items():
        if isinstance(child, bytes):
            found["/".join((*at, name))] = child
        else:
            found |= _streams(child, (*at, name))
    return found


def test_every_stream_reads_back_in_its_storage() -> None:
    root: Storage = {
        "__properties_version1.0": bytes(range(32)),
        "__substg1.0_0037001F": "Заявление".encode("utf-16-le"),
        "empty": b"",
        "just under the mini cutoff": b"m" * 4095,
        "at the cutoff": os.urandom(4096),
        "__attach_version1.0_#00000000": {
            "__substg1.0_3701000D": {"__substg1.0_1000001F": "inner".encode("utf-16-le")},
            "__substg1.0_37010102": os.urandom(70_000),
        },
        "an empty storage": {},
    }

    with _read(compound_file(root)) as ole:
        assert {
            "/".join(path): ole.openstream(path).read() for path in ole.listdir(streams=True)
        } == _streams(root)
        assert ole.get_type("an empty storage") == olefile.STGTY_STORAGE


def test_siblings_make_a_search_tree_in_the_order_ms_cfb_compares_names() -> None:
    """Shorter names first, then by upper case: a reader that searches the tree for a
    name (as Outlook does) finds it."""
    names = ["b", "A", "ccc", "aa", "Ab", "B2", "d"]

    with _read(compound_file(dict.fromkeys(names, b"x"))) as ole:
        assert _in_order(ole, ole.root.sid_child) == ["A", "b", "d", "aa", "Ab", "B2", "ccc"]


def _in_order(ole: olefile.OleFileIO, sid: int) -> list[str]:
    if sid == olefile.NOSTREAM:
        return []
    entry = ole.direntries[sid]
    return [*_in_order(ole, entry.sid_left), entry.name, *_in_order(ole, entry.sid_right)]


def test_a_thousand_attachments_make_a_shallow_tree() -> None:
    root: Storage = {f"__attach_version1.0_#{n:08X}": {"d": bytes([n % 256])} for n in range(1000)}

    with _read(compound_file(root)) as ole:
        assert len(ole.listdir()) == 1000
        assert ole.openstream("__attach_version1.0_#000003E7/d").read() == bytes([999 % 256])


def test_a_file_whose_fat_outgrows_the_header_lists_it_in_difat_sectors() -> None:
    """The header lists 109 FAT sectors, 7 MB of file: past that, DIFAT sectors do."""
    large = os.urandom(9_000_000)

    with _read(compound_file({"large": large, "small": b"s"})) as ole:
        assert ole.openstream("large").read() == large
        assert ole.openstream("small").read() == b"s"


def test_a_name_longer_than_the_format_allows_is_refused() -> None:
    with pytest.raises(ValueError, match="at most 31 characters"):
        compound_file({"n" * 32: b""})
