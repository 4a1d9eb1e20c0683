"""Pseudo-crawl test inputs: real gzipped WARC files written with warcio, Common Crawl's columnar index
built from them (its published column names and types, hive folders crawl=…/subset=…), and an HTTP
server on 127.0.0.1 that serves the files with Range support and injects faults on request."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tests.fixtures_sources import Page, warc_records

CRAWLS = ("CC-MAIN-2021-04", "CC-MAIN-2021-10")


@dataclass
class Capture:
    """One capture in the index: the page, its hand-written SURT key and registered domain, and its crawl."""

    url: str
    surt: str
    domain: str
    crawl: str
    text: str = ""
    mime: str = "text/html"
    status: int = 200
    # filled when the WARC is written
    filename: str = ""
    offset: int = 0
    length: int = 0
    record: bytes = b""
    fetch_time: datetime = field(default_factory=lambda: datetime(2021, 1, 1, tzinfo=UTC))


def page_html(text: str, menu: list[str] | None = None) -> bytes:
    paragraphs = [*(menu or []), *text.split("\n")]
    body = "".join(f"<p>{p}</p>" for p in paragraphs if p)
    return f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>".encode()


def paragraphs_extractor(html: str) -> str:
    """A test extractor: the text of every <p>, one per line (so menu lines reach the menu step unchanged)."""
    return "\n".join(re.findall(r"<p>(.*?)</p>", html))


def write_corpus(root: Path, captures: list[Capture], *, menu: dict[str, list[str]] | None = None) -> Path:
    """Write the captures as CC-style WARC files (one per crawl, with a request record before each response)
    under ``root/data`` and the columnar index under ``root/index``; returns ``root``."""
    menu = menu or {}
    by_crawl: dict[str, list[Capture]] = defaultdict(list)
    for capture in captures:
        by_crawl[capture.crawl].append(capture)
    for number, (crawl, items) in enumerate(sorted(by_crawl.items())):
        name = f"crawl-data/{crawl}/segments/1610703.{number}/warc/{crawl}-20210115-00000.warc.gz"
        path = root / "data" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        chunks: list[bytes] = []
        for i, capture in enumerate(items):
            stamp = datetime(2021, 1 + number * 2, 1 + i % 27, 12, i % 60, tzinfo=UTC)
            capture.fetch_time = stamp
            date = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
            body = (
                page_html(capture.text, menu.get(capture.domain))
                if capture.mime == "text/html"
                else b"%PDF-1.4 binary " + capture.text.encode()
            )
            status = "200 OK" if capture.status == 200 else f"{capture.status} Not Found"
            request, response = warc_records(
                [
                    Page(capture.url, b"", None, rec_type="request", status="GET / HTTP/1.1"),
                    Page(capture.url, body, capture.mime, status=status, warc_headers={"WARC-Date": date}),
                ],
                compress=True,
            )
            chunks.append(request)
            capture.filename, capture.record = name, response
            capture.offset = sum(map(len, chunks))
            capture.length = len(response)
            chunks.append(response)
        path.write_bytes(b"".join(chunks))
        write_index(root / "index", crawl, items)
    return root


def write_index(folder: Path, crawl: str, captures: list[Capture]) -> None:
    """One Parquet file of the crawl's captures, sorted by SURT key as Common Crawl's index is."""
    captures = sorted(captures, key=lambda c: (c.surt, c.fetch_time))
    table = pa.table(
        {
            "url_surtkey": [c.surt for c in captures],
            "url": [c.url for c in captures],
            "url_host_name": [c.url.split("/")[2] for c in captures],
            "url_host_registered_domain": [c.domain for c in captures],
            "fetch_time": pa.array([c.fetch_time for c in captures], pa.timestamp("ms", tz="UTC")),
            "fetch_status": pa.array([c.status for c in captures], pa.int16()),
            "content_mime_type": [c.mime for c in captures],
            "content_mime_detected": [c.mime for c in captures],
            "content_languages": ["eng" for _ in captures],
            "warc_filename": [c.filename for c in captures],
            "warc_record_offset": pa.array([c.offset for c in captures], pa.int32()),
            "warc_record_length": pa.array([c.length for c in captures], pa.int32()),
        }
    )
    target = folder / f"crawl={crawl}" / "subset=warc" / "part-00000.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, target, row_group_size=4)


# ---------------------------------------------------------------- the loopback server
@dataclass
class Faults:
    """Faults the server injects, per (file path, start offset): a list consumed one per request
    (``"500"``, ``"429"``, ``"slow"``, ``"truncate"``, ``"wrong_offset"``, ``"ignore_range"``, ``"404"``);
    ``always`` maps a key to a fault served on every request."""

    plan: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    always: dict[tuple[str, int], str] = field(default_factory=dict)
    delay: float = 0.0  # seconds every response waits (to make a fetch slow enough to kill)
    slow_seconds: float = 3.0

    def next(self, key: tuple[str, int]) -> str | None:
        if key in self.always:
            return self.always[key]
        queue = self.plan.get(key)
        return queue.pop(0) if queue else None


class RangeServer:
    """``http://127.0.0.1:PORT/<path>`` serves ``root/<path>``, honouring ``Range: bytes=a-b``."""

    def __init__(self, root: Path, faults: Faults | None = None) -> None:
        self.root = root
        self.faults = faults or Faults()
        self.requests: Counter[tuple[str, int]] = Counter()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:  # noqa: N802
                self._serve(head=True)

            def do_GET(self) -> None:  # noqa: N802
                self._serve(head=False)

            def _serve(self, head: bool) -> None:
                path = server.root / self.path.lstrip("/").split("?")[0]
                if not path.is_file():
                    self._reply(404, b"not found")
                    return
                size = path.stat().st_size
                match = re.fullmatch(r"bytes=(\d+)-(\d+)", self.headers.get("Range", ""))
                if not match:
                    self._reply(200, b"" if head else path.read_bytes(), length=size)
                    return
                start, end = int(match[1]), int(match[2])
                key = (self.path.lstrip("/"), start)
                with server.lock:
                    server.requests[key] += 1
                    fault = server.faults.next(key)
                if server.faults.delay:
                    time.sleep(server.faults.delay)
                if fault in ("500", "404"):
                    self._reply(int(fault), b"injected")
                    return
                if fault == "429":
                    self._reply(429, b"slow down", extra={"Retry-After": "0"})
                    return
                if fault == "slow":
                    time.sleep(server.faults.slow_seconds)
                if fault == "ignore_range":
                    self._reply(200, path.read_bytes())
                    return
                shift = 7 if fault == "wrong_offset" else 0
                with open(path, "rb") as handle:
                    handle.seek(start + shift)
                    body = handle.read(end + 1 - start)
                headers = {"Content-Range": f"bytes {start}-{end}/{size}"}
                if fault == "truncate":
                    self._reply(206, body[: len(body) // 2], length=len(body), extra=headers, close=True)
                    return
                self._reply(206, body, extra=headers)

            def _reply(
                self,
                status: int,
                body: bytes,
                *,
                length: int | None = None,
                extra: dict[str, str] | None = None,
                close: bool = False,
            ) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(body) if length is None else length))
                    for key, value in (extra or {}).items():
                        self.send_header(key, value)
                    if close:
                        self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(body)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                if close:
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __enter__(self) -> RangeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# ---------------------------------------------------------------- a small multi-domain corpus
def standard_captures() -> list[Capture]:
    """example.com (two snapshots of /a, a PDF, a 404, a www. page), its subdomain blog.example.com,
    other.net (seeded by the prefix other.net/docs), example.org (not a seed)."""
    old, new = CRAWLS
    return [
        Capture("https://example.com/a", "com,example)/a", "example.com", old, "Old version of page A."),
        Capture("https://example.com/a", "com,example)/a", "example.com", new, "New version of page A."),
        Capture("https://www.example.com/b", "com,example)/b", "example.com", new, "Page B from www."),
        Capture(
            "https://example.com/c.pdf",
            "com,example)/c.pdf",
            "example.com",
            new,
            "pdf",
            mime="application/pdf",
        ),
        Capture("https://example.com/gone", "com,example)/gone", "example.com", new, "gone", status=404),
        Capture(
            "https://blog.example.com/post", "com,example,blog)/post", "example.com", new, "A blog post."
        ),
        Capture(
            "https://other.net/docs/intro", "net,other)/docs/intro", "other.net", old, "Docs intro page."
        ),
        Capture("https://other.net/docs/api", "net,other)/docs/api", "other.net", new, "Docs API page."),
        Capture("https://other.net/shop", "net,other)/shop", "other.net", new, "Shop page, not docs."),
        Capture("https://example.org/x", "org,example)/x", "example.org", old, "Not a seed."),
    ]


SEEDS = "example.com\nhttps://other.net/docs/\n# a comment\nmissing.io\n"
