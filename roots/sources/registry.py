"""Which class reads which source type."""

from __future__ import annotations

import importlib

SOURCE_MODULES = {
    "jsonl": ("roots.sources.jsonl", "JsonlReader"),
    "hf": ("roots.sources.hf", "HfReader"),
    "warc": ("roots.sources.warc", "WarcReader"),
    "pdf": ("roots.sources.pdf", "PdfReader"),
    "crawl": ("roots.crawl.source", "CrawlReader"),
    "code": ("roots.sources.code", "CodeReader"),
}


def source_class(kind: str) -> type:
    module_name, class_name = SOURCE_MODULES[kind]
    return getattr(importlib.import_module(module_name), class_name)
