"""Inputs the source tests build with the real libraries: WARC/ARC files (warcio), PDFs (fpdf2 and
hand-written hostile PDFs), and helpers to run an extract and read what it wrote."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from roots.cli import main as roots_main
from roots.layout import RunLayout

FONTS = {
    "latin": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "zh": "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "hi": "/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf",
}


# ---------------------------------------------------------------- running an extract
def extract(kind: str, *args: str, out: Path, workers: int = 1) -> RunLayout:
    """Run ``roots extract KIND …`` in this process; fail the test on a non-zero status."""
    status = roots_main(["extract", kind, *map(str, args), "--out", str(out), "--workers", str(workers)])
    assert status == 0, f"roots extract {kind} exited with {status}"
    return RunLayout(out)


def rows(run: RunLayout) -> list[dict[str, Any]]:
    """Every extracted document in shard order, with ``meta`` parsed."""
    out = []
    for part in run.stage("extract").parts():
        for row in pq.read_table(part).to_pylist():
            out.append(row | {"meta": json.loads(row["meta"])})
    return out


def errors(run: RunLayout) -> list[dict[str, Any]]:
    path = run.stage("extract").errors
    return (
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    )


def stats(run: RunLayout) -> dict[str, Any]:
    return json.loads(run.stage("extract").stats.read_text(encoding="utf-8"))


def assert_balanced(run: RunLayout) -> dict[str, Any]:
    """``in = kept + errors`` overall and per language, and the counts match the files."""
    data = stats(run)
    totals = data["totals"]
    assert data["balanced"] is True
    assert totals["in"]["docs"] == totals["kept"]["docs"] + totals["errors_total"]["docs"]
    assert totals["kept"]["docs"] == len(rows(run))
    assert totals["errors_total"]["docs"] == len(errors(run))
    return data


# ---------------------------------------------------------------- WARC
@dataclass
class Page:
    """One WARC record to write (a response by default)."""

    url: str
    body: bytes = b""
    content_type: str | None = "text/html"  # the HTTP Content-Type (None: no header)
    rec_type: str = "response"
    status: str = "200 OK"
    warc_headers: dict[str, str] = field(default_factory=dict)
    http: bool = True  # False: the record's block is the payload itself (WET conversion, resource)


def html_page(title: str, paragraphs: Iterable[str], *, lang: str | None = None, head: str = "") -> str:
    """A page with navigation, cookie banner, sidebar and footer around an article."""
    nav = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(12))
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    lang_attr = f' lang="{lang}"' if lang else ""
    return (
        f"<!DOCTYPE html><html{lang_attr}><head>{head}<title>{title}</title><style>p {{ margin: 0 }}</style>"
        "<script>var tracking = 1;</script></head><body>"
        f'<header><nav><ul>{nav}</ul></nav></header><div class="cookie-banner" id="cookie-consent">'
        "We use cookies to improve your experience. Accept all cookies.</div>"
        f"<main><article><h1>{title}</h1>{body}</article></main>"
        f'<aside class="sidebar"><h3>Related links</h3><ul>{nav}</ul></aside>'
        "<footer><p>Copyright 2024 Example Media Group. All rights reserved.</p>"
        '<a href="/privacy">Privacy policy</a></footer></body></html>'
    )


def warc_records(pages: Iterable[Page], *, compress: bool) -> list[bytes]:
    """Each page as the bytes warcio writes for it (one gzip member each when compressed)."""
    out = []
    for number, page in enumerate(pages):
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=compress)
        headers = {
            "WARC-Record-ID": f"<urn:uuid:00000000-0000-0000-0000-{number:012d}>",
            "WARC-Date": "2024-03-01T12:00:00Z",
            **page.warc_headers,
        }
        http = None
        if page.http and page.rec_type in {"response", "request", "revisit"}:
            fields = [("Content-Type", page.content_type)] if page.content_type else []
            request = page.rec_type == "request"
            http = StatusAndHeaders(page.status, fields, protocol="HTTP/1.1", is_http_request=request)
        record = writer.create_warc_record(
            page.url,
            page.rec_type,
            payload=io.BytesIO(page.body),
            http_headers=http,
            warc_content_type=None if page.http else (page.content_type or "text/plain"),
            warc_headers_dict=headers,
        )
        writer.write_record(record)
        out.append(buffer.getvalue())
    return out


def write_warc(path: Path, pages: Iterable[Page], *, compress: bool | None = None) -> list[int]:
    """Write ``pages`` with warcio (fixed record ids and dates); returns each record's file offset."""
    compress = path.name.endswith(".gz") if compress is None else compress
    return write_chunks(path, warc_records(pages, compress=compress))


