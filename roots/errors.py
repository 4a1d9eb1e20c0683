"""Errors that mean "the user must change something", shown as one line without a traceback."""


class UserError(Exception):
    """A problem the user can fix (bad config, missing file); the CLI prints it as one line and exits 2."""


def plural(count: int, noun: str) -> str:
    """``1 document``, ``2 documents`` (with thousands separators)."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
