"""A briefing pack's handling block: besides its marking, what the office that receives
a pack files and handles it by. Who issued it, under which reference, to whom it goes,
how it is to be handled, when it is to be reviewed and whom to ask.

A case keeps the block its last pack carried, so the next pack carries it again unless
the user changes it (``briefing.service``)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from casefile.domain.dates import PartialDate

# How each field is named on a cover, in the file's metadata and beside its input, in
# the order a cover lists them.
LABELS = {
    "originator": "Originator",
    "reference": "Reference",
    "distribution": "Distribution",
    "instructions": "Handling",
    "review": "Review date",
    "contact": "Contact",
}


@dataclass(frozen=True)
class Handling:
    """Every field may be left empty; text is kept on one line, as a cover's table and a
    PDF's metadata hold it."""

    originator: str = ""
    reference: str = ""
    distribution: str = ""
    # ``cli``: the option's name (``casefile export pdf --handling``); ``about``: its help.
    instructions: str = field(
        default="", metadata={"cli": "handling", "about": "handling instructions"}
    )
    review: PartialDate | None = field(default=None, metadata={"about": "review date"})
    contact: str = ""

    def __post_init__(self) -> None:
        for name in LABELS:
            if name != "review":
                object.__setattr__(self, name, " ".join(getattr(self, name).split()))

    def stored(self) -> dict[str, str | None]:
        """Each field as plain text, the review date in its EDTF form: how the audit
        trail keeps a change of the block, and what a pack's state is hashed from."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {**values, "review": self.review.to_edtf() if self.review else None}

    def said(self) -> list[tuple[str, str]]:
        """The fields that are set, each as its label and its text ("Review date",
        "March 2027"), in ``LABELS`` order."""
        return [
            (label, str(value)) for name, label in LABELS.items() if (value := getattr(self, name))
        ]