def write_chunks(path: Path, chunks: Iterable[bytes]) -> list[int]:
    """Concatenate ``chunks`` into ``path``; returns the offset of each."""
    offsets, data = [], bytearray()
    for chunk in chunks:
        offsets.append(len(data))
        data += chunk
    path.write_bytes(bytes(data))
    return offsets


def arc_record(url: str, html: bytes, *, v2: bool = False) -> bytes:
    """One ARC record (v1 or v2 header line) holding an HTTP response."""
    http = b"HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html
    fields = [url.encode(), b"192.0.2.1", b"20050614070159", b"text/html"]
    if v2:
        fields += [b"200", b"-", b"-", b"0", b"x.arc"]
    return b" ".join([*fields, str(len(http)).encode()]) + b"\n" + http + b"\n"


def arc_file_header() -> bytes:
    content = b"1 0 Test\nURL IP-address Archive-date Content-type Archive-length\n"
    return b"filedesc://test.arc 0.0.0.0 20050614070159 text/plain %d\n" % len(content) + content + b"\n"


def gzip_members(chunks: Iterable[bytes]) -> list[bytes]:
    """Each chunk as its own gzip member (the Common Crawl layout), deterministic (mtime 0)."""
    return [gzip.compress(chunk, mtime=0) for chunk in chunks]


# ---------------------------------------------------------------- extractors for the sandbox tests
def hanging_extractor(html: str) -> str:
    """A test extractor: a catastrophic regex (a hang in C code) on pages that ask for it."""
    if "HANG-HERE" in html:
        re.match(r"(a+)+$", "a" * 64 + "b")
    if "CRASH-HERE" in html:
        os._exit(7)
    return re.sub(r"<[^>]+>", " ", html).split("BODY:", 1)[-1].strip()


# ---------------------------------------------------------------- PDF
def text_pdf(path: Path, pages: list[str], *, font: str = FONTS["latin"], title: str | None = None) -> Path:
    """A PDF with one text page per entry, in a real embedded TrueType font (fpdf2 writes a ToUnicode map)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_compression(True)
    pdf.add_font("Body", fname=font)
    if title:
        pdf.set_title(title)
    for text in pages:
        pdf.add_page()
        pdf.set_font("Body", size=14)
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return path


def image_only_pdf(path: Path) -> Path:
    """A 'scanned' PDF: one page holding only an image."""
    from fpdf import FPDF

    png = path.with_suffix(".png")
    _write_png(png, 40, 20)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(png), x=10, y=10, w=100)
    pdf.output(str(path))
    png.unlink()
    return path


def _write_png(path: Path, width: int, height: int) -> None:
    import struct
    import zlib

    raw = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (x * 5 % 256, y * 9 % 256, 128))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def encrypted_pdf(source: Path, path: Path, *, user_password: str) -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF from object bodies (object 1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< " + extra + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def exponential_pdf(depth: int = 40) -> bytes:
    """Each form XObject draws the next one twice: 2**depth drawing operations (a 'billion laughs')."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /XObject << /X 5 0 R >> >> >>",
        _stream(b"/X Do"),
    ]
    for level in range(depth):
        form = b"/Type /XObject /Subtype /Form /BBox [0 0 10 10]"
        if level < depth - 1:
            resources = b" /Resources << /XObject << /X %d 0 R >> >>" % (6 + level)
            objects.append(_stream(b"/X Do /X Do", form + resources))
        else:
            objects.append(_stream(b"", form))
    return raw_pdf(objects)


def deep_page_tree_pdf(depth: int = 3000) -> bytes:
    """A page tree nested ``depth`` levels deep."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    objects += [b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (level + 3) for level in range(depth)]
    objects.append(b"<< /Type /Page /MediaBox [0 0 612 792] >>")
    return raw_pdf(objects)


def many_pages_pdf(pages: int, claimed: int | None = None) -> bytes:
    """``pages`` empty pages; the page tree claims ``claimed`` (a lie in hostile files)."""
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
    count = pages if claimed is None else claimed
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count,
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>"] * pages
    return raw_pdf(objects)
