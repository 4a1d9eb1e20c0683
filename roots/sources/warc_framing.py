"""Cutting WARC / ARC files (plain or multi-member gzip) into raw records, robustly and in parallel.

Robustness: a record is framed by its own header (WARC ``Content-Length``, ARC length field) and
checked (the ``\\r\\n\\r\\n`` separator must follow a WARC record). Anything that does not frame — a
corrupt or truncated gzip member, a wrong Content-Length, binary garbage — becomes one error frame at
its file offset, and reading resynchronises on the next record start: the next gzip member whose
first bytes decompress to a record header, or the next line starting a record in a plain file.

Parallelism: a file is cut into byte ranges of ``bytes_per_shard``. For gzip files a range owns the
items from the first *valid member start* at or after its beginning to the first one at or after its
end; validity is a property of the bytes at an offset (gzip magic whose decompressed head is a record
header), so every split yields the same items in the same order as one sequential pass. Plain files
are scanned once (headers only) to place the range boundaries on exact item starts.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

GZIP_MAGIC = b"\x1f\x8b\x08"
READ_CHUNK = 1 << 16
HEAD_BYTES = 64
MAX_HEADER_BYTES = 1 << 16
MAX_MEMBER_BYTES = 1 << 30
LENIENCY = 8  # bytes a Content-Length may be off by when the next record header still delimits the record

_WARC_START = re.compile(rb"WARC/\d+\.\d+\r?\n")
# ARC v1 "URL IP DATE MIME LENGTH" or v2 (10 fields, LENGTH last); the URL has a scheme and may
# contain spaces (real crawlers wrote them unescaped)
_ARC_LINE = re.compile(
    rb"[A-Za-z][A-Za-z0-9+.\-]{0,15}:[^\r\n]{0,8000}? [^ \r\n]+ \d{14} [^ \r\n]+(?: [^ \r\n]*){0,5} (\d+)\r?\n"
)
_ARC_HEAD = re.compile(rb"[A-Za-z][A-Za-z0-9+.\-]{0,15}:[^ \r\n]* ")
_WARC_RESYNC = re.compile(rb"(?m)^WARC/\d+\.\d+\r?\n")
_ARC_RESYNC = re.compile(rb"(?m)^" + _ARC_LINE.pattern)
_CONTENT_LENGTH = re.compile(rb"(?im)^content-length[ \t]*:[ \t]*(\d+)[ \t]*\r?$")


@dataclass(frozen=True)
class Frame:
    """One item of a file: a raw record (``data``) or an error at ``offset`` (+``inner``)."""

    offset: int  # file offset; for gzip files the offset of the member holding the item
    inner: int  # offset inside the decompressed member (0 for plain files and first records)
    data: bytes | None = None
    error: str | None = None
    detail: str = ""

    @property
    def position(self) -> str:
        return f"{self.offset}" if self.inner == 0 else f"{self.offset}+{self.inner}"


@dataclass(frozen=True)
class _Parsed:
    start: int
    stop: int  # end of the item's bytes (record without separator, or garbage)
    next: int  # where the next item starts
    error: str | None = None
    detail: str = ""


# ---------------------------------------------------------------- formats
# compressions roots does not read: (magic bytes, name, the command that undoes it)
UNSUPPORTED = (
    (b"\x28\xb5\x2f\xfd", "zstd", "zstd -d"),
    (b"\x04\x22\x4d\x18", "lz4", "lz4 -d"),
    (b"BZh", "bzip2", "bunzip2"),
    (b"\xfd7zXZ\x00", "xz", "unxz"),
)
UNSUPPORTED_SUFFIXES = (".zst", ".zstd", ".lz4", ".bz2", ".xz")


def unsupported_compression(path: Path) -> str | None:
    """Why a file cannot be read (a compression roots does not read, by magic bytes or name), else None."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    for magic, name, command in UNSUPPORTED:
        if head.startswith(magic):
            return f"{path.name} is {name}-compressed, which roots does not read; decompress it ({command}) or gzip it"
    if path.name.lower().endswith(UNSUPPORTED_SUFFIXES):
        return f"{path.name} has a compression suffix roots does not read; decompress it or gzip it"
    return None


def is_gzip(path: Path) -> bool:
    """Gzip files are read member by member (by name, or by magic bytes for unusual names)."""
    if path.name.lower().endswith(".gz"):
        return True
    with open(path, "rb") as handle:
        return handle.read(3) == GZIP_MAGIC


def sniff_format(path: Path) -> str:
    """``warc`` or ``arc``, from the first record (or the file name when that is unreadable)."""
    with _mapped(path) as mm:
        head = member_head(mm, 0) if mm[:3] == GZIP_MAGIC else bytes(mm[:HEAD_BYTES])
    if head and head.startswith(b"WARC/"):
        return "warc"
    if head and _ARC_HEAD.match(head):
        return "arc"
    name = path.name.lower()
    return "arc" if name.endswith((".arc", ".arc.gz")) else "warc"


