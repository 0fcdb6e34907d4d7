"""Errors a person can act on.

Every ``KnownError`` carries a one-line message written for the user; the CLI prints it
and exits 1, the GUI shows it. Anything else that escapes is a bug, logged with its
traceback.
"""


class KnownError(Exception):
    """A known problem with a one-line, user-readable message."""


class InvalidInput(KnownError, ValueError):
    """The user typed something that cannot be stored as it is."""


class NotFound(KnownError):
    """No record (or no case file) answers to what was asked for."""


class AlreadyExists(KnownError):
    """A file would be replaced that the user did not say to replace."""


class CaseFileError(KnownError):
    """The file cannot be opened as a case: missing, foreign, locked, too new, encrypted."""


class Damaged(CaseFileError):
    """Parts of the case cannot be read: a rescued copy of the rest can be made."""


class NeedsPassphrase(CaseFileError):
    """The file is encrypted (or is not a database at all) and no passphrase was given."""


class WrongPassphrase(CaseFileError):
    """The passphrase does not open the file."""
