"""Decoding web payloads: declared charsets first, then a detector, the way browsers resolve them.

Order: byte-order mark; valid UTF-8 with non-ASCII bytes (a legacy charset is often declared for a
UTF-8 page, never the other way round); *mostly* valid UTF-8 (a UTF-8 page with a few stray bytes,
e.g. a cut-off character or one pasted Latin-1 byte: decoded as UTF-8 with U+FFFD for each bad byte,
counted in ``bad_bytes``, rather than as mojibake in a guessed legacy charset); the HTTP ``Content-Type`` charset; Common Crawl's
``WARC-Identified-Content-Charset``; ``<meta charset>`` / ``<meta http-equiv>``; resiliparse's
detector; finally UTF-8 with replacement characters. Labels are mapped as the WHATWG Encoding
standard does (``iso-8859-1`` means windows-1252), and to a superset codec where one exists
(GBK → GB18030, Shift_JIS → cp932, EUC-KR → cp949) so that real-world pages decode strictly.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{1,40})""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{1,40})""", re.IGNORECASE)
_SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030", "shift_jis": "cp932", "euc_kr": "cp949"}
_STRAY = re.compile("[\udc80-\udcff]")  # bytes that are not UTF-8, as ``surrogateescape`` decodes them
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
META_SCAN_BYTES = 4096
DETECT_BYTES = 65536


@dataclass(frozen=True)
class Decoded:
    text: str
    charset: str  # the Python codec used
    declared: str | None  # the first charset label the page declared (HTTP, WARC or <meta>)
    how: str  # bom | utf8 | utf8_repaired | http | warc | meta | detected | fallback
    bad_bytes: int = 0  # bytes replaced by U+FFFD (utf8_repaired)


def charset_from_content_type(value: str | None) -> str | None:
    """The ``charset=`` parameter of a Content-Type header value."""
    if not value:
        return None
    match = _HEADER_CHARSET.search(value)
    return match.group(1) if match else None


def meta_charset(body: bytes) -> str | None:
    """The charset a page declares in its first bytes (``<meta charset>`` or ``http-equiv``)."""
    match = _META_CHARSET.search(body, 0, META_SCAN_BYTES)
    return match.group(1).decode("ascii") if match else None


def codec_for(label: str | None) -> str | None:
    """The Python codec for a charset label, or None if the label is unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    from resiliparse.parse.encoding import map_encoding_to_html5

    html5 = codecs.lookup(map_encoding_to_html5(name) or name).name
    name = name if html5 == "utf-8" else html5  # unknown to WHATWG (e.g. cp949): keep Python's codec
    return _SUPERSETS.get(name, name)


def decode_payload(body: bytes, *, http_charset: str | None, warc_charset: str | None, html: bool) -> Decoded:
    """Decode a page body to text (never raises)."""
    meta = meta_charset(body) if html else None
    declared = http_charset or warc_charset or meta
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return Decoded(body.decode(codec, errors="replace"), codec.replace("-sig", ""), declared, "bom")
    if not body.isascii():
        try:
            return Decoded(body.decode("utf-8"), "utf-8", declared, "utf8")
        except UnicodeDecodeError:
            repaired = _mostly_utf8(body, declared_utf8=_declares_utf8(http_charset, warc_charset, meta))
            if repaired is not None:
                return Decoded(repaired[0], "utf-8", declared, "utf8_repaired", repaired[1])
    for how, label in (("http", http_charset), ("warc", warc_charset), ("meta", meta)):
        named = codec_for(label)
        if named is None or (how == "meta" and named.startswith("utf-16")):
            continue  # a <meta> in a page we could read as ASCII cannot really be UTF-16
        try:
            return Decoded(body.decode(named), named, declared, how)
        except (UnicodeDecodeError, LookupError):
            continue
    for codec in _detected(body):
        try:
            return Decoded(body.decode(codec), codec, declared, "detected")
        except (UnicodeDecodeError, LookupError):
            continue
    return Decoded(body.decode("utf-8", errors="replace"), "utf-8", declared, "fallback")


def _declares_utf8(*labels: str | None) -> bool:
    return any(codec_for(label) == "utf-8" for label in labels if label)


def _mostly_utf8(body: bytes, *, declared_utf8: bool) -> tuple[str, int] | None:
    """The text and the number of stray bytes, when ``body`` is UTF-8 but for a few bytes.

    A page in a legacy charset almost never contains a valid multi-byte UTF-8 sequence, so a page with
    several and at most one stray byte for every ten of them (plus one, two when UTF-8 is declared) is UTF-8."""
    text = body.decode("utf-8", "surrogateescape")
    bad = len(_STRAY.findall(text))
    valid = len(text) - len(text.encode("ascii", "ignore")) - bad  # non-ASCII characters decoded
    allowed = valid // 10 + (2 if declared_utf8 else 1)
    if valid < (1 if declared_utf8 else 3) or bad > allowed:
        return None
    return _STRAY.sub("\ufffd", text), bad


def _detected(body: bytes) -> Iterator[str]:
    """Guesses: resiliparse's fast detector, then charset-normalizer's (slower, better on Korean)."""
    from resiliparse.parse.encoding import detect_encoding

    yield codec_for(detect_encoding(body)) or "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(body[:DETECT_BYTES]).best()
    if best is not None and (codec := codec_for(best.encoding)):
        yield codec
