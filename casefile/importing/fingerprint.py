"""A document's fingerprint: the MinHash of its text, to find near-duplicates.

A wire story re-published by several outlets reaches a case as several documents whose
texts differ by a headline, a byline or a footer. Exact hashes miss them; comparing every
pair of texts does not scale. A MinHash (rensa, in Rust) estimates how much two texts'
sets of five-word runs overlap (their Jaccard similarity) from 128 numbers each, and
banding those numbers (locality-sensitive hashing) finds the likely matches by index
lookups.

Computed in the sandbox worker beside the text it reads; stored and compared by
``services.near_duplicates``. The seed, the library's version (its algorithm) and the run
length are fixed: a fingerprint taken today must compare with one taken next year.
"""

from __future__ import annotations

import hashlib
import os
from array import array
from collections.abc import Iterable

PERMUTATIONS = 128
# 16 bands of 8 rows: two texts 80% alike share a band with 95% chance, two 50% alike
# with 6%; a candidate is then compared on all 128 numbers.
BANDS, ROWS = 16, 8
SHINGLE = 5  # words per run: long enough that common phrases do not make texts alike
MIN_WORDS = 40  # shorter texts (a caption, an empty page) say too little to compare
# The first 2,000 words decide (four pages or so; a wire story is a few hundred): texts
# that begin alike for that long are one story or one document's versions, and reading
# further would cost a long report's import more than the match is worth.
MAX_WORDS = 2_000


def fingerprint(texts: Iterable[str]) -> bytes | None:
    """The MinHash of the texts' words, as bytes; None when there are too few words.

    Words as white space separates them, case folded: punctuation stays on its word (a
    copy keeps its punctuation, and splitting on it costs twice the time, in a reader
    that has a whole import to get through)."""
    # rensa's allocator (mimalloc) reserves 1 GiB of address space when it loads: in a
    # reader, whose address space is what its memory limit counts, half of it. Reserved
    # in smaller steps, it takes what it uses. Loaded here, in the reader, under its limit.
    os.environ.setdefault("MIMALLOC_ARENA_RESERVE", "64MiB")
    from rensa import RMinHash

    words: list[str] = []
    for text in texts:
        words.extend(text.casefold().split())
        if len(words) >= MAX_WORDS:
            del words[MAX_WORDS:]
            break
    if len(words) < MIN_WORDS:
        return None
    shifted = (words[i:] for i in range(SHINGLE))  # each run: one word of each, zipped
    runs = set(map(" ".join, zip(*shifted, strict=False)))
    minhash = RMinHash(num_perm=PERMUTATIONS, seed=1)
    minhash.update(list(runs))
    return array("I", minhash.digest()).tobytes()  # 32-bit numbers, 512 bytes


def similarity(a: bytes, b: bytes) -> float:
    """The estimated Jaccard similarity of two fingerprints' texts: the share of their
    128 numbers that agree (MinHash's own estimator)."""
    left, right = array("I", a), array("I", b)
    return sum(x == y for x, y in zip(left, right, strict=True)) / PERMUTATIONS


def bands(signature: bytes) -> list[tuple[int, int]]:
    """(band, bucket) for each band: a 64-bit hash of its rows, signed (SQL's BIGINT)."""
    width = ROWS * 4
    return [
        (
            band,
            int.from_bytes(
                hashlib.blake2b(
                    signature[band * width : (band + 1) * width], digest_size=8
                ).digest(),
                "big",
                signed=True,
            ),
        )
        for band in range(BANDS)
    ]
