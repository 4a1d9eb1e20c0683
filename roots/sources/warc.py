"""Common Crawl WARC / WET / ARC input: HTML (or plain-text) responses become documents of their main text.

Framing and resynchronisation are in ``warc_framing``, record parsing in ``warc_records``, decoding
in ``charset``; the main-text extractor runs in a sandbox child with a per-page time limit.
Locators are ``<file relative to the input root>@<offset>`` (``@<member>+<inner>`` for a record
that shares its gzip member with earlier ones).
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from roots.errors import UserError
from roots.limits import oversize_bytes
from roots.sources.base import ExtractError, Item, Skipped, Source
from roots.sources.charset import Decoded, charset_from_content_type, decode_payload
from roots.sources.config import WarcSource
from roots.sources.files import expand_inputs
from roots.sources.html_text import EXTRACTORS, extractor_target, html_lang, page_title
from roots.sources.sandbox import Outcome, Pending, get_sandbox, in_order
from roots.sources.url_filter import UrlFilter
from roots.sources.warc_framing import (
    UNSUPPORTED_SUFFIXES,
    Frame,
    is_gzip,
    read_frames,
    sniff_format,
    split_ranges,
    unsupported_compression,
)
from roots.sources.warc_records import Record, RecordError, parse_record
from roots.storage import as_path

SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz", ".wet", ".wet.gz") + tuple(
    f"{base}{ext}" for base in (".warc", ".arc", ".wet") for ext in UNSUPPORTED_SUFFIXES
)  # compressions roots does not read are found too, and reported
WEB_SCHEMES = ("http://", "https://", "ftp://")
TEXT_RECORDS = frozenset({"response", "resource", "conversion"})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
PLAIN_TYPES = frozenset({"text/plain"})
RECORD_HEADERS_BYTES = 1 << 17  # WARC and HTTP headers a record may add to its payload
_WARC_TYPE_HEADER = re.compile(rb"(?im)^WARC-Type[ \t]*:[ \t]*([A-Za-z]+)")
_HTTP_CONTENT_TYPE = re.compile(rb"(?im)^Content-Type[ \t]*:[ \t]*([^\r\n]+)")
_SANDBOX_REASONS = {"timeout": "timeout", "crashed": "extractor_crashed"}


class WarcReader(Source):
    kind = "warc"
    config: WarcSource

    def units(self) -> list[dict[str, Any]]:
        _ = self.url_filter  # read the allow/block list files now: a missing one is a user error
        _check_extractor(self.config.extractor)
        units: list[dict[str, Any]] = []
        for item in expand_inputs(self.config.paths, key="warc paths", suffixes=SUFFIXES):
            unsupported = unsupported_compression(item.path)
            if unsupported:
                units.append({"file": str(item.path), "rel": item.rel, "unsupported": unsupported})
                continue
            fmt, gzip = sniff_format(item.path), is_gzip(item.path)
            for start, stop in split_ranges(
                item.path, fmt, gzip, self.config.bytes_per_shard, self.record_cap
            ):
                units.append(
                    {
                        "file": str(item.path),
                        "rel": item.rel,
                        "format": fmt,
                        "gzip": gzip,
                        "start": start,
                        "stop": stop,
                    }
                )
        return units

    @property
    def record_cap(self) -> int:
        """Largest record read into memory: a payload at the size limit plus its WARC and HTTP headers."""
        return self.max_bytes + RECORD_HEADERS_BYTES

    @cached_property
    def url_filter(self) -> UrlFilter:
        return UrlFilter.from_config(self.config)

    def read(self, unit: dict[str, Any]) -> Iterator[Item]:
        if "unsupported" in unit:
            yield ExtractError(unit["rel"], "unsupported_compression", unit["unsupported"], self.config.lang)
            return
        sandbox = get_sandbox(extractor_target(self.config.extractor), self.config.memory_limit_mb)
        yield from in_order(self._entries(unit), sandbox, self.config.timeout_seconds)

    def _entries(self, unit: dict[str, Any]) -> Iterator[Item | Pending]:
        rel, fmt = unit["rel"], unit["format"]
        frames = read_frames(
            as_path(unit["file"]), fmt, unit["gzip"], unit["start"], unit["stop"], self.record_cap
        )
        try:
            for frame in frames:
                yield self._entry(frame, rel, fmt)
        except OSError as exc:
            yield ExtractError(f"{rel}@{unit['start']}", "unreadable_file", str(exc), self.config.lang)

    def _entry(self, frame: Frame, rel: str, fmt: str) -> Item | Pending:
        """The item a frame becomes, or a ``Pending`` main-text extraction for an HTML page."""
        locator = f"{rel}@{frame.position}"
        lang = self.config.lang
        if frame.error == "too_large":
            return _oversized(frame, locator, lang)
        if frame.error or frame.data is None:
            return ExtractError(locator, frame.error or "bad_record", frame.detail, lang)
        try:
            record = parse_record(frame.data, fmt, TEXT_RECORDS, self.max_bytes)
        except RecordError as exc:
            return ExtractError(locator, exc.reason, exc.detail, lang)
        skip = self._skip_reason(record)
        if skip:
            return Skipped(skip)
        if record.has_http and record.status is None:
            return ExtractError(locator, "bad_http", "the HTTP block has no valid status line", lang)
        kind = _payload_kind(record)
        if kind is None:
            return Skipped("non_text_mime")
        assert record.body is not None
        too_large = oversize_bytes(len(record.body), self.max_bytes, "payload")
        if too_large:
            return ExtractError(locator, "too_large", too_large, lang)
        decoded = decode_payload(
            record.body,
            http_charset=charset_from_content_type(record.content_type),
            warc_charset=record.identified_charset,
            html=kind == "html",
        )
        meta = _meta(record, frame, rel, decoded)
        if kind == "text":
            return self._document(locator, decoded.text.replace("\r\n", "\n"), record.url, meta)
        meta["html_lang"] = html_lang(decoded.text)
        meta["title"] = page_title(decoded.text)

        def finish(outcome: Outcome) -> list[Item]:
            if not outcome.ok:
                reason = _SANDBOX_REASONS.get(outcome.status) or _exception_reason(outcome.detail)
                return [ExtractError(locator, reason, outcome.detail, lang)]
            return [self._document(locator, outcome.value or "", record.url, meta)]

        return Pending(decoded.text, finish)

    def _document(self, locator: str, text: str, url: str | None, meta: dict[str, Any]) -> Item:
        text = text.strip()
        if not text:
            kind = "HTML page" if "html_lang" in meta else "text payload"
            return ExtractError(locator, "empty_text", f"no main text in the {kind}", self.config.lang)
        return self.document(locator, text, url=url, meta=meta)

    def _skip_reason(self, record: Record) -> str | None:
        if record.rec_type not in TEXT_RECORDS:
            return f"warc_{record.rec_type}"
        if record.rec_type == "resource" and not (record.url or "").lower().startswith(WEB_SCHEMES):
            return "warc_crawler_log"  # the crawler's own log or config (metadata://…, urn:X-wpull:log)
        if record.status is not None and not 200 <= record.status < 300:
            return "http_status"
        return self.url_filter.reject_reason(record.url)


def _oversized(frame: Frame, locator: str, lang: str | None) -> Item:
    """A record refused by its declared length: skipped like any record of its kind that is not a page,
    else an error ``too_large`` (its content was never read)."""
    head = frame.data or b""
    warc_type = _WARC_TYPE_HEADER.search(head)
    if warc_type and warc_type.group(1).decode("ascii").lower() not in TEXT_RECORDS:
        return Skipped(f"warc_{warc_type.group(1).decode('ascii').lower()}")
    if _declared_mime(head) not in HTML_TYPES | PLAIN_TYPES | {""}:
        return Skipped("non_text_mime")
    return ExtractError(locator, "too_large", frame.detail, lang)


def _declared_mime(head: bytes) -> str:
    """The payload's MIME type from a record's first bytes: the HTTP header, else a non-HTTP record's own."""
    split = head.find(b"\r\n\r\n") if head.startswith(b"WARC/") else head.find(b"\n")
    found = _HTTP_CONTENT_TYPE.search(head, max(split, 0))
    if found is None and split > 0:
        found = _HTTP_CONTENT_TYPE.search(head, 0, split)
    mime = _mime(found.group(1).decode("latin-1")) if found else ""
    return "" if mime.startswith("application/http") else mime


