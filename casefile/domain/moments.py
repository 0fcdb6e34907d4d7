"""Times the case records (changes, creation), as the reader's clock shows them.

They are stored in UTC, so a case reads the same wherever it is opened; they are shown
in the reader's own time zone, named, in the style of the dates in the records
("3 Dec 2026", not "03 Dec 2026" beside "22 March 2017").
"""

from datetime import datetime

# ``at`` is aware (the case's timestamps are: casefile.db.types.UtcDateTime).


def moment(at: datetime) -> str:
    """'3 Dec 2026 05:46 UTC', or in the zone of this computer ('06:46 CET')."""
    local = at.astimezone()
    return f"{local.day} {local:%b %Y %H:%M %Z}"


def day_of(at: datetime) -> str:
    """'3 Dec 2026': the reader's day, which near midnight is not UTC's."""
    local = at.astimezone()
    return f"{local.day} {local:%b %Y}"
