"""Checks that a fetched byte range is exactly one complete gzip member holding one whole WARC record."""

from __future__ import annotations

import re
import zlib

_CONTENT_LENGTH = re.compile(rb"\r\nContent-Length:[ \t]*(\d+)", re.IGNORECASE)


class BadRecord(Exception):
    """The bytes are not the record the index promised; ``retry`` says whether another try may help."""

    def __init__(self, reason: str, detail: str, *, retry: bool = True) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail, self.retry = reason, detail, retry


def check_member(data: bytes, length: int, max_bytes: int) -> None:
    """Raise ``BadRecord`` unless ``data`` is ``length`` bytes of one gzip member with one WARC record."""
    if len(data) != length:
        kind = "truncated" if len(data) < length else "too_long"
        raise BadRecord(kind, f"got {len(data)} bytes, expected {length}")
    if data[:2] != b"\x1f\x8b":
        raise BadRecord("not_gzip", f"starts with {data[:8]!r}, not a gzip member (wrong offset?)")
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        raw = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise BadRecord("corrupt_gzip", str(exc)) from None
    if len(raw) > max_bytes or inflater.unconsumed_tail:
        raise BadRecord("too_large", f"over {max_bytes} bytes decompressed", retry=False)
    if not inflater.eof:
        raise BadRecord("truncated_gzip", "the gzip member does not end within the range")
    if inflater.unused_data:
        raise BadRecord("not_one_member", f"{len(inflater.unused_data)} bytes after the gzip member")
    if not raw.startswith(b"WARC/1."):
        raise BadRecord("not_warc", f"decompresses to {raw[:12]!r}, not a WARC record")
    head_end = raw.find(b"\r\n\r\n")
    match = _CONTENT_LENGTH.search(raw, 0, head_end + 2) if head_end > 0 else None
    if match is None:
        raise BadRecord("not_warc", "no WARC Content-Length header")
    expected = head_end + 4 + int(match[1]) + 4
    if len(raw) != expected:
        raise BadRecord("warc_length_mismatch", f"record is {len(raw)} bytes, its headers say {expected}")
