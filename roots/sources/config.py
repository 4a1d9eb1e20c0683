"""Configuration of the sources an extract stage reads (one entry of ``sources:`` in a pipeline YAML)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from roots.configbase import StrictModel, register_union_members


class SourceBase(StrictModel):
    lang: str | None = Field(
        None, description="declared language of every document (ROOTS sources were per language)"
    )
    name: str | None = Field(None, description="a label for this source in statistics; defaults to the type")


class JsonlSource(SourceBase):
    type: Literal["jsonl"]
    paths: list[str] = Field(
        min_length=1, description="jsonl files, directories or glob patterns (.jsonl, .jsonl.gz)"
    )
    text_key: str = "text"
    id_key: str | None = None
    url_key: str | None = "url"
    lines_per_shard: int = Field(20_000, ge=1)


class HfSource(SourceBase):
    type: Literal["hf"]
    path: str = Field(description="local dataset (files, folder, save_to_disk folder) or a hub dataset name")
    config: str | None = None
    split: str = "train"
    data_files: list[str] | None = None
    text_column: str = "text"
    id_column: str | None = None
    url_column: str | None = None
    meta_columns: list[str] = Field(default_factory=list)
    streaming: bool = False
    rows_per_shard: int = Field(20_000, ge=1)


class WarcSource(SourceBase):
    type: Literal["warc"]
    paths: list[str] = Field(
        min_length=1, description="WARC/WET/ARC files (.warc, .warc.gz, .arc.gz), dirs or globs"
    )
    extractor: Literal["trafilatura", "resiliparse"] = "trafilatura"
    timeout_seconds: float = Field(10.0, gt=0)
    url_allow: list[str] = Field(default_factory=list)
    url_block: list[str] = Field(default_factory=list)
    domain_allow: list[str] = Field(default_factory=list)
    domain_block: list[str] = Field(default_factory=list)
    records_per_shard: int = Field(2_000, ge=1)


class PdfSource(SourceBase):
    type: Literal["pdf"]
    paths: list[str] = Field(min_length=1, description="PDF files or directories (searched recursively)")
    per_page: bool = False
    backend: Literal["pdfminer", "pypdf"] = "pdfminer"
    timeout_seconds: float = Field(60.0, gt=0)
    files_per_shard: int = Field(50, ge=1)


SourceConfig = Annotated[JsonlSource | HfSource | WarcSource | PdfSource, Field(discriminator="type")]
SOURCE_TYPES = ("hf", "warc", "pdf", "jsonl")
register_union_members(JsonlSource, HfSource, WarcSource, PdfSource)
