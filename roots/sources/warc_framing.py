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
from typing import cast

from roots import storage
from roots.storage import open_binary

Buffer = bytes | bytearray | mmap.mmap  # a whole file (mmap) or an inflated gzip member window
GZIP_MAGIC = b"\x1f\x8b\x08"
READ_CHUNK = 1 << 16
HEAD_BYTES = 64
MAX_HEADER_BYTES = 1 << 16
PIECE = 1 << 20  # most bytes one inflation step adds to memory
PEEK_BYTES = 8192  # of a refused record's content: its HTTP headers
HEAD_FILL = 16384  # first bytes inflated for a record: its header, usually
LENIENCY = 8  # bytes a Content-Length may be off by when the next record header still delimits the record

_WARC_START = re.compile(rb"WARC/\d+\.\d+\r*\n")  # real files end lines with \r\r\n too
# ARC v1 "URL IP DATE MIME LENGTH" or v2 (10 fields, LENGTH last); the URL has a scheme and may
# contain spaces (real crawlers wrote them unescaped)
_ARC_LINE = re.compile(
    rb"[A-Za-z][A-Za-z0-9+.\-]{0,15}:[^\r\n]{0,8000}? [^ \r\n]+ \d{14} [^ \r\n]+(?: [^ \r\n]*){0,5} (\d+)\r?\n"
)
_ARC_HEAD = re.compile(rb"[A-Za-z][A-Za-z0-9+.\-]{0,15}:[^ \r\n]* ")
_WARC_RESYNC = re.compile(rb"(?m)^WARC/\d+\.\d+\r*\n")
_BLANK_LINE = re.compile(rb"\n\r*\n")  # the end of a header block
_ARC_RESYNC = re.compile(rb"(?m)^" + _ARC_LINE.pattern)
_CONTENT_LENGTH = re.compile(rb"(?im)^content-length[ \t]*:[ \t]*(\d+)[ \t]*\r*$")


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
    with open_binary(path) as handle:
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
    with open_binary(path) as handle:
        return handle.read(3) == GZIP_MAGIC


def sniff_format(path: Path) -> str:
    """``warc`` or ``arc``, from the first record (or the file name when that is unreadable)."""
    with _mapped(path, ranged=True) as mm:
        head = member_head(mm, 0) if mm[:3] == GZIP_MAGIC else bytes(mm[:HEAD_BYTES])
    if head and head.startswith(b"WARC/"):
        return "warc"
    if head and _ARC_HEAD.match(head):
        return "arc"
    name = path.name.lower()
    return "arc" if name.endswith((".arc", ".arc.gz")) else "warc"


def _is_start(buf: Buffer, pos: int, fmt: str) -> bool:
    pattern = _WARC_START if fmt == "warc" else _ARC_LINE
    return (pos == 0 or buf[pos - 1] == 0x0A) and pattern.match(buf, pos) is not None


def _find_start(buf: Buffer, pos: int, end: int, fmt: str) -> int:
    match = (_WARC_RESYNC if fmt == "warc" else _ARC_RESYNC).search(buf, pos, end)
    return match.start() if match else end


# ---------------------------------------------------------------- records in a buffer
def _parse_one(buf: Buffer, pos: int, end: int, fmt: str, cap: int) -> _Parsed | None:
    """The item starting at ``pos`` (a record, a framing error, or garbage); None for trailing blanks."""
    if not _is_start(buf, pos, fmt):
        nxt = _find_start(buf, pos + 1, end, fmt)
        if not bytes(buf[pos:nxt]).strip():
            return None if nxt >= end else _Parsed(pos, pos, nxt, "blank")
        return _Parsed(pos, nxt, nxt, "garbage", f"{nxt - pos} bytes that are not a {fmt.upper()} record")
    declared = _declared(buf, pos, end, fmt)
    if declared is not None and declared[1] > cap:  # refused by its declared length, content never read
        detail = f"record of {declared[1]} bytes is over the limit of {cap} (max_document_bytes + headers)"
        peek = min(declared[0] + PEEK_BYTES, end)  # the headers, to tell a page from an image
        return _Parsed(pos, peek, declared[0] + declared[1], "too_large", detail)
    parsed = _parse_warc(buf, pos, end) if fmt == "warc" else _parse_arc(buf, pos, end)
    if parsed.error:
        nxt = _find_start(buf, pos + 1, end, fmt)
        return _Parsed(pos, nxt, nxt, parsed.error, parsed.detail)
    return parsed


