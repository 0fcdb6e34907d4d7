"""Compound files (MS-CFB) written from their storages and streams.

An Outlook message attached to another is a storage inside it; it is handed on as the
.msg Outlook would save it as, which is a compound file of its own. olefile reads
compound files but writes none, so this writes them: version 3 (512-byte sectors), a
stream under 4096 bytes in the mini stream as the format requires, and each storage's
children in a balanced binary search tree whose nodes are all black, which MS-CFB allows
("the simplest implementation ... would be to mark every node as black"). A balanced
tree keeps a reader's walk of a thousand attachments shallow.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import TypeAlias

# A storage: its children by name, each a storage or a stream's bytes.
Storage: TypeAlias = "dict[str, Storage | bytes]"

_SECTOR, _MINI_SECTOR, _MINI_CUTOFF = 512, 64, 4096
_PER_SECTOR = _SECTOR // 4  # sector numbers in a FAT sector
_DIFAT_IN_HEADER = 109
_FREE, _END_OF_CHAIN, _FAT_SECTOR, _DIFAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC
_NO_ENTRY = 0xFFFFFFFF
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_BLACK = 1
_NAME_AT_MOST = 31  # UTF-16 code units, before the terminating NUL
_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
# Signature, CLSID, minor and major version, byte order, sector and mini sector shifts,
# reserved, directory sectors (0 in version 3), FAT sectors, first directory sector,
# transaction signature, mini stream cutoff, first mini FAT sector and their count, first
# DIFAT sector and their count, the first 109 FAT sector numbers.
_HEADER = struct.Struct(f"<8s16sHHHHH6sIIIIIIIII{_DIFAT_IN_HEADER}I")
# Name, its length in bytes with its NUL, type, colour, left and right sibling, child,
# CLSID, state bits, creation and modification times, first sector, size.
_ENTRY = struct.Struct("<64sHBBIII16sIQQIQ")


def compound_file(root: Storage) -> bytes:
    """The bytes of a compound file whose root storage holds ``root``."""
    sectors, minis = _Chains(_SECTOR), _Chains(_MINI_SECTOR)
    entries = [_Entry("Root Entry", _ROOT)]
    entries[0].child = _children(root, entries, sectors, minis)
    entries[0].start, entries[0].size = sectors.add(bytes(minis.data)), len(minis.data)
    mini_fat = _table(minis.table)
    first_mini_fat = sectors.add(mini_fat)
    first_directory = sectors.add(b"".join(map(_Entry.packed, _padded(entries))))
    fat_sectors, first_difat, difats = _fat(sectors)
    header = _HEADER.pack(
        _SIGNATURE,
        bytes(16),
        0x003E,
        0x0003,
        0xFFFE,
        9,
        6,
        bytes(6),
        0,
        len(fat_sectors),
        first_directory,
        0,
        _MINI_CUTOFF,
        first_mini_fat,
        len(mini_fat) // _SECTOR,
        first_difat,
        difats,
        *fat_sectors[:_DIFAT_IN_HEADER],
        *[_FREE] * (_DIFAT_IN_HEADER - len(fat_sectors[:_DIFAT_IN_HEADER])),
    )
    return header + bytes(sectors.data)


class _Chains:
    """Sectors of one size, each stream a chain of them, and the table that chains them
    (the FAT for sectors, the mini FAT for mini sectors)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.data = bytearray()
        self.table: list[int] = []

    def add(self, data: bytes) -> int:
        """The first sector of ``data``, written in sectors of its own and chained."""
        if not data:
            return _END_OF_CHAIN
        start, count = len(self.table), -(-len(data) // self.size)
        self.table += [*range(start + 1, start + count), _END_OF_CHAIN]
        self.data += data.ljust(count * self.size, b"\0")
        return start


@dataclass
class _Entry:
    """A directory entry: a storage or a stream, and its place in its parent's tree."""

    name: str
    kind: int
    start: int = 0
    size: int = 0
    left: int = _NO_ENTRY
    right: int = _NO_ENTRY
    child: int = _NO_ENTRY

    def packed(self) -> bytes:
        if len(self.name) > _NAME_AT_MOST:
            raise ValueError(f"a compound file entry's name is at most 31 characters: {self.name}")
        name = self.name.encode("utf-16-le") + b"\0\0" if self.name else b""
        colour = _BLACK if self.kind else 0
        links = (self.left, self.right, self.child)
        return _ENTRY.pack(
            name, len(name), self.kind, colour, *links, bytes(16), 0, 0, 0, self.start, self.size
        )


def _children(storage: Storage, entries: list[_Entry], sectors: _Chains, minis: _Chains) -> int:
    """Adds the entries of ``storage``'s children (and theirs) to ``entries``; the one at
    the root of their tree."""
    placed = []
    for name in sorted(storage, key=_order):
        child = storage[name]
        placed.append(len(entries))
        if isinstance(child, bytes):
            chains = minis if len(child) < _MINI_CUTOFF else sectors
            entries.append(_Entry(name, _STREAM, chains.add(child), len(child)))
        else:
            entry = _Entry(name, _STORAGE)
            entries.append(entry)
            entry.child = _children(child, entries, sectors, minis)
    return _tree(placed, entries)


def _order(name: str) -> tuple[int, str]:
    """How MS-CFB orders siblings: the shorter name first, then by upper case."""
    return len(name), name.upper()


def _tree(placed: list[int], entries: list[_Entry]) -> int:
    """The root of a balanced binary search tree of the entries ``placed`` (in order),
    each linked to its left and right subtree."""
    if not placed:
        return _NO_ENTRY
    middle = len(placed) // 2
    node = entries[placed[middle]]
    node.left = _tree(placed[:middle], entries)
    node.right = _tree(placed[middle + 1 :], entries)
    return placed[middle]


def _padded(entries: list[_Entry]) -> list[_Entry]:
    """The directory filled to whole sectors (four entries each) with unused entries."""
    return entries + [_Entry("", 0) for _ in range(-len(entries) % (_SECTOR // _ENTRY.size))]


def _table(numbers: list[int]) -> bytes:
    """A FAT or mini FAT: sector numbers, the last sector filled with free ones."""
    return struct.pack(f"<{len(numbers)}I", *numbers) + b"\xff" * 4 * (-len(numbers) % _PER_SECTOR)


def _fat(sectors: _Chains) -> tuple[list[int], int, int]:
    """Writes the FAT, and the DIFAT sectors that list its sectors past the header's 109,
    after ``sectors``: the FAT's sector numbers, the first DIFAT sector and their count.
    Each grows with the other: counted until they agree."""
    used, fats, difats = len(sectors.table), 0, 0
    while True:
        need = -(-(used + fats + difats) // _PER_SECTOR)
        need_difat = -(-max(0, need - _DIFAT_IN_HEADER) // (_PER_SECTOR - 1))
        if (need, need_difat) == (fats, difats):
            break
        fats, difats = need, need_difat
    fat_sectors = list(range(used, used + fats))
    difat_sectors = list(range(used + fats, used + fats + difats))
    table = sectors.table + [_FAT_SECTOR] * fats + [_DIFAT_SECTOR] * difats
    sectors.data += _table(table)
    listed = fat_sectors[_DIFAT_IN_HEADER:]
    per_difat = _PER_SECTOR - 1  # and the number of the next DIFAT sector
    for number, following in enumerate([*difat_sectors[1:], _END_OF_CHAIN][:difats]):
        batch = listed[number * per_difat : (number + 1) * per_difat]
        free = [_FREE] * (per_difat - len(batch))
        sectors.data += struct.pack(f"<{_PER_SECTOR}I", *batch, *free, following)
    return fat_sectors, difat_sectors[0] if difat_sectors else _END_OF_CHAIN, difats
