"""Which writing system a name is written in, so that a name in its original script and
its romanisation are printed side by side ("Khalid Masood · خالد مسعود").

A case records a name as the analyst writes it and keeps its other forms as aliases. Where
the name is in Latin letters and an alias is not (or the other way round), that alias is
the same name in another script: printed beside the name, not lost among the aliases.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import cache


@cache
def _is_latin_letter(char: str) -> bool:
    return unicodedata.name(char, "").startswith("LATIN")


def is_latin(text: str) -> bool:
    """Whether every letter of ``text`` is a Latin one (and it has a letter)."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(map(_is_latin_letter, letters))


def in_other_script(name: str, aliases: Sequence[str]) -> tuple[str, list[str]]:
    """The first alias in another writing system than ``name`` (its original script, or
    its romanisation), and the other aliases; "" where none is."""
    latin = is_latin(name)
    for index, alias in enumerate(aliases):
        letters = any(c.isalpha() for c in alias)
        if letters and is_latin(alias) != latin:
            return alias, [*aliases[:index], *aliases[index + 1 :]]
    return "", list(aliases)