def _is_start(buf: bytes | mmap.mmap, pos: int, fmt: str) -> bool:
    pattern = _WARC_START if fmt == "warc" else _ARC_LINE
    return (pos == 0 or buf[pos - 1] == 0x0A) and pattern.match(buf, pos) is not None


def _find_start(buf: bytes | mmap.mmap, pos: int, end: int, fmt: str) -> int:
    match = (_WARC_RESYNC if fmt == "warc" else _ARC_RESYNC).search(buf, pos, end)
    return match.start() if match else end


# ---------------------------------------------------------------- records in a buffer
def _parse_one(buf: bytes | mmap.mmap, pos: int, end: int, fmt: str) -> _Parsed | None:
    """The item starting at ``pos`` (a record, a framing error, or garbage); None for trailing blanks."""
    if not _is_start(buf, pos, fmt):
        nxt = _find_start(buf, pos + 1, end, fmt)
        if not bytes(buf[pos:nxt]).strip():
            return None if nxt >= end else _Parsed(pos, pos, nxt, "blank")
        return _Parsed(pos, nxt, nxt, "garbage", f"{nxt - pos} bytes that are not a {fmt.upper()} record")
    parsed = _parse_warc(buf, pos, end) if fmt == "warc" else _parse_arc(buf, pos, end)
    if parsed.error:
        nxt = _find_start(buf, pos + 1, end, fmt)
        return _Parsed(pos, nxt, nxt, parsed.error, parsed.detail)
    return parsed


def _parse_warc(buf: bytes | mmap.mmap, pos: int, end: int) -> _Parsed:
    head_end = buf.find(b"\r\n\r\n", pos, min(end, pos + MAX_HEADER_BYTES))
    if head_end < 0:
        return _Parsed(pos, pos, pos, "bad_header", "no end of WARC headers")
    match = _CONTENT_LENGTH.search(buf, pos, head_end + 2)
    if not match:
        return _Parsed(pos, pos, pos, "bad_header", "WARC record without Content-Length")
    length = int(match.group(1))
    content_end = head_end + 4 + length
    if buf[content_end : content_end + 4] == b"\r\n\r\n":
        return _Parsed(pos, content_end, content_end + 4)
    if content_end == end:
        return _Parsed(pos, content_end, content_end)
    lenient = _lenient_end(buf, head_end + 4, content_end, end)
    if lenient is not None:
        return _Parsed(pos, *lenient)
    if content_end > end:
        detail = f"Content-Length {length} runs {content_end - end} bytes past the end of the data"
        return _Parsed(pos, pos, pos, "content_length_mismatch", detail)
    return _Parsed(
        pos, pos, pos, "content_length_mismatch", f"no record separator after Content-Length {length}"
    )


def _lenient_end(buf: bytes | mmap.mmap, body: int, content_end: int, end: int) -> tuple[int, int] | None:
    """(stop, next) of a record whose Content-Length or separator is slightly off but which is still well
    delimited, as warcio reads it: the next record header (or the end of the data) starts within
    ``LENIENCY`` bytes of where the Content-Length says. The record stops before the line breaks there."""
    low, high = max(body, content_end - LENIENCY), content_end + LENIENCY
    found = _WARC_RESYNC.search(buf, low, min(end, high + HEAD_BYTES)) if low < end else None
    if found and found.start() <= high:
        nxt = found.start()
    elif low <= end <= high:
        nxt = end
    else:
        return None
    stop = nxt
    while stop > body and buf[stop - 1 : stop] in (b"\r", b"\n") and stop > nxt - 4:
        stop -= 1
    return stop, nxt


def _parse_arc(buf: bytes | mmap.mmap, pos: int, end: int) -> _Parsed:
    match = _ARC_LINE.match(buf, pos)
    assert match is not None  # checked by _is_start
    length = int(match.group(1))
    content_end = match.end() + length
    if content_end > end:
        detail = f"length {length} runs {content_end - end} bytes past the end of the data"
        return _Parsed(pos, pos, pos, "content_length_mismatch", detail)
    nxt = content_end + 1 if buf[content_end : content_end + 1] == b"\n" else content_end
    return _Parsed(pos, content_end, nxt)


def _items(buf: bytes | mmap.mmap, pos: int, end: int, fmt: str) -> Iterator[_Parsed]:
    while pos < end:
        parsed = _parse_one(buf, pos, end, fmt)
        if parsed is None:
            return
        if parsed.error != "blank":
            yield parsed
        pos = parsed.next


# ---------------------------------------------------------------- gzip members
def member_head(buf: bytes | mmap.mmap, offset: int) -> bytes | None:
    """The first decompressed bytes of the gzip member at ``offset`` (None if there is none)."""
    if buf[offset : offset + 3] != GZIP_MAGIC:
        return None
    inflater = zlib.decompressobj(31)
    out = b""
    pos = offset
    while len(out) < HEAD_BYTES and pos < len(buf) and not inflater.eof:
        try:
            out += inflater.decompress(buf[pos : pos + 256], HEAD_BYTES - len(out))
        except zlib.error:
            return None
        pos += 256
    return out


