"""Limits every stage applies to one document, so one hostile input cannot exhaust memory or stall a shard.

``max_document_bytes`` (UTF-8 bytes of a document's text, or of the raw item it is read from: a jsonl
line, a WARC payload) is the same for every source and for the filter stage: an item over it becomes
``too_large`` with its size. Strings that cannot be written as UTF-8 (lone surrogates such as the
JSON escape ``"\\ud800"``) are ``invalid_unicode``.
"""

from __future__ import annotations

DEFAULT_MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
MAX_DOCUMENT_HELP = "documents (and raw input items) over this many bytes are errors 'too_large'"


def oversize(text: str, limit: int, what: str = "document") -> str | None:
    """Why ``text`` is over ``limit`` UTF-8 bytes, else None (encoded only when it could be near the limit)."""
    if len(text) * 4 <= limit:
        return None
    if len(text) > limit:
        return f"{what} of {len(text)} characters is over max_document_bytes={limit}"
    size = len(text.encode("utf-8", "surrogatepass"))
    return f"{what} of {size} bytes is over max_document_bytes={limit}" if size > limit else None


def oversize_bytes(size: int, limit: int, what: str) -> str | None:
    """Why a raw input item of ``size`` bytes is over ``limit``, else None."""
    return f"{what} of {size} bytes is over max_document_bytes={limit}" if size > limit else None


def invalid_unicode(*values: str | None) -> str | None:
    """A short description of the first string that is not valid Unicode text (a lone surrogate), else None."""
    for value in values:
        if value is None or value.isascii():
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return f"lone surrogate {value[exc.start]!r} at character {exc.start}"
    return None


def printable(value: str) -> str:
    """``value`` safe to write as UTF-8 (lone surrogates as ``\\udXXX`` escapes), for error records."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")
