"""Reading imported documents: the real format, the text (per page where there are pages)
and what the file says about itself.

Pure and offline: bytes in, plain values out. No database, no Qt, and nothing is ever
fetched; storing, limits and the worker processes that contain a hostile file are the
importer's job.

``extract`` lives in ``casefile.importing.extract.dispatch``: importing this package stays
cheap (the parsers load only where documents are read, in the importer's worker
processes).
"""

from casefile.importing.extract.detect import detect
from casefile.importing.extract.model import (
    Attachment,
    Damaged,
    Extracted,
    PasswordRequired,
    TooLarge,
    Unsupported,
)

__all__ = [
    "Attachment",
    "Damaged",
    "Extracted",
    "PasswordRequired",
    "TooLarge",
    "Unsupported",
    "detect",
]