def _declared(buf: Buffer, pos: int, end: int, fmt: str) -> tuple[int, int] | None:
    """(content start, declared content length) of the record header at ``pos``, if it is complete."""
    if fmt == "arc":
        match = _ARC_LINE.match(buf, pos)
        return (match.end(), int(match.group(1))) if match else None
    head = _header_end(buf, pos, end)
    length = _CONTENT_LENGTH.search(buf, pos, head[0]) if head else None
    return (head[1], int(length.group(1))) if head and length else None


def _header_end(buf: Buffer, pos: int, end: int) -> tuple[int, int] | None:
    """(end of the last header line, start of the content) of the WARC header block at ``pos``."""
    blank = _BLANK_LINE.search(buf, pos, min(end, pos + MAX_HEADER_BYTES))
    return (blank.start() + 1, blank.end()) if blank else None


def _parse_warc(buf: Buffer, pos: int, end: int) -> _Parsed:
    head = _header_end(buf, pos, end)
    if head is None:
        return _Parsed(pos, pos, pos, "bad_header", "no end of WARC headers")
    match = _CONTENT_LENGTH.search(buf, pos, head[0])
    if not match:
        return _Parsed(pos, pos, pos, "bad_header", "WARC record without Content-Length")
    length = int(match.group(1))
    content_end = head[1] + length
    if buf[content_end : content_end + 4] == b"\r\n\r\n":
        return _Parsed(pos, content_end, content_end + 4)
    if content_end == end:
        return _Parsed(pos, content_end, content_end)
    lenient = _lenient_end(buf, head[1], content_end, end)
    if lenient is not None:
        return _Parsed(pos, *lenient)
    if content_end > end:
        detail = f"Content-Length {length} runs {content_end - end} bytes past the end of the data"
        return _Parsed(pos, pos, pos, "content_length_mismatch", detail)
    return _Parsed(
        pos, pos, pos, "content_length_mismatch", f"no record separator after Content-Length {length}"
    )


def _lenient_end(buf: Buffer, body: int, content_end: int, end: int) -> tuple[int, int] | None:
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


def _parse_arc(buf: Buffer, pos: int, end: int) -> _Parsed:
    match = _ARC_LINE.match(buf, pos)
    assert match is not None  # checked by _is_start
    length = int(match.group(1))
    content_end = match.end() + length
    if content_end > end:
        detail = f"length {length} runs {content_end - end} bytes past the end of the data"
        return _Parsed(pos, pos, pos, "content_length_mismatch", detail)
    nxt = content_end + 1 if buf[content_end : content_end + 1] == b"\n" else content_end
    return _Parsed(pos, content_end, nxt)


def _items(buf: Buffer, pos: int, end: int, fmt: str, cap: int) -> Iterator[_Parsed]:
    while pos < end:
        parsed = _parse_one(buf, pos, end, fmt, cap)
        if parsed is None:
            return
        if parsed.error != "blank":
            yield parsed
        pos = parsed.next


# ---------------------------------------------------------------- gzip members
def member_head(buf: Buffer, offset: int) -> bytes | None:
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


def _valid_member(buf: Buffer, offset: int, fmt: str) -> bool:
    head = member_head(buf, offset)
    if not head:
        return False
    return head.startswith(b"WARC/") if fmt == "warc" else _ARC_HEAD.match(head) is not None


