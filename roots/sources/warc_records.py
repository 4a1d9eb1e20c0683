"""Parsing one framed WARC or ARC record with warcio: record headers, HTTP status and headers, body.

warcio undoes ``Transfer-Encoding: chunked`` and ``Content-Encoding`` (gzip, deflate, br) of the
payload. ARC v2 header lines are rewritten to the v1 form warcio reads without the file header.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

_BLANK_LINE = re.compile(rb"\n\r*\n")
_WARC_TYPE = re.compile(rb"(?im)^WARC-Type[ \t]*:[ \t]*([A-Za-z]+)[ \t]*\r*$")


class RecordError(Exception):
    """A record warcio cannot parse; ``reason`` is the error record's reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Record:
    rec_type: str  # WARC-Type (ARC records are 'response', the ARC file header 'warcinfo')
    url: str | None
    record_id: str | None
    date: str | None
    has_http: bool  # the record holds an HTTP message (status line and headers)
    status: int | None  # HTTP status code (None when there is no valid status line)
    content_type: str | None  # the payload's Content-Type (HTTP header, else the record's)
    identified_type: str | None  # WARC-Identified-Payload-Type (Common Crawl's detected MIME type)
    identified_charset: str | None  # WARC-Identified-Content-Charset
    body: bytes | None  # None for record types whose body is not read


_ARC_FIELDS = re.compile(rb"(.*?) (\S+) (\d{14}) (\S+)(?: \S*)* (\d+)\r?$")


def _arc_v1(data: bytes) -> bytes:
    """The record with a v1 header line (``URL IP DATE MIME LENGTH``, spaces in the URL escaped)."""
    line_end = data.index(b"\n")
    match = _ARC_FIELDS.match(data, 0, line_end)
    if match is None:
        return data
    url, ip, date, mime, length = match.groups()
    return b" ".join([url.replace(b" ", b"%20"), ip, date, mime, length]) + data[line_end:]


def _skipped_record(rec_type: str) -> Record:
    return Record(rec_type, None, None, None, False, None, None, None, None, None)


def _first_record(raw: bytes, no_http: bool) -> ArcWarcRecord:
    iterator = ArchiveIterator(io.BytesIO(raw), no_record_parse=no_http, check_digests=False, arc2warc=False)
    return next(iter(iterator))


def parse_record(data: bytes, fmt: str, wanted: frozenset[str], max_body: int) -> Record:
    """The record in ``data``; the body (at most ``max_body + 1`` bytes of it) is read only for record types
    in ``wanted``."""
    if fmt == "warc":  # a record we skip (request, metadata …) is not worth a full parse
        blank = _BLANK_LINE.search(data)
        match = _WARC_TYPE.search(data, 0, blank.start() if blank else len(data))
        if match and match.group(1).decode("ascii").lower() not in wanted:
            return _skipped_record(match.group(1).decode("ascii").lower())
    raw = _arc_v1(data) if fmt == "arc" else data + b"\r\n\r\n"
    try:
        record = _first_record(raw, no_http=False)
        if fmt == "warc" and record.content_type and not record.content_type.startswith("application/http"):
            record = _first_record(raw, no_http=True)  # e.g. a response stored without its HTTP block
        headers = record.rec_headers
        if fmt == "arc":
            url = headers.get_header("uri")
            rec_type = "warcinfo" if url and url.startswith("filedesc:") else "response"
            record_id, date = None, headers.get_header("archive-date")
        else:
            url = headers.get_header("WARC-Target-URI")
            rec_type = record.rec_type or "unknown"
            record_id, date = headers.get_header("WARC-Record-ID"), headers.get_header("WARC-Date")
        http = record.http_headers
        status = int(http.get_statuscode()) if http is not None and http.get_statuscode().isdigit() else None
        content_type = http.get_header("Content-Type") if http is not None else record.content_type
        body = None
        if rec_type in wanted:
            body = record.content_stream().read(max_body + 1)
    except StopIteration:
        raise RecordError("bad_record", "warcio found no record") from None
    except Exception as exc:  # warcio raises many types for malformed records
        raise RecordError("bad_record", f"{type(exc).__name__}: {exc}"[:500]) from None
    return Record(
        rec_type=rec_type,
        url=url,
        record_id=record_id,
        date=date,
        has_http=http is not None,
        status=status,
        content_type=content_type,
        identified_type=headers.get_header("WARC-Identified-Payload-Type"),
        identified_charset=headers.get_header("WARC-Identified-Content-Charset"),
        body=body,
    )
