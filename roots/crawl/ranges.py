"""Byte-range reads of WARC records over HTTP(S) or S3, with retries, backoff with jitter and a rate limit.

A record is requested as ``Range: bytes=offset-(offset+length-1)``. 5xx, 429, 408, timeouts, dropped
connections and bodies that are not the promised record (short, long, from a wrong offset) are tried
again after ``backoff * 2**(try-1)`` seconds (half of it random jitter, at least ``Retry-After``); other
4xx answers and records over the size limit are final. The outcome is the record's bytes or the reason,
HTTP status and detail of its last try.
"""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from roots.crawl.config import FetchOptions
from roots.crawl.record import BadRecord, check_member

_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
_S3_STATUS = re.compile(r"(?:response code|HTTP status)[: ]+(\d{3})", re.IGNORECASE)
RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Fetched:
    """One record's outcome: ``data`` when fetched, else the ``reason`` of the last try."""

    data: bytes | None
    status: int | None
    reason: str | None = None
    detail: str = ""
    tries: int = 1


class _Failure(Exception):
    def __init__(
        self, reason: str, detail: str, status: int | None = None, *, retry: bool, after: float = 0.0
    ) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail, self.status, self.retry, self.after = reason, detail, status, retry, after


class RateLimiter:
    """At most ``rate`` request starts per second in this process (0: unlimited)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self.next = time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next)
            self.next = start + self.interval
        if start > now:
            time.sleep(start - now)


class RangeClient:
    """Fetches records from ``options.base_url`` (http, https or s3); safe to call from many threads."""

    def __init__(self, options: FetchOptions) -> None:
        self.options = options
        self.base = options.base_url if options.base_url.endswith("/") else options.base_url + "/"
        self.scheme = urlsplit(self.base).scheme.lower()
        if self.scheme not in ("http", "https", "s3"):
            raise ValueError(f"base_url {options.base_url!r}: use http://, https:// or s3://")
        self.limiter = RateLimiter(options.max_requests_per_second)
        self.local = threading.local()
        self.jitter = random.Random()

    def fetch(self, filename: str, offset: int, length: int) -> Fetched:
        options = self.options
        failure: _Failure | None = None
        for attempt in range(1, options.tries + 1):
            if attempt > 1:
                assert failure is not None
                time.sleep(self._delay(attempt - 1, failure.after))
            self.limiter.wait()
            try:
                data, status = self._get(filename, offset, length)
                check_member(data, length, options.max_record_bytes)
                return Fetched(data, status, tries=attempt)
            except BadRecord as exc:
                failure = _Failure(exc.reason, exc.detail, 206, retry=exc.retry)
            except _Failure as exc:
                failure = exc
            if not failure.retry:
                return Fetched(None, failure.status, failure.reason, failure.detail, attempt)
        assert failure is not None
        return Fetched(None, failure.status, failure.reason, failure.detail, options.tries)

    def _delay(self, retry: int, retry_after: float) -> float:
        base = min(self.options.max_backoff_seconds, self.options.backoff_seconds * 2 ** (retry - 1))
        delay = base / 2 + self.jitter.uniform(0, base / 2)
        return min(self.options.max_backoff_seconds, max(delay, retry_after))

    def _get(self, filename: str, offset: int, length: int) -> tuple[bytes, int]:
        if self.scheme == "s3":
            return self._get_s3(filename, offset, length)
        return self._get_http(filename, offset, length)

    # ------------------------------------------------------------ HTTP(S)
    def _session(self):  # type: ignore[no-untyped-def]
        session = getattr(self.local, "session", None)
        if session is None:
            import requests

            session = requests.Session()
            adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=4, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers["User-Agent"] = "roots-pseudo-crawl (range requests for WARC records)"
            self.local.session = session
        return session

    def _get_http(self, filename: str, offset: int, length: int) -> tuple[bytes, int]:
        import requests

        end = offset + length - 1
        headers = {"Range": f"bytes={offset}-{end}", "Accept-Encoding": "identity"}
        timeout = self.options.timeout_seconds
        try:
            with self._session().get(
                self.base + filename.lstrip("/"), headers=headers, stream=True, timeout=(timeout, timeout)
            ) as response:
                status = response.status_code
                if status != 206:
                    after = _retry_after(response.headers.get("Retry-After"))
                    if status == 200:
                        raise _Failure(
                            "range_ignored", "the server answered 200 (whole file)", status, retry=True
                        )
                    reason = f"http_{status}"
                    raise _Failure(
                        reason, response.reason or "", status, retry=status in RETRY_STATUS, after=after
                    )
                content_range = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
                if content_range and (int(content_range[1]), int(content_range[2])) != (offset, end):
                    raise _Failure("wrong_range", f"got {content_range[0]}", status, retry=True)
                return _read_at_most(response.raw, length + 1), status
        except requests.exceptions.Timeout as exc:
            raise _Failure("timeout", _first_line(exc), retry=True) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise _Failure("connection_error", _first_line(exc), retry=True) from None
        except _ProtocolError as exc:
            raise _Failure("truncated", _first_line(exc), 206, retry=True) from None

    # ------------------------------------------------------------ S3
    def _filesystem(self):  # type: ignore[no-untyped-def]
        fs = getattr(self.local, "s3", None)
        if fs is None:
            from pyarrow import fs as pafs

            endpoint = self.options.s3_endpoint
            fs = pafs.S3FileSystem(
                anonymous=self.options.s3_anonymous,
                region="us-east-1",
                endpoint_override=endpoint,
                scheme="http" if endpoint and not endpoint.startswith("https") else "https",
                connect_timeout=self.options.timeout_seconds,
                request_timeout=self.options.timeout_seconds,
                retry_strategy=pafs.AwsStandardS3RetryStrategy(max_attempts=1),
            )
            self.local.s3 = fs
        return fs

    def _get_s3(self, filename: str, offset: int, length: int) -> tuple[bytes, int]:
        bucket_path = self.base.split("://", 1)[1] + filename.lstrip("/")
        try:  # pyarrow asks for the object's size (HEAD), then reads the range (GET with Range)
            with self._filesystem().open_input_file(bucket_path) as handle:
                return bytes(handle.read_at(length, offset)), 206
        except OSError as exc:
            match = _S3_STATUS.search(str(exc))
            status = int(match[1]) if match else None
            retry = status is None or status in RETRY_STATUS
            reason = f"http_{status}" if status else "s3_error"
            raise _Failure(reason, _first_line(exc), status, retry=retry) from None


try:
    from urllib3.exceptions import ProtocolError as _ProtocolError
except ImportError:  # pragma: no cover - urllib3 comes with requests
    _ProtocolError = OSError  # type: ignore[misc,assignment]


def _read_at_most(raw, limit: int) -> bytes:  # type: ignore[no-untyped-def]
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = raw.read(limit - size, decode_content=False)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _retry_after(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value else 0.0
    except ValueError:
        return 0.0


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