def _find_member(buf: Buffer, pos: int, fmt: str) -> int:
    while True:
        found = buf.find(GZIP_MAGIC, pos)
        if found < 0:
            return len(buf)
        if _valid_member(buf, found, fmt):
            return found
        pos = found + 1


class _Inflater:
    """One gzip member inflated piece by piece into a window (``data``, starting at ``base`` in the member)."""

    def __init__(self, buf: Buffer, offset: int) -> None:
        self.buf, self.pos = buf, offset
        self.zlib = zlib.decompressobj(31)
        self.data = bytearray()
        self.base = 0
        self.eof = False
        self.end = offset  # where the next member starts, once ``eof``
        self.error: str | None = None
        self.detail = ""

    @property
    def done(self) -> bool:
        return self.eof or self.error is not None

    def fill(self, want: int) -> None:
        """Inflate until the window holds ``want`` bytes or the member ends or breaks (``PIECE`` bytes at most
        per step, so a bomb never inflates much past what was asked)."""
        while len(self.data) < want and not self.done:
            chunk: bytes | bytearray = self.zlib.unconsumed_tail
            if not chunk:
                if self.pos >= len(self.buf):
                    self.error, self.detail = "truncated_gzip", "the file ends inside a gzip member"
                    return
                chunk = self.buf[self.pos : self.pos + READ_CHUNK]
                self.pos += len(chunk)
            try:  # no more than asked for (at least a page): the window stays about one record long
                self.data += self.zlib.decompress(chunk, min(PIECE, max(want - len(self.data), 4096)))
            except zlib.error as exc:
                self.error, self.detail = "corrupt_gzip", f"gzip member: {exc}"
                return
            if self.zlib.eof:
                self.eof = True
                self.end = self.pos - len(self.zlib.unused_data)

    def drop(self, size: int) -> None:
        del self.data[:size]
        self.base += size

    def skip_to(self, inner: int) -> None:
        """Inflate and discard up to ``inner`` (the end of a refused record) in bounded memory."""
        while self.base + len(self.data) < inner and not self.done:
            self.drop(len(self.data))
            self.fill(PIECE)
        self.drop(min(len(self.data), max(0, inner - self.base)))


def _need(data: Buffer, fmt: str, cap: int) -> int | None:
    """Bytes the window needs before its first item can be parsed for good (None: all there is)."""
    if not _is_start(data, 0, fmt):
        return None  # garbage runs up to the next record start, wherever that is
    declared = _declared(data, 0, len(data), fmt)
    if declared is None:  # the header is not all there yet, or is no header
        return MAX_HEADER_BYTES if len(data) < MAX_HEADER_BYTES else None
    start, length = declared
    return start + PEEK_BYTES if length > cap else start + length + LENIENCY + HEAD_BYTES


def _member_frames(buf: Buffer, offset: int, fmt: str, cap: int) -> Iterator[Frame | _Inflater]:
    """The items of the gzip member at ``offset``, then the member's ``_Inflater`` (its end and error).

    Records are cut out of the window as soon as they are complete, so memory holds about one record
    (at most ``cap`` plus a piece) however large the member; a record that declares more than ``cap``
    is refused by that length and its content inflated and discarded."""
    member = _Inflater(buf, offset)
    while True:
        member.fill(HEAD_FILL)
        while True:
            need = _need(member.data, fmt, cap)
            target = cap + 1 if need is None else need
            if len(member.data) >= target or member.done:
                break
            member.fill(target)
        if member.done:
            break
        if need is None:  # no record frames this much data
            detail = f"over {cap} bytes without a record boundary; recompress with one gzip member per record"
            member.error, member.detail = "member_too_large", detail
            yield Frame(offset, member.base, error=member.error, detail=detail)
            yield member
            return
        item = _parse_one(member.data, 0, len(member.data), fmt, cap)
        assert item is not None  # the member goes on, so the window holds more than blank bytes
        if item.error != "blank":
            yield _frame(offset, item, member.data, member.base)
        if item.error == "too_large":
            member.skip_to(member.base + item.next)
        else:
            member.drop(item.next)
    # the member ended (or broke): parse what is left at once
    items = list(_items(member.data, 0, len(member.data), fmt, cap))
    if member.error:  # the last item is where the member broke: report it as the gzip error
        for p in items[:-1]:
            yield _frame(offset, p, member.data, member.base)
        start = member.base + (items[-1].start if items else 0)
        yield Frame(offset, start, error=member.error, detail=member.detail)
    else:
        for p in items:
            yield _frame(offset, p, member.data, member.base)
    yield member


