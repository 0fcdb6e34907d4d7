"""How well a value or a link is supported: the number of independent sources behind it
and the best grade among them, in the words every view uses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from casefile.domain.display import how_many
from casefile.domain.terms import Credibility, Reliability, grade_rank


@dataclass(frozen=True)
class Corroboration:
    independent: int
    best_grade: str  # "B2", "B", "2" or "" when nothing is graded

    @property
    def rank(self) -> tuple[int, int]:
        """The best grade's ``grade_rank``: smaller is better."""
        code = self.best_grade
        reliability = Reliability.parse(code[0]) if code[:1].isalpha() else None
        credibility = Credibility.parse(code[-1]) if code[-1:].isdigit() else None
        return grade_rank(reliability, credibility)

    def said(self) -> str:
        """'corroborated by 2 independent sources, best B2' (the same words everywhere)."""
        if not self.independent:
            return "no source supports it"
        grade = f", best {self.best_grade}" if self.best_grade else ", none graded"
        return f"corroborated by {how_many(self.independent, 'independent source')}{grade}"

    def short(self) -> str:
        """'2 · B2' for a table cell ('2 · —': none graded); '0' when nothing supports it."""
        if not self.independent:
            return "0"
        return f"{self.independent:,} · {self.best_grade or '—'}"


def weakest(found: Iterable[Corroboration]) -> Corroboration | None:
    """The least supported: fewest independent sources, then the worst best grade."""
    return min(found, key=lambda c: (c.independent, [-n for n in c.rank]), default=None)
