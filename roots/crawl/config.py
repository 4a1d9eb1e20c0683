"""The ``crawl`` source of a pipeline YAML: seeds, index, fetch and per-domain cleaning settings."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from roots.configbase import StrictModel
from roots.langcode import LANG_CODE_HELP, is_lang_code
from roots.limits import DEFAULT_MAX_DOCUMENT_BYTES, MAX_DOCUMENT_HELP
from roots.sources.html_text import EXTRACTOR_PATTERN

COMMON_CRAWL_HTTPS = "https://data.commoncrawl.org/"


class FetchOptions(StrictModel):
    """How records are downloaded; none of these change the bytes of a fetched record."""

    base_url: str = Field(
        COMMON_CRAWL_HTTPS,
        description="where warc_filename paths are fetched: an http(s):// base URL or s3://bucket/",
    )
    s3_endpoint: str | None = Field(None, description="host:port of an S3-compatible store (s3:// base only)")
    s3_anonymous: bool = Field(
        False, description="read s3:// without credentials (Common Crawl's bucket needs AWS credentials)"
    )
    concurrency: int = Field(16, ge=1, le=256, description="requests in flight per worker")
    max_requests_per_second: float = Field(20.0, ge=0, description="polite rate limit per worker (0: none)")
    tries: int = Field(5, ge=1, description="tries per record before it becomes an error record")
    backoff_seconds: float = Field(1.0, ge=0, description="first retry delay; doubles each try, with jitter")
    max_backoff_seconds: float = Field(60.0, ge=0)
    timeout_seconds: float = Field(30.0, gt=0, description="connect and read timeout of one request")
    max_record_bytes: int = Field(64 << 20, ge=1024, description="larger records (decompressed) are errors")

    @field_validator("base_url")
    @classmethod
    def _scheme(cls, value: str) -> str:
        if not value.lower().startswith(("http://", "https://", "s3://")):
            raise ValueError("use an http://, https:// or s3:// URL (e.g. https://data.commoncrawl.org/)")
        return value


class CrawlSource(FetchOptions):
    type: Literal["crawl"]
    seeds: str = Field(description="file of seed domains or URL prefixes, one per line")
    index: str = Field(description="Common Crawl's columnar index: a folder, file, s3:// or http(s):// URL")
    crawls: list[str] = Field(
        default_factory=list, description="crawls to use (e.g. CC-MAIN-2021-04); all if empty"
    )
    max_per_domain: int | None = Field(
        None, ge=1, description="at most this many pages per registered domain"
    )
    dir: str | None = Field(None, description="the crawl's working folder; default RUN/crawl")
    records_per_shard: int = Field(1000, ge=1, description="records per fetched WARC shard")
    extractor: str = Field(
        "trafilatura",
        pattern=EXTRACTOR_PATTERN,
        description="main-text extractor of the WARC source",
    )
    timeout_per_page: float = Field(10.0, gt=0, description="extraction time limit per page")
    menu_sample_pages: int = Field(10_000, ge=1, description="pages per domain the menu lines are counted on")
    menu_min_pages: int = Field(10, ge=1, description="a menu line is seen on more than max(this, ...)")
    menu_page_fraction: float = Field(
        0.01, ge=0, le=1, description="... and more than this share of the sample"
    )
    min_chars: int = Field(32, ge=0, description="pages with at most this many characters left are removed")
    max_document_bytes: int = Field(DEFAULT_MAX_DOCUMENT_BYTES, ge=1024, description=MAX_DOCUMENT_HELP)
    lang: str | None = Field(None, description="declared language of every page")
    name: str | None = Field(
        None, description="label of this source in errors; documents are labelled by domain"
    )
    prepared: str | None = Field(
        None, description="set by roots: identity of the finished crawl (leave unset)"
    )

    @field_validator("lang")
    @classmethod
    def _lang_code(cls, value: str | None) -> str | None:
        if value is not None and not is_lang_code(value):
            raise ValueError(f"not a language code; use {LANG_CODE_HELP}")
        return value
