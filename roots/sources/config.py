"""Configuration of the sources an extract stage reads (one entry of ``sources:`` in a pipeline YAML)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from roots.configbase import StrictModel, register_union_members
from roots.crawl.config import CrawlSource
from roots.langcode import LANG_CODE_HELP, is_lang_code
from roots.limits import DEFAULT_MAX_DOCUMENT_BYTES, MAX_DOCUMENT_HELP
from roots.sources.html_text import DEFAULT_EXTRACTOR, EXTRACTOR_HELP, EXTRACTOR_PATTERN


class SourceBase(StrictModel):
    lang: str | None = Field(
        None, description="declared language of every document (ROOTS sources were per language)"
    )
    name: str | None = Field(None, description="a label for this source in statistics; defaults to the type")
    max_document_bytes: int = Field(DEFAULT_MAX_DOCUMENT_BYTES, ge=1024, description=MAX_DOCUMENT_HELP)

    @field_validator("lang")
    @classmethod
    def _lang_code(cls, value: str | None) -> str | None:
        if value is not None and not is_lang_code(value):
            raise ValueError(f"not a language code; use {LANG_CODE_HELP}")
        return value


class JsonlSource(SourceBase):
    type: Literal["jsonl"]
    paths: list[str] = Field(
        min_length=1, description="jsonl files, directories or glob patterns (.jsonl, .jsonl.gz)"
    )
    text_key: str = Field("text", description="field holding the text")
    id_key: str | None = Field(None, description="field holding a stable document id")
    url_key: str | None = Field("url", description="field holding the URL")
    lines_per_shard: int = Field(20_000, ge=1, description="lines per work unit")
    bytes_per_shard: int = Field(
        128 * 1024 * 1024, ge=1, description="a work unit also ends after this many bytes of lines"
    )


class HfSource(SourceBase):
    type: Literal["hf"]
    path: str = Field(description="local dataset (files, folder, save_to_disk folder) or a hub dataset name")
    config: str | None = Field(None, description="dataset configuration name")
    split: str = Field("train", description="dataset split")
    data_files: list[str] | None = Field(
        None, description="local data files or globs; then PATH may name the builder (json, parquet, csv)"
    )
    text_column: str = Field("text", description="column holding the text")
    id_column: str | None = Field(None, description="column holding a stable document id")
    url_column: str | None = Field(None, description="column holding the URL")
    meta_columns: list[str] | None = Field(
        None, description="columns copied into meta; default: every column except the text"
    )
    streaming: bool = Field(False, description="stream rows (one work unit per data file) instead of loading")
    rows_per_shard: int = Field(20_000, ge=1, description="rows per work unit")
    cache_dir: str | None = Field(None, description="datasets cache folder (default: the HF_DATASETS_CACHE)")


class WarcSource(SourceBase):
    type: Literal["warc"]
    paths: list[str] = Field(
        min_length=1, description="WARC/WET/ARC files (.warc, .warc.gz, .arc.gz), dirs or globs"
    )
    extractor: str = Field(
        DEFAULT_EXTRACTOR,
        pattern=EXTRACTOR_PATTERN,
        description=EXTRACTOR_HELP,
    )
    timeout_seconds: float = Field(
        10.0,
        gt=0,
        description="CPU-time limit per page (not wall-clock); a page over it is an error 'timeout'",
    )
    memory_limit_mb: int | None = Field(
        4096, ge=256, description="address-space limit of the extractor process"
    )
    url_allow: list[str] = Field(
        default_factory=list, description="keep only URLs with one of these prefixes (@FILE reads a list)"
    )
    url_block: list[str] = Field(
        default_factory=list, description="drop URLs with one of these prefixes (@FILE reads a list)"
    )
    domain_allow: list[str] = Field(
        default_factory=list, description="keep only these domains and their subdomains (@FILE reads a list)"
    )
    domain_block: list[str] = Field(
        default_factory=list, description="drop these domains and their subdomains (@FILE reads a list)"
    )
    bytes_per_shard: int = Field(
        64 * 1024 * 1024, ge=1, description="a file is split into work units of about this many bytes"
    )


class PdfSource(SourceBase):
    type: Literal["pdf"]
    paths: list[str] = Field(min_length=1, description="PDF files or directories (searched recursively)")
    per_page: bool = Field(False, description="one document per page instead of one per PDF")
    backend: Literal["pdfminer", "pypdf"] = Field("pdfminer", description="text extraction library")
    timeout_seconds: float = Field(
        60.0, gt=0, description="CPU-time limit per file (not wall-clock); per page, the pages done are kept"
    )
    memory_limit_mb: int | None = Field(
        4096, ge=256, description="address-space limit of the extractor process"
    )
    max_pages: int = Field(10_000, ge=1, description="PDFs with more pages are an error (hostile page trees)")
    files_per_shard: int = Field(50, ge=1, description="PDF files per work unit")


#: permissive SPDX licences, the default ``licenses_allow`` of code sources
PERMISSIVE_LICENSES = (
    "MIT",
    "MIT-0",
    "Apache-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "0BSD",
    "ISC",
    "Zlib",
    "BSL-1.0",
    "Unlicense",
    "CC0-1.0",
    "Python-2.0",
    "PostgreSQL",
    "X11",
)

#: vendored, generated and minified paths skipped by default (matched against '/' + the file's path)
DEFAULT_SKIP_GLOBS = (
    "*/node_modules/*",
    "*/vendor/*",
    "*/third_party/*",
    "*/thirdparty/*",
    "*/.git/*",
    "*/__pycache__/*",
    "*/site-packages/*",
    "*/dist/*",
    "*/build/*",
    "*/generated/*",
    "*.min.js",
    "*_pb2.py",
    "*.pb.go",
    "*.generated.*",
)


class CodeSource(SourceBase):
    """Source files of programming languages (``roots.sources.code``): a folder tree, jsonl or a HF dataset."""

    type: Literal["code"]
    input: Literal["folder", "jsonl", "hf"] = Field(
        "folder", description="folder: a tree of checkouts; jsonl or hf: one file per row/line"
    )
    paths: list[str] = Field(
        min_length=1, description="folders or files (folder, jsonl), or one HF dataset path or hub name (hf)"
    )
    repo: str | None = Field(
        None, description="folder input: the repository of every file (default: each file's top folder)"
    )
    license: str | None = Field(None, description="folder input: the SPDX licence id of every file")
    content_key: str = Field("content", description="jsonl/hf: field holding the file's text")
    path_key: str = Field("path", description="jsonl/hf: field holding the file's path (gives the language)")
    repo_key: str = Field("repo", description="jsonl/hf: field holding the repository name")
    license_key: str = Field("license", description="jsonl/hf: field holding the licence (SPDX id or list)")
    split: str = Field("train", description="hf: dataset split")
    extensions: dict[str, str] = Field(
        default_factory=dict,
        description="extra extension -> language pairs ('.kt': kotlin) added to ROOTS's table of 13",
    )
    languages: list[str] | None = Field(None, description="keep only these languages (default: all known)")
    max_file_bytes: int = Field(1024 * 1024, ge=1, description="larger files are skipped (ROOTS: 1 MiB)")
    skip_globs: list[str] = Field(
        default_factory=lambda: list(DEFAULT_SKIP_GLOBS),
        description="paths matching one of these fnmatch globs ('/'-prefixed) are skipped as vendored",
    )
    licenses_allow: list[str] | None = Field(
        default_factory=lambda: list(PERMISSIVE_LICENSES),
        description="SPDX ids kept (case-insensitive; default: permissive licences); null: any",
    )
    licenses_deny: list[str] = Field(default_factory=list, description="SPDX ids never kept")
    keep_unlicensed: bool = Field(True, description="keep files whose licence is not known")
    files_per_shard: int = Field(500, ge=1, description="folder input: files per work unit")
    lines_per_shard: int = Field(20_000, ge=1, description="jsonl/hf input: lines or rows per work unit")

    @field_validator("extensions")
    @classmethod
    def _extension_names(cls, value: dict[str, str]) -> dict[str, str]:
        for ext, language in value.items():
            if not ext.startswith(".") or not is_lang_code(f"code-{language}"):
                raise ValueError(f"{ext!r}: {language!r}: give '.ext': name (1-16 lowercase letters/digits)")
        return value


SourceConfig = Annotated[
    JsonlSource | HfSource | WarcSource | PdfSource | CrawlSource | CodeSource, Field(discriminator="type")
]
SOURCE_TYPES = ("hf", "warc", "pdf", "jsonl", "crawl", "code")
register_union_members(JsonlSource, HfSource, WarcSource, PdfSource, CrawlSource, CodeSource)