def _valid_member(buf: bytes | mmap.mmap, offset: int, fmt: str) -> bool:
    head = member_head(buf, offset)
    if not head:
        return False
    return head.startswith(b"WARC/") if fmt == "warc" else _ARC_HEAD.match(head) is not None


def _find_member(buf: bytes | mmap.mmap, pos: int, fmt: str) -> int:
    while True:
        found = buf.find(GZIP_MAGIC, pos)
        if found < 0:
            return len(buf)
        if _valid_member(buf, found, fmt):
            return found
        pos = found + 1


def _inflate_member(buf: bytes | mmap.mmap, offset: int) -> tuple[bytes, int, str | None, str]:
    """Decompress one member: (data, end offset, error reason, detail)."""
    inflater = zlib.decompressobj(31)
    parts: list[bytes] = []
    size = 0
    pos = offset
    while pos < len(buf):
        chunk = buf[pos : pos + READ_CHUNK]
        try:
            piece = inflater.decompress(chunk)
        except zlib.error as exc:
            return b"".join(parts), pos, "corrupt_gzip", f"gzip member: {exc}"
        size += len(piece)
        if size > MAX_MEMBER_BYTES:
            return (
                b"",
                pos,
                "member_too_large",
                f"gzip member over {MAX_MEMBER_BYTES} bytes; recompress per record",
            )
        parts.append(piece)
        if inflater.eof:
            return b"".join(parts), pos + len(chunk) - len(inflater.unused_data), None, ""
        pos += len(chunk)
    return b"".join(parts), len(buf), "truncated_gzip", "the file ends inside a gzip member"


def _gzip_frames(buf: mmap.mmap, start: int, stop: int, fmt: str) -> Iterator[Frame]:
    pos = start
    while pos < len(buf):
        if not _valid_member(buf, pos, fmt):
            nxt = _find_member(buf, pos + 1, fmt)
            if bytes(buf[pos:nxt]).strip(b"\x00\r\n\t "):
                yield Frame(pos, 0, error="garbage", detail=f"{nxt - pos} bytes that are not a gzip record")
            pos = nxt
            continue
        if pos >= stop:
            return
        data, member_end, error, detail = _inflate_member(buf, pos)
        items = list(_items(data, 0, len(data), fmt))
        if error:  # the last item is where the member broke: report it as the gzip error
            for p in items[:-1]:
                yield _frame(pos, p, data)
            yield Frame(pos, items[-1].start if items else 0, error=error, detail=detail)
            pos = _find_member(buf, pos + 1, fmt)
            continue
        for p in items:
            yield _frame(pos, p, data)
        pos = member_end


def _frame(offset: int, item: _Parsed, data: bytes) -> Frame:
    if item.error:
        return Frame(offset, item.start, error=item.error, detail=item.detail)
    return Frame(offset, item.start, data=data[item.start : item.stop])


def _plain_frames(buf: mmap.mmap, start: int, stop: int, fmt: str) -> Iterator[Frame]:
    for p in _items(buf, start, len(buf), fmt):
        if p.start >= stop:
            return
        if p.error:
            yield Frame(p.start, 0, error=p.error, detail=p.detail)
        else:
            yield Frame(p.start, 0, data=bytes(buf[p.start : p.stop]))


# ---------------------------------------------------------------- public API
@contextlib.contextmanager
def _mapped(path: Path) -> Iterator[mmap.mmap | bytes]:
    """The file as a read-only mmap (an empty bytes object for an empty file)."""
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            yield b""
            return
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            yield mm


def split_ranges(path: Path, fmt: str, gzip: bool, bytes_per_shard: int) -> list[tuple[int, int]]:
    """Work units of a file as ``(start, stop)`` byte offsets (see the module docstring)."""
    size = path.stat().st_size
    if gzip or size == 0:
        cuts = list(range(0, max(size, 1), bytes_per_shard))
        return list(zip(cuts, [*cuts[1:], size], strict=True))
    bounds = [0]
    next_cut = bytes_per_shard
    with _mapped(path) as mm:
        for item in _items(mm, 0, len(mm), fmt):  # a headers-only pass: content is skipped, not read
            if item.start >= next_cut:
                bounds.append(item.start)
                next_cut = (item.start // bytes_per_shard + 1) * bytes_per_shard
    return list(zip(bounds, [*bounds[1:], size], strict=True))


def read_frames(path: Path, fmt: str, gzip: bool, start: int, stop: int) -> Iterator[Frame]:
    """The items of one work unit in file order."""
    with _mapped(path) as mm:
        if not len(mm):
            return
        if gzip:
            first = _find_member(mm, start, fmt) if start > 0 else 0
            yield from _gzip_frames(mm, first, stop, fmt)
        else:
            yield from _plain_frames(mm, start, stop, fmt)
