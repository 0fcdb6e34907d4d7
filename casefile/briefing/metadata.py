"""What a pack says about itself in the PDF's metadata, besides its title and author: its
marking and handling block, where a records system or a search reads them without
opening the pages."""

from __future__ import annotations

from casefile.briefing.options import PackOptions


def subject(options: PackOptions) -> str:
    return f"{options.subtitle} — {options.marking}"


def keywords(options: PackOptions) -> str:
    """ "TLP:AMBER; Originator: Home Office; Reference: HO-2027-114; …": the marking
    first, then each handling field that is set, labelled as on the cover."""
    said = options.handling.said() if options.handling else []
    return "; ".join([options.marking, *(f"{label}: {text}" for label, text in said)])