def _gzip_frames(buf: Buffer, start: int, stop: int, fmt: str, cap: int) -> Iterator[Frame]:
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
        member: _Inflater | None = None
        for item in _member_frames(buf, pos, fmt, cap):
            if isinstance(item, _Inflater):
                member = item
            else:
                yield item
        assert member is not None
        pos = _find_member(buf, pos + 1, fmt) if member.error else member.end


def _frame(offset: int, item: _Parsed, data: Buffer, base: int = 0) -> Frame:
    if item.error:
        head = bytes(data[item.start : item.stop]) if item.error == "too_large" else None
        return Frame(offset, base + item.start, data=head, error=item.error, detail=item.detail)
    return Frame(offset, base + item.start, data=bytes(data[item.start : item.stop]))


def _plain_frames(buf: Buffer, start: int, stop: int, fmt: str, cap: int) -> Iterator[Frame]:
    for p in _items(buf, start, len(buf), fmt, cap):
        if p.start >= stop:
            return
        yield _frame(p.start, p, buf, base=-p.start)  # inner offset 0: the record is at its file offset


# ---------------------------------------------------------------- public API
@contextlib.contextmanager
def _mapped(path: Path, ranged: bool = False) -> Iterator[mmap.mmap | bytes]:
    """The file as a read-only mmap (an empty bytes object for an empty file).

    An object on remote storage is read by byte ranges when ``ranged`` (gzip files: walking members needs
    only slices and ``find``), else fetched whole (an uncompressed WARC is parsed with regular expressions).
    """
    if storage.is_remote(path):
        if not ranged:
            yield path.read_bytes()
            return
        buffer = storage.RangeBuffer(path)
        try:
            yield cast(mmap.mmap, buffer)
        finally:
            buffer.close()
        return
    with open_binary(path) as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            yield b""
            return
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            yield mm


def split_ranges(path: Path, fmt: str, gzip: bool, bytes_per_shard: int, cap: int) -> list[tuple[int, int]]:
    """Work units of a file as ``(start, stop)`` byte offsets (see the module docstring)."""
    size = path.stat().st_size
    if gzip or size == 0:
        cuts = list(range(0, max(size, 1), bytes_per_shard))
        return list(zip(cuts, [*cuts[1:], size], strict=True))
    bounds = [0]
    next_cut = bytes_per_shard
    with _mapped(path) as mm:
        for item in _items(mm, 0, len(mm), fmt, cap):  # a headers-only pass: content is skipped, not read
            if item.start >= next_cut:
                bounds.append(item.start)
                next_cut = (item.start // bytes_per_shard + 1) * bytes_per_shard
    return list(zip(bounds, [*bounds[1:], size], strict=True))


def read_frames(path: Path, fmt: str, gzip: bool, start: int, stop: int, cap: int) -> Iterator[Frame]:
    """The items of one work unit in file order; records over ``cap`` bytes are ``too_large`` frames."""
    with _mapped(path, ranged=gzip) as mm:
        if not len(mm):
            return
        if gzip:
            first = _find_member(mm, start, fmt) if start > 0 else 0
            yield from _gzip_frames(mm, first, stop, fmt, cap)
        else:
            yield from _plain_frames(mm, start, stop, fmt, cap)