def _meta(record: Record, frame: Frame, rel: str, decoded: Decoded) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "file": rel,
        "offset": frame.offset,
        "url": record.url,
        "warc_record_id": record.record_id,
        "warc_date": record.date,
        "warc_type": record.rec_type,
        "http_status": record.status,
        "content_type": _mime(record.content_type) or record.identified_type,
        "charset_declared": decoded.declared,
        "charset": decoded.charset,
    }
    if decoded.bad_bytes:
        meta["charset_bad_bytes"] = decoded.bad_bytes
    if frame.inner:
        meta["inner_offset"] = frame.inner
    return meta


def _mime(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _payload_kind(record: Record) -> str | None:
    """``html``, ``text`` or None (not a text payload), from the declared type, CC's detected type, or a sniff."""
    for mime in (_mime(record.content_type), _mime(record.identified_type)):
        if mime in HTML_TYPES:
            return "html"
        if mime in PLAIN_TYPES:
            return "text"
        if mime and mime not in {"application/octet-stream", "unk", "unknown/unknown"}:
            return None
    head = (record.body or b"")[:1024].lstrip().lower()
    return "html" if head.startswith((b"<!doctype html", b"<html")) else None


def _exception_reason(detail: str) -> str:
    return "out_of_memory" if detail.startswith("MemoryError") else "extractor_error"


def _check_extractor(name: str) -> None:
    module = extractor_target(name).partition(":")[0]
    try:
        found = importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        found = False
    if not found:
        raise UserError(
            f"warc extractor: cannot import module {module!r}; give one of {', '.join(EXTRACTORS)} or module:function"
        )
